package io.freshet.spec;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a feature spec (YAML) into a validated {@link FeatureSpec}.
 *
 * <p>Validation is complete rather than fail-fast: every problem in the file is collected as a
 * {@link SpecError} with its line, column and field path, and a message that says what to fix.
 * {@link #parse} throws a {@link SpecException} carrying all of them; {@link #validate} returns
 * them. A spec that parses without errors satisfies every rule in docs/spec-reference.md, so the
 * jobs, the serving client and the training-set builder can trust the model without checking again.
 */
public final class SpecParser {

  /** Names that become Cassandra/Iceberg identifiers. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /** Kafka's legal topic characters. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** Column names Freshet's own tables use next to the features of a view. */
  public static final Set<String> RESERVED_COLUMNS =
      Set.of(
          "entity",
          "valid_from",
          "last_event_time",
          "written_at",
          "spec_version",
          "correction",
          "revision");

  /** Cassandra refuses table names longer than this. */
  static final int MAX_VIEW_NAME_LENGTH = 48;

  private static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  private static final List<String> TOP_KEYS = List.of("source", "views");
  private static final List<String> SOURCE_KEYS =
      List.of(
          "name",
          "topic",
          "schema",
          "entity",
          "event_time",
          "max_out_of_orderness",
          "allowed_lateness",
          "idle_timeout");
  private static final List<String> VIEW_KEYS =
      List.of("name", "ttl", "tile", "features", "expectations");
  private static final List<String> FEATURE_KEYS =
      List.of("name", "agg", "field", "window", "q", "half_life");
  private static final List<String> EXPECTATION_KEYS = List.of("min", "max", "max_null_rate");

  /** Words people write for a key, mapped to the key Freshet wants. */
  private static final Map<String, String> KEY_ALIASES =
      Map.ofEntries(
          Map.entry("aggregation", "agg"),
          Map.entry("aggregate", "agg"),
          Map.entry("function", "agg"),
          Map.entry("type", "agg"),
          Map.entry("quantile", "q"),
          Map.entry("percentile", "q"),
          Map.entry("key", "entity"),
          Map.entry("entity_key", "entity"),
          Map.entry("timestamp", "event_time"),
          Map.entry("time", "event_time"),
          Map.entry("lateness", "allowed_lateness"),
          Map.entry("watermark", "max_out_of_orderness"),
          Map.entry("out_of_orderness", "max_out_of_orderness"),
          Map.entry("idleness", "idle_timeout"),
          Map.entry("window_size", "window"),
          Map.entry("tile_size", "tile"),
          Map.entry("expire", "ttl"),
          Map.entry("expectation", "expectations"),
          Map.entry("feature", "features"),
          Map.entry("view", "views"),
          Map.entry("null_rate", "max_null_rate"),
          Map.entry("minimum", "min"),
          Map.entry("maximum", "max"));

  /** Words people write for an aggregation, mapped to Freshet's name. */
  private static final Map<String, String> AGG_ALIASES =
      Map.ofEntries(
          Map.entry("mean", "avg"),
          Map.entry("average", "avg"),
          Map.entry("total", "sum"),
          Map.entry("latest", "last"),
          Map.entry("earliest", "first"),
          Map.entry("percentile", "approx_percentile"),
          Map.entry("quantile", "approx_percentile"),
          Map.entry("p95", "approx_percentile"),
          Map.entry("count_distinct", "approx_count_distinct"),
          Map.entry("distinct_count", "approx_count_distinct"),
          Map.entry("distinct", "approx_count_distinct"),
          Map.entry("ewma", "decayed_sum"),
          Map.entry("decay", "decayed_sum"));

  private SpecParser() {}

  /**
   * Reads and validates a spec file.
   *
   * @throws SpecException with every error found, if the spec is not valid or cannot be read
   */
  public static FeatureSpec parse(Path file) {
    return orThrow(run(file));
  }

  /**
   * Validates spec text as if it had been read from {@code file}: the file names it in messages and
   * its directory is where the schema is looked up first.
   *
   * @param file the spec's file, or null (schemas are then looked up from the working directory)
   * @throws SpecException with every error found
   */
  public static FeatureSpec parse(Path file, String yaml) {
    return orThrow(new Run(file).run(yaml));
  }

  /** Validates a spec file; returns every error found in file order, empty if it is valid. */
  public static List<SpecError> validate(Path file) {
    return run(file).errors;
  }

  /** Validates spec text as {@link #parse(Path, String)} does, without throwing. */
  public static List<SpecError> validate(Path file, String yaml) {
    return new Run(file).run(yaml).errors;
  }

  private static Result run(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      String why =
          Files.exists(file)
              ? "cannot read the spec file: " + e
              : "spec file not found (working directory is " + Path.of("").toAbsolutePath() + ")";
      return new Result(null, List.of(new SpecError(file, 1, 1, "", why)));
    }
    return new Run(file).run(yaml);
  }

  private static FeatureSpec orThrow(Result r) {
    if (!r.errors.isEmpty()) {
      throw new SpecException(r.errors);
    }
    return r.spec;
  }

  private record Result(FeatureSpec spec, List<SpecError> errors) {}

  /** One validation pass over one document; collects errors instead of stopping at the first. */
  private static final class Run {
    private final Path file;
    private final List<SpecError> errors = new ArrayList<>();

    Run(Path file) {
      this.file = file;
    }

    Result run(String yaml) {
      Node root;
      try {
        root = new Yaml().compose(new StringReader(yaml));
      } catch (MarkedYAMLException e) {
        Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
        String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
        errors.add(
            new SpecError(
                file,
                m == null ? 1 : m.getLine() + 1,
                m == null ? 1 : m.getColumn() + 1,
                "",
                "not valid YAML: " + problem + context));
        return new Result(null, errors);
      } catch (YAMLException e) {
        errors.add(new SpecError(file, 1, 1, "", "not valid YAML: " + e.getMessage()));
        return new Result(null, errors);
      }
      FeatureSpec spec = document(root);
      errors.sort(SpecError.BY_POSITION);
      return new Result(errors.isEmpty() ? spec : null, List.copyOf(errors));
    }

    // ---------------------------------------------------------------- document structure

    private FeatureSpec document(Node root) {
      if (root == null || isNull(root)) {
        errors.add(
            new SpecError(
                file, 1, 1, "", "the spec is empty; it needs a source: and a list of views:"));
        return null;
      }
      Fields top =
          fields(root, "", TOP_KEYS, "a spec is a mapping with the keys source: and views:");
      if (top == null) {
        return null;
      }
      Source source = source(top.required("source", "declare the event source (see docs)"));
      List<ViewSpec> views = views(top.required("views", "declare at least one view"), source);
      if (source == null || source.spec == null || views == null) {
        return null;
      }
      return new FeatureSpec(file, source.spec, views);
    }

    /** What the views need to know about the source, even when the source has errors. */
    private record Source(SourceSpec spec, Schema schema, String schemaRef) {}

    private Source source(Node node) {
      if (node == null) {
        return null;
      }
      Fields f =
          fields(
              node,
              "source",
              SOURCE_KEYS,
              "source is a mapping with name, topic, schema, entity and event_time");
      if (f == null) {
        return null;
      }
      String name = name(f.required("name", "e.g. name: payments"), "source.name", false);
      String topic = string(f.required("topic", "the Kafka topic, e.g. topic: payments"), "topic");
      if (topic != null && !TOPIC.matcher(topic).matches()) {
        error(
            f.get("topic"),
            "source.topic",
            quote(topic)
                + " is not a legal Kafka topic name; use up to 249 letters, digits, '.', '_' and"
                + " '-'");
      }
      Node schemaNode = f.required("schema", "the Avro schema of the topic, e.g. payment.avsc");
      String schemaRef = string(schemaNode, "source.schema");
      Schema schema = schemaRef == null ? null : schema(schemaNode, schemaRef);

      Node entityNode = f.required("entity", "the key field, e.g. entity: customer_id");
      String entity = string(entityNode, "source.entity");
      if (entity != null && schema != null) {
        checkEntity(entityNode, entity, schema, schemaRef);
      }
      Node timeNode = f.required("event_time", "the event time field, e.g. event_time: event_time");
      String eventTime = string(timeNode, "source.event_time");
      if (eventTime != null && schema != null) {
        checkEventTime(timeNode, eventTime, schema, schemaRef);
      }
      Duration outOfOrder =
          durationOr(f, "max_out_of_orderness", "source.max_out_of_orderness", false, ZERO);
      Duration lateness = durationOr(f, "allowed_lateness", "source.allowed_lateness", false, ZERO);
      Duration idle =
          durationOr(f, "idle_timeout", "source.idle_timeout", true, DEFAULT_IDLE_TIMEOUT);

      SourceSpec spec = null;
      if (name != null
          && topic != null
          && schema != null
          && entity != null
          && eventTime != null
          && outOfOrder != null
          && lateness != null
          && idle != null) {
        spec =
            new SourceSpec(
                name, topic, schemaRef, schema, entity, eventTime, outOfOrder, lateness, idle);
      }
      return new Source(spec, schema, schemaRef);
    }

    private static final Duration ZERO = Duration.ZERO;

    private Schema schema(Node node, String ref) {
      Path dir = file == null ? null : file.toAbsolutePath().getParent();
      SchemaLocator.Lookup lookup;
      try {
        lookup = SchemaLocator.find(ref, dir, Thread.currentThread().getContextClassLoader());
      } catch (IOException e) {
        error(node, "source.schema", "cannot read schema " + quote(ref) + ": " + e);
        return null;
      }
      if (!lookup.found()) {
        error(
            node,
            "source.schema",
            "schema file "
                + quote(ref)
                + " not found; looked in: "
                + String.join(", ", lookup.tried())
                + ". Put the .avsc next to the spec or in avro-schemas/src/main/avro/, or give a"
                + " path relative to the spec file");
        return null;
      }
      Schema schema;
      try {
        schema = new Schema.Parser().parse(lookup.text());
      } catch (RuntimeException e) {
        error(
            node,
            "source.schema",
            lookup.foundAt()
                + " is not a valid Avro schema: "
                + firstLine(e.getMessage() != null ? e.getMessage() : e.toString()));
        return null;
      }
      if (schema.getType() != Schema.Type.RECORD) {
        error(
            node,
            "source.schema",
            lookup.foundAt()
                + " is an Avro "
                + schema.getType().getName()
                + ", but events must be Avro records; point schema: at a record schema");
        return null;
      }
      return schema;
    }

    private void checkEntity(Node node, String entity, Schema schema, String schemaRef) {
      Schema.Field field = schemaField(node, "source.entity", entity, schema, schemaRef);
      if (field == null) {
        return;
      }
      Schema t = unwrapNullable(field.schema());
      boolean ok =
          t != null
              && (t.getType() == Schema.Type.STRING
                  || (t.getType() == Schema.Type.LONG && t.getLogicalType() == null));
      if (!ok) {
        error(
            node,
            "source.entity",
            "entity field "
                + quote(entity)
                + " is "
                + describe(field.schema())
                + "; the entity key must be a string or a long (a nullable union [\"null\", X] is"
                + " allowed, null keys go to the dead-letter topic)");
      }
    }

    private void checkEventTime(Node node, String eventTime, Schema schema, String schemaRef) {
      Schema.Field field = schemaField(node, "source.event_time", eventTime, schema, schemaRef);
      if (field == null) {
        return;
      }
      Schema t = field.schema();
      LogicalType lt = t.getLogicalType();
      boolean ok =
          t.getType() == Schema.Type.LONG
              && (lt == null || "timestamp-millis".equals(lt.getName()));
      if (!ok) {
        String hint =
            t.getType() == Schema.Type.UNION
                ? "; it must not be nullable (an event without a time cannot be placed in a window)"
                : "";
        error(
            node,
            "source.event_time",
            "event time field "
                + quote(eventTime)
                + " is "
                + describe(t)
                + hint
                + "; event_time must be a long with logicalType timestamp-millis, or a plain long"
                + " of epoch milliseconds");
      }
    }

    // ---------------------------------------------------------------- views

    private List<ViewSpec> views(Node node, Source source) {
      if (node == null) {
        return null;
      }
      SequenceNode seq = sequence(node, "views", "views is a list; start each view with - name:");
      if (seq == null) {
        return null;
      }
      if (seq.getValue().isEmpty()) {
        error(node, "views", "declare at least one view (- name: ..., ttl: ..., features: ...)");
        return null;
      }
      List<ViewSpec> views = new ArrayList<>();
      Map<String, Node> seen = new HashMap<>();
      boolean complete = true;
      for (int i = 0; i < seq.getValue().size(); i++) {
        String path = "views[" + i + "]";
        Node item = seq.getValue().get(i);
        View v = view(item, path, source);
        if (v.name != null) {
          Node first = seen.putIfAbsent(v.name, v.nameNode);
          if (first != null) {
            error(
                v.nameNode,
                path + ".name",
                "duplicate view name "
                    + quote(v.name)
                    + " (first declared on line "
                    + line(first)
                    + "); view names must be unique in a spec");
          }
        }
        if (v.spec == null) {
          complete = false;
        } else {
          views.add(v.spec);
        }
      }
      return complete ? views : null;
    }

    private record View(String name, Node nameNode, ViewSpec spec) {}

    private View view(Node node, String path, Source source) {
      Fields f = fields(node, path, VIEW_KEYS, "a view is a mapping with name, ttl and features");
      if (f == null) {
        return new View(null, null, null);
      }
      Node nameNode = f.required("name", "e.g. name: customer_spend");
      String name = name(nameNode, path + ".name", false);
      if (name != null && name.length() > MAX_VIEW_NAME_LENGTH) {
        error(
            nameNode,
            path + ".name",
            "view name "
                + quote(name)
                + " is "
                + name.length()
                + " characters; it names a Cassandra table, which allows at most "
                + MAX_VIEW_NAME_LENGTH);
      }
      Node ttlNode =
          f.required(
              "ttl",
              "how long a value stays valid without new events, e.g. ttl: 30d (at least the"
                  + " longest window)");
      Duration ttl = duration(ttlNode, path + ".ttl", true);
      Duration tile = duration(f.get("tile"), path + ".tile", true);
      boolean tileBroken = f.get("tile") != null && tile == null;

      List<Feature> features = new ArrayList<>();
      Node featuresNode =
          f.required("features", "a list of features, e.g. - {name: ..., agg: ...}");
      boolean complete = true;
      if (featuresNode != null) {
        SequenceNode seq =
            sequence(
                featuresNode,
                path + ".features",
                "features is a list; start each feature with - name: or write - {name: ...}");
        if (seq == null) {
          complete = false;
        } else if (seq.getValue().isEmpty()) {
          error(
              featuresNode,
              path + ".features",
              "declare at least one feature, e.g. - {name: event_count_1h, agg: count, window:"
                  + " 1h}");
          complete = false;
        } else {
          Map<String, Node> seen = new HashMap<>();
          for (int i = 0; i < seq.getValue().size(); i++) {
            String fp = path + ".features[" + i + "]";
            Feature ft = feature(seq.getValue().get(i), fp, source, tile, tileBroken);
            features.add(ft);
            if (ft.name != null) {
              Node first = seen.putIfAbsent(ft.name, ft.nameNode);
              if (first != null) {
                error(
                    ft.nameNode,
                    fp + ".name",
                    "duplicate feature name "
                        + quote(ft.name)
                        + " (first declared on line "
                        + line(first)
                        + "); feature names must be unique in a view");
              }
            }
            complete &= ft.def != null;
          }
        }
      } else {
        complete = false;
      }

      if (ttl != null) {
        Feature longest = null;
        for (Feature ft : features) {
          if (ft.window != null
              && ft.window.compareTo(ttl) > 0
              && (longest == null || ft.window.compareTo(longest.window) > 0)) {
            longest = ft;
          }
        }
        if (longest != null) {
          error(
              ttlNode,
              path + ".ttl",
              "ttl "
                  + Durations.format(ttl)
                  + " is shorter than the longest window of this view ("
                  + (longest.name == null ? "" : longest.name + ": ")
                  + Durations.format(longest.window)
                  + "); the engine drops an entity's state after ttl of silence, so ttl must cover"
                  + " every window: set ttl: "
                  + Durations.format(longest.window)
                  + " or more");
        }
      }

      List<Expectation> expectations =
          expectations(f.get("expectations"), path + ".expectations", source);

      if (!complete || name == null || ttl == null || tileBroken || expectations == null) {
        return new View(name, nameNode, null);
      }
      List<FeatureDef> defs = features.stream().map(Feature::def).collect(Collectors.toList());
      return new View(name, nameNode, new ViewSpec(name, ttl, tile, defs, expectations));
    }

    // ---------------------------------------------------------------- features

    private record Feature(String name, Node nameNode, Duration window, FeatureDef def) {}

    private Feature feature(
        Node node, String path, Source source, Duration viewTile, boolean viewTileBroken) {
      Fields f =
          fields(
              node,
              path,
              FEATURE_KEYS,
              "a feature is a mapping such as {name: amount_sum_1h, agg: sum, field: amount,"
                  + " window: 1h}");
      if (f == null) {
        return new Feature(null, null, null, null);
      }
      boolean ok = true;
      Node nameNode = f.required("name", "e.g. name: amount_sum_24h");
      String name = name(nameNode, path + ".name", true);
      ok &= name != null;

      Node aggNode = f.required("agg", "one of " + aggNames());
      Aggregation agg = null;
      String aggText = string(aggNode, path + ".agg");
      if (aggText != null) {
        agg = Aggregation.fromSpecName(aggText).orElse(null);
        if (agg == null) {
          error(
              aggNode,
              path + ".agg",
              "unknown aggregation "
                  + quote(aggText)
                  + didYouMean(aggText.toLowerCase(Locale.ROOT), aggNamesList(), AGG_ALIASES)
                  + "; the aggregations are: "
                  + aggNames());
        }
      }
      ok &= agg != null;

      // field and its type
      Node fieldNode = f.get("field");
      ValueType inputType = null;
      if (agg != null && !agg.needsField()) {
        if (fieldNode != null) {
          error(
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
                + (source != null && source.schema != null
                    ? "; one of " + fieldNames(source.schema)
                    : ""));
        ok = false;
      }
      String fieldName = fieldNode == null ? null : string(fieldNode, path + ".field");
      ok &= fieldNode == null || fieldName != null;
      if (fieldName != null && agg != null && agg.needsField()) {
        if (source == null || source.schema == null) {
          ok = false; // already reported at the source
        } else {
          inputType = inputType(fieldNode, path + ".field", fieldName, agg, source);
          ok &= inputType != null;
        }
      }

      // window and tile
      Node windowNode = f.get("window");
      Duration window = duration(windowNode, path + ".window", true);
      ok &= windowNode == null || window != null;
      Duration tile = null;
      if (window != null) {
        if (viewTile != null) {
          tile = viewTile;
          if (tile.compareTo(window) > 0) {
            error(
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
            error(windowNode, path + ".window", notMultiple(window, tile, "the view's tile"));
            ok = false;
          }
        } else if (!viewTileBroken) {
          tile = Tiles.defaultTile(window);
          if (window.toMillis() % tile.toMillis() != 0) {
            error(windowNode, path + ".window", notMultiple(window, tile, "its default tile"));
            ok = false;
          }
        }
      }

      // q
      Node qNode = f.get("q");
      Double q = null;
      if (agg == Aggregation.APPROX_PERCENTILE) {
        Node n = f.required("q", "the quantile in (0, 1), e.g. q: 0.95 for the 95th percentile");
        q = number(n, path + ".q");
        if (q != null && !(q > 0 && q < 1)) {
          error(
              n,
              path + ".q",
              "q must be strictly between 0 and 1, e.g. 0.5 for the median or 0.95 for p95; got "
                  + scalarText(n)
                  + (q > 1 && q < 100
                      ? " (for the " + scalarText(n) + "th percentile write q: " + q / 100 + ")"
                      : ""));
          q = null;
        }
        ok &= q != null;
      } else if (qNode != null && agg != null) {
        error(
            f.keyNode("q"),
            path + ".q",
            "q is only for agg: approx_percentile; remove it from this " + agg.specName());
        ok = false;
      }

      // half_life
      Node hlNode = f.get("half_life");
      Duration halfLife = null;
      if (agg == Aggregation.DECAYED_SUM) {
        Node n = f.required("half_life", "e.g. half_life: 1h (each event's weight halves then)");
        halfLife = duration(n, path + ".half_life", true);
        ok &= halfLife != null;
      } else if (hlNode != null && agg != null) {
        error(
            f.keyNode("half_life"),
            path + ".half_life",
            "half_life is only for agg: decayed_sum; remove it from this " + agg.specName());
        ok = false;
      }

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
                q,
                halfLife);
      }
      return new Feature(name, nameNode, window, def);
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

    private ValueType inputType(
        Node fieldNode, String path, String fieldName, Aggregation agg, Source source) {
      Schema.Field field = schemaField(fieldNode, path, fieldName, source.schema, source.schemaRef);
      if (field == null) {
        return null;
      }
      Optional<ValueType> type = valueType(field.schema());
      if (type.isEmpty()) {
        error(
            fieldNode,
            path,
            "field "
                + quote(fieldName)
                + " is "
                + describe(field.schema())
                + ", which features cannot read; use a field of type int, long, float, double,"
                + " string, enum or boolean (or a nullable union of one)");
        return null;
      }
      ValueType t = type.get();
      if ((agg.needsNumericField() || agg.needsOrderedField()) && !t.isNumeric()) {
        error(
            fieldNode,
            path,
            agg.specName()
                + " needs a numeric field (int, long, float, double or a timestamp), but "
                + quote(fieldName)
                + " is "
                + describe(field.schema())
                + "; pick a numeric field"
                + numericFieldsHint(source.schema)
                + ", or use first, last or approx_count_distinct, which take any type");
        return null;
      }
      return t;
    }

    // ---------------------------------------------------------------- expectations

    private List<Expectation> expectations(Node node, String path, Source source) {
      if (node == null) {
        return List.of();
      }
      if (!(node instanceof MappingNode map)) {
        error(
            node,
            path,
            "expectations is a mapping from source field to checks, e.g. amount: {min: 0,"
                + " max_null_rate: 0.02}");
        return null;
      }
      List<Expectation> out = new ArrayList<>();
      boolean ok = true;
      Map<String, Node> seen = new HashMap<>();
      for (NodeTuple t : map.getValue()) {
        String fieldName = keyName(t.getKeyNode(), path);
        if (fieldName == null) {
          ok = false;
          continue;
        }
        String fp = path + "." + fieldName;
        Node first = seen.putIfAbsent(fieldName, t.getKeyNode());
        if (first != null) {
          error(
              t.getKeyNode(),
              fp,
              "duplicate expectations for "
                  + quote(fieldName)
                  + " (first on line "
                  + line(first)
                  + "); merge them into one mapping");
          ok = false;
          continue;
        }
        Schema.Field field = null;
        if (source != null && source.schema != null) {
          field = schemaField(t.getKeyNode(), fp, fieldName, source.schema, source.schemaRef);
          ok &= field != null;
        } else {
          ok = false;
        }
        Fields f =
            fields(
                t.getValueNode(),
                fp,
                EXPECTATION_KEYS,
                "an expectation is a mapping such as {min: 0, max: 100000, max_null_rate: 0.02}");
        if (f == null) {
          ok = false;
          continue;
        }
        Double min = number(f.get("min"), fp + ".min");
        Double max = number(f.get("max"), fp + ".max");
        Double nullRate = number(f.get("max_null_rate"), fp + ".max_null_rate");
        ok &= (f.get("min") == null || min != null) && (f.get("max") == null || max != null);
        ok &= f.get("max_null_rate") == null || nullRate != null;
        if (min != null && max != null && min > max) {
          error(
              f.get("min"),
              fp + ".min",
              "min "
                  + scalarText(f.get("min"))
                  + " is greater than max "
                  + scalarText(f.get("max"))
                  + "; swap them or fix one");
          ok = false;
        }
        if (nullRate != null && !(nullRate >= 0 && nullRate <= 1)) {
          error(
              f.get("max_null_rate"),
              fp + ".max_null_rate",
              "max_null_rate is a fraction in [0, 1], e.g. 0.02 for 2%; got "
                  + scalarText(f.get("max_null_rate")));
          ok = false;
        }
        if (field != null && (f.get("min") != null || f.get("max") != null)) {
          Optional<ValueType> vt = valueType(field.schema());
          if (vt.isEmpty() || !vt.get().isNumeric()) {
            Node at = f.get("min") != null ? f.get("min") : f.get("max");
            error(
                at,
                fp + (f.get("min") != null ? ".min" : ".max"),
                "min and max apply to numeric fields, but "
                    + quote(fieldName)
                    + " is "
                    + describe(field.schema())
                    + "; keep only max_null_rate for it");
            ok = false;
          }
        }
        out.add(new Expectation(fieldName, min, max, nullRate));
      }
      return ok ? out : null;
    }

    // ---------------------------------------------------------------- schema fields

    private Schema.Field schemaField(
        Node at, String path, String name, Schema schema, String schemaRef) {
      Schema.Field field = schema.getField(name);
      if (field == null) {
        List<String> names = schema.getFields().stream().map(Schema.Field::name).toList();
        error(
            at,
            path,
            "no field "
                + quote(name)
                + " in schema "
                + schema.getName()
                + " ("
                + schemaRef
                + ")"
                + didYouMean(name, names, Map.of())
                + "; its fields are: "
                + String.join(", ", names));
      }
      return field;
    }

    // ---------------------------------------------------------------- scalar helpers

    /** A mapping's entries, checked against the keys it may have. */
    private final class Fields {
      final MappingNode node;
      final String path;
      final Map<String, NodeTuple> entries = new LinkedHashMap<>();

      /** Keys suggested for unknown keys: the unknown-key error already says they are missing. */
      final Set<String> suggested = new HashSet<>();

      Fields(MappingNode node, String path, List<String> allowed) {
        this.node = node;
        this.path = path;
        for (NodeTuple t : node.getValue()) {
          String key = keyName(t.getKeyNode(), path);
          if (key == null) {
            continue;
          }
          String kp = join(path, key);
          NodeTuple first = entries.get(key);
          if (first != null) {
            error(
                t.getKeyNode(),
                kp,
                "duplicate key "
                    + key
                    + " (first on line "
                    + line(first.getKeyNode())
                    + "); keep one");
          } else if (!allowed.contains(key)) {
            suggestion(key, allowed, KEY_ALIASES).ifPresent(suggested::add);
            error(
                t.getKeyNode(),
                kp,
                "unknown key "
                    + quote(key)
                    + didYouMean(key, allowed, KEY_ALIASES)
                    + "; allowed here: "
                    + String.join(", ", allowed));
          } else {
            entries.put(key, t);
          }
        }
      }

      Node get(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? null : t.getValueNode();
      }

      Node keyNode(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? null : t.getKeyNode();
      }

      /** The value of a required key, or null after reporting it missing. */
      Node required(String key, String hint) {
        Node v = get(key);
        if (v == null && !suggested.contains(key)) {
          error(node, join(path, key), "missing required key " + key + "; " + hint);
        }
        return v;
      }
    }

    private Fields fields(Node node, String path, List<String> allowed, String shape) {
      if (node instanceof MappingNode map) {
        return new Fields(map, path, allowed);
      }
      error(node, path, shape + ", but found " + describeNode(node));
      return null;
    }

    private SequenceNode sequence(Node node, String path, String shape) {
      if (node instanceof SequenceNode seq) {
        return seq;
      }
      if (isNull(node)) {
        error(node, path, "has no value; " + shape);
      } else {
        error(node, path, shape + ", but found " + describeNode(node));
      }
      return null;
    }

    private String keyName(Node key, String path) {
      if (key instanceof ScalarNode s && !isNull(s)) {
        return s.getValue();
      }
      error(key, path, "keys must be plain names, but found " + describeNode(key));
      return null;
    }

    /** The text of a scalar, or null after reporting why there is none. */
    private String string(Node node, String path) {
      if (node == null) {
        return null;
      }
      if (!(node instanceof ScalarNode s)) {
        error(node, path, "must be a single value, but found " + describeNode(node));
        return null;
      }
      if (isNull(s) || s.getValue().isBlank()) {
        error(node, path, "has no value; write one after the colon");
        return null;
      }
      return s.getValue().trim();
    }

    private String name(Node node, String path, boolean column) {
      String name = string(node, path);
      if (name == null) {
        return null;
      }
      if (!NAME.matcher(name).matches()) {
        error(
            node,
            path,
            quote(name)
                + " is not a valid name; names become Cassandra and Iceberg table and column"
                + " names, so use lowercase letters, digits and _, starting with a letter (e.g. "
                + quote(suggestName(name))
                + ")");
        return null;
      }
      if (column && RESERVED_COLUMNS.contains(name)) {
        error(
            node,
            path,
            quote(name)
                + " is a column Freshet uses itself ("
                + String.join(", ", RESERVED_COLUMNS.stream().sorted().toList())
                + "); choose another name, e.g. "
                + quote(name + "_value"));
        return null;
      }
      return name;
    }

    private Duration duration(Node node, String path, boolean positive) {
      String text = string(node, path);
      if (text == null) {
        return null;
      }
      Optional<Duration> d = Durations.tryParse(text);
      if (d.isEmpty()) {
        String hint = "";
        if (text.matches("\\d+")) {
          hint = " (a unit is required)";
        } else if (text.matches("\\d*\\.\\d+\\s*(ms|s|m|h|d)")) {
          hint = " (whole numbers only: write 1.5h as 90m)";
        } else if (text.matches("-.*")) {
          hint = " (durations cannot be negative)";
        } else if (text.matches("(?i)\\d+\\s*[a-z]+")) {
          hint = " (the units are ms, s, m, h and d)";
        }
        error(
            node,
            path,
            quote(text) + " is not a duration" + hint + "; write e.g. 30s, 10m, 1h, 7d");
        return null;
      }
      if (positive && d.get().isZero()) {
        error(node, path, "must be positive; write e.g. 30s, 10m, 1h, 7d");
        return null;
      }
      return d.get();
    }

    private Duration durationOr(
        Fields f, String key, String path, boolean positive, Duration dflt) {
      Node n = f.get(key);
      return n == null ? dflt : duration(n, path, positive);
    }

    private Double number(Node node, String path) {
      String text = string(node, path);
      if (text == null) {
        return null;
      }
      String t = text;
      Tag tag = node.getTag();
      if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
        t = t.replace("_", "");
      }
      try {
        double v = Double.parseDouble(t);
        if (Double.isFinite(v)) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      error(node, path, quote(text) + " is not a number; write e.g. 0, 0.95 or 100000");
      return null;
    }

    private void error(Node at, String path, String message) {
      Mark m = at == null ? null : at.getStartMark();
      errors.add(
          new SpecError(
              file,
              m == null ? 1 : m.getLine() + 1,
              m == null ? 1 : m.getColumn() + 1,
              path,
              message));
    }
  }

  // ---------------------------------------------------------------- static helpers

  /**
   * The value type a feature reads from an Avro field: int, long and timestamps are {@code LONG},
   * float and double {@code DOUBLE}, string and enum {@code STRING}, boolean {@code BOOLEAN}; a
   * nullable union of one of these has that type. Anything else cannot be read.
   */
  public static Optional<ValueType> valueType(Schema fieldSchema) {
    Schema t = unwrapNullable(fieldSchema);
    if (t == null) {
      return Optional.empty();
    }
    return switch (t.getType()) {
      case INT, LONG -> Optional.of(ValueType.LONG);
      case FLOAT, DOUBLE -> Optional.of(ValueType.DOUBLE);
      case STRING, ENUM -> Optional.of(ValueType.STRING);
      case BOOLEAN -> Optional.of(ValueType.BOOLEAN);
      default -> Optional.empty();
    };
  }

  /** The non-null branch of a {@code ["null", X]} union, the schema itself if not a union. */
  static Schema unwrapNullable(Schema s) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    List<Schema> types = s.getTypes();
    if (types.size() != 2) {
      return null;
    }
    if (types.get(0).getType() == Schema.Type.NULL) {
      return types.get(1).getType() == Schema.Type.UNION ? null : types.get(1);
    }
    if (types.get(1).getType() == Schema.Type.NULL) {
      return types.get(0);
    }
    return null;
  }

  /** A short description of an Avro type for messages, e.g. "a nullable double". */
  static String describe(Schema s) {
    Schema inner = unwrapNullable(s);
    if (s.getType() == Schema.Type.UNION) {
      if (inner != null) {
        return "a nullable " + typeName(inner);
      }
      return "a union of "
          + s.getTypes().stream().map(SpecParser::typeName).collect(Collectors.joining(", "));
    }
    String name = typeName(s);
    return (name.matches("^[aeiou].*") ? "an " : "a ") + name;
  }

  private static String typeName(Schema s) {
    LogicalType lt = s.getLogicalType();
    String base = s.getType().getName();
    return lt == null ? base : base + " (" + lt.getName() + ")";
  }

  private static String fieldNames(Schema schema) {
    return schema.getFields().stream().map(Schema.Field::name).collect(Collectors.joining(", "));
  }

  private static String numericFieldsHint(Schema schema) {
    List<String> numeric =
        schema.getFields().stream()
            .filter(f -> valueType(f.schema()).map(ValueType::isNumeric).orElse(false))
            .map(Schema.Field::name)
            .toList();
    return numeric.isEmpty() ? "" : " (" + String.join(", ", numeric) + ")";
  }

  private static List<String> aggNamesList() {
    return Arrays.stream(Aggregation.values()).map(Aggregation::specName).toList();
  }

  private static String aggNames() {
    return String.join(", ", aggNamesList());
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }

  private static String describeNode(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (isNull(node)) {
      return "nothing";
    }
    return node instanceof ScalarNode s ? "the value " + quote(s.getValue()) : "something else";
  }

  private static String scalarText(Node node) {
    return node instanceof ScalarNode s ? s.getValue() : "?";
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  private static String suggestName(String name) {
    String s =
        name.trim()
            .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9_]+", "_")
            .replaceAll("^[^a-z]+", "");
    return s.isEmpty() ? "my_feature" : s;
  }

  /** A " (did you mean x?)" hint, or empty. */
  static String didYouMean(String given, List<String> candidates, Map<String, String> aliases) {
    return suggestion(given, candidates, aliases).map(c -> " (did you mean " + c + "?)").orElse("");
  }

  /**
   * The candidate the user probably meant: a known alias, a near spelling, or a containing name.
   */
  static Optional<String> suggestion(
      String given, List<String> candidates, Map<String, String> aliases) {
    String g = given.toLowerCase(Locale.ROOT);
    String alias = aliases.get(g);
    if (alias != null && candidates.contains(alias)) {
      return Optional.of(alias);
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = levenshtein(g, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    if (best != null && bestDistance <= Math.max(1, Math.min(3, g.length() / 3))) {
      return Optional.of(best);
    }
    if (g.length() >= 4) {
      for (String c : candidates) {
        if (c.contains(g) || (g.contains(c) && c.length() >= 4)) {
          return Optional.of(c);
        }
      }
    }
    return Optional.empty();
  }

  private static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] tmp = prev;
      prev = cur;
      cur = tmp;
    }
    return prev[b.length()];
  }
}
