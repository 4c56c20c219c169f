package io.freshet.spec;

import static io.freshet.spec.YamlWalker.quote;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The rules of one feature: a column name, a known aggregation, the field it reads and that field's
 * type, a window that is a whole number of tiles, and the aggregation's own parameters (see {@link
 * AggregationRules}).
 */
final class FeatureRules {

  private static final List<String> FEATURE_KEYS =
      List.of("name", "agg", "field", "window", "q", "half_life", "description", "owner", "tags");

  /**
   * What was read of a feature, even when it has errors.
   *
   * @param name its name, or null if invalid
   * @param nameNode where the name is written, for duplicate-name errors
   * @param window its window, or null if lifetime or invalid
   * @param def the feature, or null if it has errors
   * @param docs its description, owner and tags
   */
  record Feature(String name, Node nameNode, Duration window, FeatureDef def, Docs docs) {}

  private final YamlWalker in;
  private final SourceSchema schema;
  private final AggregationRules aggregations;

  /**
   * @param schema the source's schema, or null if it has errors (fields are then not checked)
   */
  FeatureRules(YamlWalker in, SourceSchema schema) {
    this.in = in;
    this.schema = schema;
    this.aggregations = new AggregationRules(in);
  }

  /**
   * @param viewTile the view's declared tile, or null
   * @param viewTileBroken whether the view declares a tile that is invalid (windows then go
   *     unchecked, since neither that tile nor the default one applies)
   */
  Feature feature(Node node, String path, Duration viewTile, boolean viewTileBroken) {
    YamlWalker.Fields f =
        in.fields(
            node,
            path,
            FEATURE_KEYS,
            "a feature is a mapping such as {name: amount_sum_1h, agg: sum, field: amount,"
                + " window: 1h}");
    if (f == null) {
      return new Feature(null, null, null, null, Docs.NONE);
    }
    boolean ok = true;
    Node nameNode = f.required("name", "e.g. name: amount_sum_24h");
    String name = in.name(nameNode, path + ".name", true);
    ok &= name != null;

    Aggregation agg = aggregation(f, path);
    ok &= agg != null;

    // field and its type
    Node fieldNode = f.get("field");
    ValueType inputType = null;
    if (agg != null && !agg.needsField()) {
      if (fieldNode != null) {
        in.error(
            fieldNode,
            path + ".field",
            "count counts events and reads no field; remove field: (to count distinct values"
                + " of a field use agg: approx_count_distinct)");
        ok = false;
      }
      inputType = ValueType.LONG;
    } else if (agg != null && fieldNode == null) {
      f.required(
          "field",
          agg.specName()
              + " reads a source field"
              + (schema != null ? "; one of " + String.join(", ", schema.fieldNames()) : ""));
      ok = false;
    }
    String fieldName = fieldNode == null ? null : in.string(fieldNode, path + ".field");
    ok &= fieldNode == null || fieldName != null;
    if (fieldName != null && agg != null && agg.needsField()) {
      if (schema == null) {
        ok = false; // already reported at the source
      } else {
        inputType = inputType(fieldNode, path + ".field", fieldName, agg);
        ok &= inputType != null;
      }
    }

    // window and tile
    Node windowNode = f.get("window");
    Duration window = in.duration(windowNode, path + ".window", true);
    ok &= windowNode == null || window != null;
    Duration tile = null;
    if (window != null) {
      if (viewTile != null) {
        tile = viewTile;
        if (tile.compareTo(window) > 0) {
          in.error(
              windowNode,
              path + ".window",
              "window "
                  + Durations.format(window)
                  + " is shorter than the view's tile "
                  + Durations.format(tile)
                  + "; a window is a whole number of tiles: make the window at least "
                  + Durations.format(tile)
                  + " or declare a smaller tile: on the view");
          ok = false;
        } else if (window.toMillis() % tile.toMillis() != 0) {
          in.error(windowNode, path + ".window", notMultiple(window, tile, "the view's tile"));
          ok = false;
        }
      } else if (!viewTileBroken) {
        tile = Tiles.defaultTile(window);
        if (window.toMillis() % tile.toMillis() != 0) {
          in.error(windowNode, path + ".window", notMultiple(window, tile, "its default tile"));
          ok = false;
        }
      }
    }

    AggregationRules.Params params = agg == null ? null : aggregations.params(agg, f, path);
    ok &= params != null;

    Docs docs = in.docs(f, path);
    ok &= docs != null;

    FeatureDef def = null;
    if (ok && (window == null || tile != null)) {
      def =
          new FeatureDef(
              name,
              agg,
              agg.needsField() ? fieldName : null,
              inputType,
              window,
              tile,
              params.quantile(),
              params.halfLife());
    }
    return new Feature(name, nameNode, window, def, docs == null ? Docs.NONE : docs);
  }

  /** The feature's aggregation, or null after reporting it missing or unknown. */
  private Aggregation aggregation(YamlWalker.Fields f, String path) {
    List<String> names = AggregationRules.specNames();
    Node aggNode = f.required("agg", "one of " + String.join(", ", names));
    String aggText = in.string(aggNode, path + ".agg");
    if (aggText == null) {
      return null;
    }
    Optional<Aggregation> agg = Aggregation.fromSpecName(aggText);
    if (agg.isEmpty()) {
      in.error(
          aggNode,
          path + ".agg",
          "unknown aggregation "
              + quote(aggText)
              + Suggestions.didYouMean(
                  aggText.toLowerCase(Locale.ROOT), names, Suggestions.AGGREGATION_ALIASES)
              + "; the aggregations are: "
              + String.join(", ", names));
    }
    return agg.orElse(null);
  }

  /** The value type of the field the aggregation reads, or null after reporting it unreadable. */
  private ValueType inputType(Node fieldNode, String path, String fieldName, Aggregation agg) {
    Schema.Field field = schema.field(in, fieldNode, path, fieldName);
    if (field == null) {
      return null;
    }
    Optional<ValueType> type = AvroTypes.valueType(field.schema());
    if (type.isEmpty()) {
      in.error(
          fieldNode,
          path,
          "field "
              + quote(fieldName)
              + " is "
              + AvroTypes.describe(field.schema())
              + ", which features cannot read; use a field of type int, long, float, double,"
              + " string, enum or boolean (or a nullable union of one)");
      return null;
    }
    ValueType t = type.get();
    if (!AggregationRules.of(agg).field().accepts(t)) {
      in.error(
          fieldNode,
          path,
          agg.specName()
              + " needs a numeric field (int, long, float, double or a timestamp), but "
              + quote(fieldName)
              + " is "
              + AvroTypes.describe(field.schema())
              + "; pick a numeric field"
              + schema.numericFieldsHint()
              + ", or use first, last or approx_count_distinct, which take any type");
      return null;
    }
    return t;
  }

  private static String notMultiple(Duration window, Duration tile, String whose) {
    long w = window.toMillis();
    long g = tile.toMillis();
    Duration divisor = Duration.ofMillis(gcd(w, g));
    Duration roundedUp = Duration.ofMillis((w / g + 1) * g);
    return "window "
        + Durations.format(window)
        + " is not a multiple of "
        + whose
        + " "
        + Durations.format(tile)
        + "; declare a tile: on the view that divides every window (e.g. tile: "
        + Durations.format(divisor)
        + ") or change the window (e.g. "
        + Durations.format(roundedUp)
        + ")";
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
