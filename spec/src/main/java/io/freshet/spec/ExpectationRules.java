package io.freshet.spec;

import static io.freshet.spec.YamlWalker.quote;
import static io.freshet.spec.YamlWalker.scalarText;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * The rules of a view's {@code expectations:} and {@code feature_expectations:}: one entry per
 * source field or feature, min and max only on numeric ones and in order, allowed values only on
 * strings, a null rate that is a fraction, and dead letters only for source records.
 */
final class ExpectationRules {

  private static final List<String> EXPECTATION_KEYS =
      List.of("min", "max", "max_null_rate", "allowed", "dead_letter");

  private static final List<String> RULE_KEYS = List.of("name", "expr", "dead_letter");

  private final YamlWalker in;
  private final SourceSchema schema;

  /**
   * @param schema the source's schema, or null if it has errors (no expectation is then valid)
   */
  ExpectationRules(YamlWalker in, SourceSchema schema) {
    this.in = in;
    this.schema = schema;
  }

  /** What an expectation checks, a source field or a feature: its value type and a description. */
  private record Target(Optional<ValueType> type, String description) {}

  /** A source field's or a feature's {@link Target}, or null after reporting it unknown. */
  private interface Targets {
    Target resolve(Node at, String path, String name);
  }

  /** The expectations (none if the node is absent), or null after reporting any problem. */
  List<Expectation> expectations(Node node, String path) {
    Targets fields =
        (at, p, name) -> {
          // without the source's schema the field cannot be checked; that error is at the source
          Schema.Field field = schema == null ? null : schema.field(in, at, p, name);
          return field == null
              ? null
              : new Target(AvroTypes.valueType(field.schema()), AvroTypes.describe(field.schema()));
        };
    return expectations(
        node,
        path,
        fields,
        "field",
        "expectations is a mapping from source field to checks, e.g. amount: {min: 0,"
            + " max_null_rate: 0.02}");
  }

  /**
   * The view's {@code feature_expectations:} (checks on the values the view computes), none if the
   * node is absent, or null after reporting any problem.
   *
   * @param features the view's features, or null if they have errors (already reported)
   */
  List<Expectation> featureExpectations(Node node, String path, List<FeatureDef> features) {
    Targets byName =
        (at, p, name) -> {
          if (features == null) {
            return null;
          }
          List<String> names = features.stream().map(FeatureDef::name).toList();
          for (FeatureDef f : features) {
            if (f.name().equals(name)) {
              return new Target(
                  Optional.of(f.outputType()),
                  "a "
                      + f.outputType().name().toLowerCase(java.util.Locale.ROOT)
                      + " feature ("
                      + f.aggregation().specName()
                      + ")");
            }
          }
          in.error(
              at,
              p,
              "no feature "
                  + quote(name)
                  + " in this view"
                  + Suggestions.didYouMean(name, names, Map.of())
                  + "; its features are: "
                  + String.join(", ", names)
                  + " (checks on source fields go under expectations:)");
          return null;
        };
    return expectations(
        node,
        path,
        byName,
        "feature",
        "feature_expectations is a mapping from feature name to checks, e.g. amount_avg_7d:"
            + " {min: 0, max_null_rate: 0.05}");
  }

