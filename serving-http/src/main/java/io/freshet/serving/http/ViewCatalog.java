package io.freshet.serving.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.freshet.spec.Durations;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.RequestFeature;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.Suggestions;
import io.freshet.spec.ViewSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The views a server serves, from the specs it was started with: lookups whose failures suggest the
 * name meant, and the descriptions of {@code GET /v1/views}. What is deployed (the job's metadata
 * and history tables) is not read here: that is feature discovery (issue 15, part 3).
 */
final class ViewCatalog {
  /** A served view and the source that computes it. */
  record Entry(SourceSpec source, ViewSpec view) {
    String specVersion() {
      return view.version(source);
    }
  }

  private final Map<String, Entry> views = new LinkedHashMap<>();

  ViewCatalog(List<FeatureSpec> specs) {
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("no spec: give the spec(s) whose views the server serves");
    }
    for (FeatureSpec spec : specs) {
      for (ViewSpec v : spec.views()) {
        Entry before = views.putIfAbsent(v.name(), new Entry(spec.source(), v));
        if (before != null) {
          throw new IllegalArgumentException(
              "view '"
                  + v.name()
                  + "' is in two specs (sources '"
                  + before.source().name()
                  + "' and '"
                  + spec.source().name()
                  + "'): a view name belongs to one source per keyspace; rename one of them");
        }
      }
    }
  }

  List<String> names() {
    return List.copyOf(views.keySet());
  }

  List<Entry> entries() {
    return List.copyOf(views.values());
  }

  /** The view, or null. */
  Entry find(String name) {
    return views.get(name);
  }

  /** "no view 'x' (did you mean 'y'?); this server serves: [...]". */
  String unknownView(String name) {
    return "no view '"
        + name
        + "'"
        + hint(name, names())
        + "; this server serves "
        + names()
        + " (from its --spec files)";
  }

  /** "view 'v' has no feature 'x' (did you mean 'y'?); its features: [...]". */
  static String unknownFeature(ViewSpec view, String feature) {
    List<String> names = view.servedFeatures();
    return "view '"
        + view.name()
        + "' has no feature '"
        + feature
        + "'"
        + hint(feature, names)
        + "; its features are "
        + names;
  }

  static String hint(String given, List<String> candidates) {
    return Suggestions.closest(given, candidates)
        .map(s -> " (did you mean '" + s + "'?)")
        .orElse("");
  }

  /** One view as {@code GET /v1/views/{view}} describes it (see openapi.yaml, ViewDescription). */
  static void write(JsonGenerator g, Entry e) throws IOException {
    ViewSpec v = e.view();
    g.writeStartObject();
    g.writeStringField("name", v.name());
    g.writeStringField("source", e.source().name());
    g.writeStringField("entity", e.source().entityField());
    g.writeStringField("ttl", Durations.format(v.ttl()));
    g.writeNumberField("ttl_ms", v.ttl().toMillis());
    g.writeStringField("spec_version", e.specVersion());
    writeDocs(g, v.docs());
    g.writeArrayFieldStart("features");
    for (FeatureDef f : v.features()) {
      g.writeStartObject();
      g.writeStringField("name", f.name());
      g.writeStringField("type", f.outputType().name().toLowerCase(Locale.ROOT));
      g.writeStringField("aggregation", f.aggregation().specName());
      if (f.field() != null) {
        g.writeStringField("field", f.field());
      }
      if (f.isLifetime()) {
        g.writeNullField("window");
        g.writeNullField("window_ms");
      } else {
        g.writeStringField("window", Durations.format(f.window()));
        g.writeNumberField("window_ms", f.window().toMillis());
      }
      if (f.quantile() != null) {
        g.writeNumberField("quantile", f.quantile());
      }
      if (f.halfLife() != null) {
        g.writeStringField("half_life", Durations.format(f.halfLife()));
      }
      writeDocs(g, v.docsOf(f.name()));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("request_features");
    for (RequestFeature r : v.requestFeatures()) {
      g.writeStartObject();
      g.writeStringField("name", r.name());
      g.writeStringField("type", r.type().name().toLowerCase(Locale.ROOT));
      g.writeStringField("expression", r.expression().text());
      g.writeArrayFieldStart("inputs");
      for (String in : r.expression().inputs()) {
        g.writeString(in);
      }
      g.writeEndArray();
      writeDocs(g, r.docs());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeObjectFieldStart("request_fields");
    for (Map.Entry<String, io.freshet.spec.ValueType> f : v.requestFields().entrySet()) {
      g.writeStringField(f.getKey(), f.getValue().name().toLowerCase(Locale.ROOT));
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /** The description, owner and tags the spec gives, those it gives. */
  private static void writeDocs(JsonGenerator g, io.freshet.spec.Docs d) throws IOException {
    if (d.description() != null) {
      g.writeStringField("description", d.description());
    }
    if (d.owner() != null) {
      g.writeStringField("owner", d.owner());
    }
    if (!d.tags().isEmpty()) {
      g.writeArrayFieldStart("tags");
      for (String t : d.tags()) {
        g.writeString(t);
      }
      g.writeEndArray();
    }
  }

  /** The features of a view, by name, in the view's order. */
  static List<String> featureNames(ViewSpec view) {
    List<String> out = new ArrayList<>(view.features().size());
    for (FeatureDef f : view.features()) {
      out.add(f.name());
    }
    return out;
  }
}
