package io.freshet.spec;

import static io.freshet.spec.YamlWalker.quote;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The rules of a spec's {@code source:}: a legal Kafka topic, an Avro record schema that can be
 * found and read, an entity key field of type string or long, and an event time field of epoch
 * milliseconds.
 */
final class SourceRules {

  /** Kafka's legal topic characters. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  private static final List<String> SOURCE_KEYS =
      List.of(
          "name",
          "topic",
          "schema",
          "entity",
          "event_time",
          "max_out_of_orderness",
          "allowed_lateness",
          "idle_timeout",
          "archive",
          "freshness");

  private static final List<String> FRESHNESS_KEYS = List.of("max_silence", "max_watermark_lag");

  private static final List<String> ARCHIVE_KEYS = List.of("path", "until", "format");

  /** A URI scheme before "://" (s3, hdfs, file, ...), as opposed to a local path. */
  private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://.*");

  /**
   * What was read of the source, even when it has errors.
   *
   * @param spec the source, or null if it has errors
   * @param schema its schema, or null if that could not be read (the views then skip field checks)
   */
  record Source(SourceSpec spec, SourceSchema schema) {}

  private final YamlWalker in;
  private final String shippedSchema;

  /**
   * @param shippedSchema the schema's text when it came with the spec ({@link SpecBundle}), or null
   *     to look up what {@code schema:} names
   */
  SourceRules(YamlWalker in, String shippedSchema) {
    this.in = in;
    this.shippedSchema = shippedSchema;
  }

  /** The source, or null if the node is missing (already reported) or not a mapping. */
  Source source(Node node) {
    if (node == null) {
      return null;
    }
    YamlWalker.Fields f =
        in.fields(
            node,
            "source",
            SOURCE_KEYS,
            "source is a mapping with name, topic, schema, entity and event_time");
    if (f == null) {
      return null;
    }
    String name = in.name(f.required("name", "e.g. name: payments"), "source.name", false);
    String topic = in.string(f.required("topic", "the Kafka topic, e.g. topic: payments"), "topic");
    if (topic != null && !TOPIC.matcher(topic).matches()) {
      in.error(
          f.get("topic"),
          "source.topic",
          quote(topic)
              + " is not a legal Kafka topic name; use up to 249 letters, digits, '.', '_' and"
              + " '-'");
    }
    Node schemaNode = f.required("schema", "the Avro schema of the topic, e.g. payment.avsc");
    String schemaRef = in.string(schemaNode, "source.schema");
    Schema schema = schemaRef == null ? null : schema(schemaNode, schemaRef);
    SourceSchema fields = schema == null ? null : new SourceSchema(schema, schemaRef);

    Node entityNode = f.required("entity", "the key field, e.g. entity: customer_id");
    String entity = in.string(entityNode, "source.entity");
    if (entity != null && fields != null) {
      checkEntity(entityNode, entity, fields);
    }
    Node timeNode = f.required("event_time", "the event time field, e.g. event_time: event_time");
    String eventTime = in.string(timeNode, "source.event_time");
    if (eventTime != null && fields != null) {
      checkEventTime(timeNode, eventTime, fields);
    }
    Duration outOfOrder = f.durationOr("max_out_of_orderness", false, Duration.ZERO);
    Duration lateness = f.durationOr("allowed_lateness", false, Duration.ZERO);
    Duration idle = f.durationOr("idle_timeout", true, DEFAULT_IDLE_TIMEOUT);
    Node archiveNode = f.get("archive");
    ArchiveSpec archive = archiveNode == null ? null : archive(archiveNode);
    Node freshnessNode = f.get("freshness");
    Freshness freshness = freshnessNode == null ? null : freshness(freshnessNode);

    SourceSpec spec = null;
    if (name != null
        && topic != null
        && schema != null
        && entity != null
        && eventTime != null
        && outOfOrder != null
        && lateness != null
        && idle != null
        && (archiveNode == null || archive != null)
        && (freshnessNode == null || freshness != null)) {
      spec =
          new SourceSpec(
              name,
              topic,
              schemaRef,
              schema,
              entity,
              eventTime,
              outOfOrder,
              lateness,
              idle,
              archive,
              freshness);
    }
    return new Source(spec, fields);
  }

  /** {@code freshness:} max_silence and/or max_watermark_lag, or null after reporting. */
  private Freshness freshness(Node node) {
    YamlWalker.Fields f =
        in.fields(
            node,
            "source.freshness",
            FRESHNESS_KEYS,
            "freshness is a mapping such as {max_silence: 5m, max_watermark_lag: 2m}");
    if (f == null) {
      return null;
    }
    Duration silence = f.durationOr("max_silence", true, null);
    Duration lag = f.durationOr("max_watermark_lag", true, null);
    boolean ok =
        (f.get("max_silence") == null || silence != null)
            && (f.get("max_watermark_lag") == null || lag != null);
    if (ok && silence == null && lag == null) {
      in.error(
          node,
          "source.freshness",
          "freshness names no bound; give max_silence (e.g. 5m), max_watermark_lag, or both");
      return null;
    }
    return ok ? new Freshness(silence, lag) : null;
  }

