package io.freshet.spec;

import static io.freshet.spec.YamlWalker.quote;

import io.freshet.store.StoreNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The rules of a spec's {@code views:}: at least one view, unique names that fit a Cassandra table
 * name, at least one feature per view with unique names, and a ttl that covers every window. Each
 * feature is left to {@link FeatureRules}, expectations to {@link ExpectationRules}.
 */
final class ViewRules {

  private static final List<String> VIEW_KEYS =
      List.of(
          "name",
          "ttl",
          "tile",
          "features",
          "request_fields",
          "request_features",
          "expectations",
          "feature_expectations",
          "rules",
          "expectation_period",
          "description",
          "owner",
          "tags");

  private record View(String name, Node nameNode, ViewSpec spec) {}

  /** A view's features as read, valid or not; {@code valid} if there are some and all are. */
  private record Features(List<FeatureRules.Feature> read, boolean valid) {
    static final Features NONE = new Features(List.of(), false);
  }

  private final YamlWalker in;
  private final FeatureRules features;
  private final ExpectationRules expectations;
  private final RequestRules requests;

  /**
   * @param schema the source's schema, or null if it has errors (fields are then not checked)
   */
  ViewRules(YamlWalker in, SourceSchema schema) {
    this.in = in;
    this.features = new FeatureRules(in, schema);
    this.expectations = new ExpectationRules(in, schema);
    this.requests = new RequestRules(in);
  }

  /** The views, or null if the node is missing (already reported) or any view has errors. */
  List<ViewSpec> views(Node node) {
    if (node == null) {
      return null;
    }
    SequenceNode seq = in.sequence(node, "views", "views is a list; start each view with - name:");
    if (seq == null) {
      return null;
    }
    if (seq.getValue().isEmpty()) {
      in.error(node, "views", "declare at least one view (- name: ..., ttl: ..., features: ...)");
      return null;
    }
    List<ViewSpec> views = new ArrayList<>();
    Map<String, Node> seen = new HashMap<>();
    boolean complete = true;
    for (int i = 0; i < seq.getValue().size(); i++) {
      String path = "views[" + i + "]";
      View v = view(seq.getValue().get(i), path);
      if (v.name != null) {
        in.unique(
            seen,
            v.name,
            v.nameNode,
            path + ".name",
            "view name",
            "; view names must be unique in a spec");
      }
      if (v.spec == null) {
        complete = false;
      } else {
        views.add(v.spec);
      }
    }
    return complete ? views : null;
  }