  private List<Expectation> expectations(
      Node node, String path, Targets targets, String noun, String shape) {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof MappingNode map)) {
      in.error(node, path, shape);
      return null;
    }
    List<Expectation> out = new ArrayList<>();
    boolean ok = true;
    Map<String, Node> seen = new HashMap<>();
    for (NodeTuple t : map.getValue()) {
      Expectation e = expectation(t, path, seen, targets, noun);
      if (e == null) {
        ok = false;
      } else {
        out.add(e);
      }
    }
    return ok ? out : null;
  }

  /** The checks on one field or feature, or null after reporting any problem with them. */
  private Expectation expectation(
      NodeTuple t, String path, Map<String, Node> seen, Targets targets, String noun) {
    String name = in.keyName(t.getKeyNode(), path);
    if (name == null) {
      return null;
    }
    String fp = path + "." + name;
    if (!in.unique(
        seen, name, t.getKeyNode(), fp, "expectations for", "; merge them into one mapping")) {
      return null;
    }
    Target target = targets.resolve(t.getKeyNode(), fp, name);
    boolean ok = target != null;
    YamlWalker.Fields f =
        in.fields(
            t.getValueNode(),
            fp,
            EXPECTATION_KEYS,
            "an expectation is a mapping such as {min: 0, max: 100000, max_null_rate: 0.02}");
    if (f == null) {
      return null;
    }
    Node allowedNode = f.get("allowed");
    List<String> allowed = new ArrayList<>();
    if (allowedNode != null) {
      org.yaml.snakeyaml.nodes.SequenceNode seq =
          in.sequence(allowedNode, fp + ".allowed", "allowed is a list of values, e.g. [EUR, USD]");
      if (seq == null) {
        ok = false;
      } else {
        for (int i = 0; i < seq.getValue().size(); i++) {
          String v = in.string(seq.getValue().get(i), fp + ".allowed[" + i + "]");
          if (v == null) {
            ok = false;
          } else {
            allowed.add(v);
          }
        }
      }
      if (target != null && (target.type().isEmpty() || target.type().get() != ValueType.STRING)) {
        in.error(
            allowedNode,
            fp + ".allowed",
            "allowed applies to string "
                + noun
                + "s, but "
                + quote(name)
                + " is "
                + target.description()
                + "; use min and max for numbers");
        ok = false;
      }
    }
    Node deadNode = f.get("dead_letter");
    Boolean dead = deadNode == null ? Boolean.FALSE : in.bool(deadNode, fp + ".dead_letter");
    ok &= dead != null;
    if (deadNode != null && noun.equals("feature")) {
      in.error(
          deadNode,
          fp + ".dead_letter",
          "a feature value is never dead-lettered: it is the job's own output, and leaving it out"
              + " would make the stores differ from a recomputation of the events; remove"
              + " dead_letter (a broken check is counted and reported), or put the check on the"
              + " source field under expectations:");
      ok = false;
    }
    Node minNode = f.get("min");
    Node maxNode = f.get("max");
    Node nullRateNode = f.get("max_null_rate");
    Double min = in.number(minNode, fp + ".min");
    Double max = in.number(maxNode, fp + ".max");
    Double nullRate = in.number(nullRateNode, fp + ".max_null_rate");
    ok &= (minNode == null || min != null) && (maxNode == null || max != null);
    ok &= nullRateNode == null || nullRate != null;
    if (min != null && max != null && min > max) {
      in.error(
          minNode,
          fp + ".min",
          "min "
              + scalarText(minNode)
              + " is greater than max "
              + scalarText(maxNode)
              + "; swap them or fix one");
      ok = false;
    }
    if (nullRate != null && !(nullRate >= 0 && nullRate <= 1)) {
      in.error(
          nullRateNode,
          fp + ".max_null_rate",
          "max_null_rate is a fraction in [0, 1], e.g. 0.02 for 2%; got "
              + scalarText(nullRateNode));
      ok = false;
    }
    if (target != null && (minNode != null || maxNode != null)) {
      if (target.type().isEmpty() || !target.type().get().isNumeric()) {
        in.error(
            minNode != null ? minNode : maxNode,
            fp + (minNode != null ? ".min" : ".max"),
            "min and max apply to numeric "
                + noun
                + "s, but "
                + quote(name)
                + " is "
                + target.description()
                + "; keep only max_null_rate for it");
        ok = false;
      }
    }
    return ok ? new Expectation(name, min, max, nullRate, allowed, dead) : null;
  }

  /**
   * The view's {@code rules:} (cross-field expectations: CEL over the source's scalar fields,
   * giving a bool), none if absent, or null after reporting any problem.
   */
  List<ExpectationRule> rules(Node node, String path) {
    List<ExpectationRule> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    org.yaml.snakeyaml.nodes.SequenceNode seq =
        in.sequence(
            node,
            path,
            "rules is a list, e.g. - {name: same_country, expr: \"billing_country =="
                + " card_country\"}");
    if (seq == null) {
      return null;
    }
    Map<String, ValueType> inputs = schema == null ? null : schema.scalarFields();
    boolean ok = true;
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      String rp = path + "[" + i + "]";
      YamlWalker.Fields f =
          in.fields(
              seq.getValue().get(i),
              rp,
              RULE_KEYS,
              "a rule is a mapping such as {name: same_country, expr: \"a == b\"}");
      if (f == null) {
        ok = false;
        continue;
      }
      Node nameNode = f.required("name", "e.g. name: same_country");
      String name = in.name(nameNode, rp + ".name", false);
      if (name != null && !in.unique(seen, name, nameNode, rp + ".name", "rule", "")) {
        name = null;
      }
      Node exprNode = f.required("expr", "a condition in CEL, e.g. expr: \"amount >= 0\"");
      String text = in.string(exprNode, rp + ".expr");
      Node deadNode = f.get("dead_letter");
      Boolean dead = deadNode == null ? Boolean.FALSE : in.bool(deadNode, rp + ".dead_letter");
      if (name == null || text == null || dead == null || inputs == null) {
        ok = false;
        continue;
      }
      Expression e = in.expression(exprNode, rp + ".expr", text, inputs);
      if (e == null) {
        ok = false;
      } else if (e.type() != ValueType.BOOLEAN) {
        in.error(
            exprNode,
            rp + ".expr",
            "a rule is a condition (true when the record is as expected), but this expression"
                + " gives a "
                + e.type().name().toLowerCase(java.util.Locale.ROOT));
        ok = false;
      } else {
        out.add(new ExpectationRule(name, e, dead));
      }
    }
    return ok ? out : null;
  }
}