  /**
   * {@code archive:}: a path (or a list of them; relative to the spec file), the handover instant
   * and optionally the format. Local paths must exist; URIs of other file systems are checked when
   * the job lists them.
   */
  private ArchiveSpec archive(Node node) {
    YamlWalker.Fields f =
        in.fields(
            node,
            "source.archive",
            ARCHIVE_KEYS,
            "archive is a mapping with path and until (and optionally format)");
    if (f == null) {
      return null;
    }
    boolean ok = true;
    List<String> paths = new java.util.ArrayList<>();
    Node pathNode = f.required("path", "a file or directory of past events, e.g. path: archive/");
    if (pathNode instanceof org.yaml.snakeyaml.nodes.SequenceNode seq) {
      for (Node p : seq.getValue()) {
        ok &= archivePath(p, paths);
      }
      if (seq.getValue().isEmpty()) {
        in.error(pathNode, "source.archive.path", "lists no path; name at least one");
        ok = false;
      }
    } else if (pathNode != null) {
      ok &= archivePath(pathNode, paths);
    } else {
      ok = false;
    }
    java.time.Instant until = null;
    Node untilNode = f.required("until", "the handover instant, e.g. until: 2026-11-01T00:00:00Z");
    String untilText = untilNode == null ? null : in.string(untilNode, "source.archive.until");
    if (untilText != null) {
      until = instant(untilText);
      if (until == null) {
        in.error(
            untilNode,
            "source.archive.until",
            quote(untilText)
                + " is not an instant; write an ISO-8601 UTC time such as 2026-11-01T00:00:00Z"
                + " (or a date, 2026-11-01, for its midnight UTC)");
      }
    }
    ArchiveSpec.Format format = null;
    Node formatNode = f.get("format");
    if (formatNode != null) {
      String text = in.string(formatNode, "source.archive.format");
      format = text == null ? null : ArchiveSpec.Format.named(text);
      if (text != null && format == null) {
        in.error(
            formatNode,
            "source.archive.format",
            quote(text)
                + " is not an archive format; use avro (Avro container files) or jsonl (JSON"
                + " lines), or leave it out to tell each file's format from its extension");
      }
      ok &= format != null;
    }
    return ok && until != null ? new ArchiveSpec(paths, until, format) : null;
  }

  private boolean archivePath(Node node, List<String> out) {
    String text = in.string(node, "source.archive.path");
    if (text == null || text.isBlank()) {
      if (text != null) {
        in.error(node, "source.archive.path", "is empty; name a file or a directory");
      }
      return false;
    }
    if (SCHEME.matcher(text).matches()) {
      out.add(text);
      return true;
    }
    Path p = Path.of(text);
    if (!p.isAbsolute() && in.file() != null) {
      p = in.file().toAbsolutePath().getParent().resolve(p);
    }
    p = p.toAbsolutePath().normalize();
    if (!java.nio.file.Files.exists(p)) {
      in.error(
          node,
          "source.archive.path",
          "archive path "
              + quote(text)
              + " not found (looked at "
              + p
              + "); a relative path is relative to the spec file");
      return false;
    }
    out.add(p.toUri().toString());
    return true;
  }

  private static java.time.Instant instant(String text) {
    try {
      return java.time.Instant.parse(text.trim());
    } catch (java.time.format.DateTimeParseException notAnInstant) {
      try {
        return java.time.OffsetDateTime.parse(text.trim()).toInstant();
      } catch (java.time.format.DateTimeParseException notAnOffsetTime) {
        try {
          return java.time.LocalDate.parse(text.trim())
              .atStartOfDay(java.time.ZoneOffset.UTC)
              .toInstant();
        } catch (java.time.format.DateTimeParseException notADate) {
          return null;
        }
      }
    }
  }

  private Schema schema(Node node, String ref) {
    Path dir = in.file() == null ? null : in.file().toAbsolutePath().getParent();
    SchemaLocator.Lookup lookup;
    try {
      lookup =
          shippedSchema != null
              ? new SchemaLocator.Lookup(ref + " (shipped with the spec)", shippedSchema, List.of())
              : SchemaLocator.find(ref, dir, Thread.currentThread().getContextClassLoader());
    } catch (IOException e) {
      in.error(node, "source.schema", "cannot read schema " + quote(ref) + ": " + e);
      return null;
    }
    if (!lookup.found()) {
      in.error(
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
      in.error(
          node,
          "source.schema",
          lookup.foundAt()
              + " is not a valid Avro schema: "
              + firstLine(e.getMessage() != null ? e.getMessage() : e.toString()));
      return null;
    }
    if (schema.getType() != Schema.Type.RECORD) {
      in.error(
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

  private void checkEntity(Node node, String entity, SourceSchema fields) {
    Schema.Field field = fields.field(in, node, "source.entity", entity);
    if (field == null) {
      return;
    }
    Schema t = AvroTypes.unwrapNullable(field.schema());
    boolean ok =
        t != null
            && (t.getType() == Schema.Type.STRING
                || (t.getType() == Schema.Type.LONG && t.getLogicalType() == null));
    if (!ok) {
      in.error(
          node,
          "source.entity",
          "entity field "
              + quote(entity)
              + " is "
              + AvroTypes.describe(field.schema())
              + "; the entity key must be a string or a long (a nullable union [\"null\", X] is"
              + " allowed, null keys go to the dead-letter topic)");
    }
  }

  private void checkEventTime(Node node, String eventTime, SourceSchema fields) {
    Schema.Field field = fields.field(in, node, "source.event_time", eventTime);
    if (field == null) {
      return;
    }
    Schema t = field.schema();
    LogicalType lt = t.getLogicalType();
    boolean ok =
        t.getType() == Schema.Type.LONG && (lt == null || "timestamp-millis".equals(lt.getName()));
    if (!ok) {
      String hint =
          t.getType() == Schema.Type.UNION
              ? "; it must not be nullable (an event without a time cannot be placed in a window)"
              : "";
      in.error(
          node,
          "source.event_time",
          "event time field "
              + quote(eventTime)
              + " is "
              + AvroTypes.describe(t)
              + hint
              + "; event_time must be a long with logicalType timestamp-millis, or a plain long"
              + " of epoch milliseconds");
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