  private View view(Node node, String path) {
    YamlWalker.Fields f =
        in.fields(node, path, VIEW_KEYS, "a view is a mapping with name, ttl and features");
    if (f == null) {
      return new View(null, null, null);
    }
    Node nameNode = f.required("name", "e.g. name: customer_spend");
    String name = in.name(nameNode, path + ".name", false);
    if (name != null && name.length() > StoreNames.MAX_TABLE_NAME_LENGTH) {
      in.error(
          nameNode,
          path + ".name",
          "view name "
              + quote(name)
              + " is "
              + name.length()
              + " characters; it names a Cassandra table, which allows at most "
              + StoreNames.MAX_TABLE_NAME_LENGTH);
    }
    if (name != null && name.startsWith(StoreNames.RESERVED_PREFIX)) {
      in.error(
          nameNode,
          path + ".name",
          "view name "
              + quote(name)
              + " starts with "
              + StoreNames.RESERVED_PREFIX
              + ", which Freshet's own tables ("
              + StoreNames.VIEWS_TABLE
              + ", "
              + StoreNames.VIOLATIONS_TABLE
              + ") start with; rename the view");
    }
    Node ttlNode =
        f.required(
            "ttl",
            "how long a value stays valid without new events, e.g. ttl: 30d (at least the"
                + " longest window)");
    Duration ttl = in.duration(ttlNode, path + ".ttl", true);
    Duration tile = in.duration(f.get("tile"), path + ".tile", true);
    boolean tileBroken = f.get("tile") != null && tile == null;

    Features read = features(f, path, tile, tileBroken);
    if (ttl != null) {
      checkTtlCoversWindows(ttlNode, path + ".ttl", ttl, read.read());
    }
    List<Expectation> checks =
        expectations.expectations(f.get("expectations"), path + ".expectations");

    List<ExpectationRule> rules = expectations.rules(f.get("rules"), path + ".rules");
    Duration period = f.durationOr("expectation_period", true, ViewSpec.DEFAULT_EXPECTATION_PERIOD);
    Docs docs = in.docs(f, path);
    List<FeatureDef> defs =
        read.valid() ? read.read().stream().map(FeatureRules.Feature::def).toList() : null;
    List<Expectation> featureChecks =
        expectations.featureExpectations(
            f.get("feature_expectations"), path + ".feature_expectations", defs);
    Map<String, ValueType> requestFields =
        requests.fields(
            f.get("request_fields"), path + ".request_fields", defs == null ? List.of() : defs);
    List<RequestFeature> requestFeatures =
        requests.features(
            f.get("request_features"),
            path + ".request_features",
            defs == null || requestFields == null
                ? null
                : ViewSpec.expressionInputs(defs, requestFields));

    if (defs == null
        || name == null
        || ttl == null
        || tileBroken
        || checks == null
        || featureChecks == null
        || docs == null
        || requestFields == null
        || requestFeatures == null
        || rules == null
        || period == null) {
      return new View(name, nameNode, null);
    }
    Map<String, Docs> featureDocs = new HashMap<>();
    for (FeatureRules.Feature feature : read.read()) {
      if (!feature.docs().isEmpty()) {
        featureDocs.put(feature.name(), feature.docs());
      }
    }
    return new View(
        name,
        nameNode,
        new ViewSpec(
            name,
            ttl,
            tile,
            defs,
            checks,
            docs,
            featureDocs,
            requestFields,
            requestFeatures,
            rules,
            period,
            featureChecks));
  }

  private Features features(YamlWalker.Fields f, String path, Duration tile, boolean tileBroken) {
    Node featuresNode = f.required("features", "a list of features, e.g. - {name: ..., agg: ...}");
    if (featuresNode == null) {
      return Features.NONE;
    }
    SequenceNode seq =
        in.sequence(
            featuresNode,
            path + ".features",
            "features is a list; start each feature with - name: or write - {name: ...}");
    if (seq == null) {
      return Features.NONE;
    }
    if (seq.getValue().isEmpty()) {
      in.error(
          featuresNode,
          path + ".features",
          "declare at least one feature, e.g. - {name: event_count_1h, agg: count, window: 1h}");
      return Features.NONE;
    }
    List<FeatureRules.Feature> read = new ArrayList<>();
    boolean complete = true;
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      String fp = path + ".features[" + i + "]";
      FeatureRules.Feature ft = features.feature(seq.getValue().get(i), fp, tile, tileBroken);
      read.add(ft);
      if (ft.name() != null) {
        in.unique(
            seen,
            ft.name(),
            ft.nameNode(),
            fp + ".name",
            "feature name",
            "; feature names must be unique in a view");
      }
      complete &= ft.def() != null;
    }
    return new Features(read, complete);
  }

  /** The engine drops an entity's state after ttl of silence, so no window may be longer. */
  private void checkTtlCoversWindows(
      Node ttlNode, String path, Duration ttl, List<FeatureRules.Feature> read) {
    FeatureRules.Feature longest = null;
    for (FeatureRules.Feature ft : read) {
      if (ft.window() != null
          && ft.window().compareTo(ttl) > 0
          && (longest == null || ft.window().compareTo(longest.window()) > 0)) {
        longest = ft;
      }
    }
    if (longest != null) {
      in.error(
          ttlNode,
          path,
          "ttl "
              + Durations.format(ttl)
              + " is shorter than the longest window of this view ("
              + (longest.name() == null ? "" : longest.name() + ": ")
              + Durations.format(longest.window())
              + "); the engine drops an entity's state after ttl of silence, so ttl must cover"
              + " every window: set ttl: "
              + Durations.format(longest.window())
              + " or more");
    }
  }
}
