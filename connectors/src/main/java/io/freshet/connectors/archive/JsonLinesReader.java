package io.freshet.connectors.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.freshet.avro.Decoded;
import io.freshet.connectors.kafka.EventDecoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A file of JSON lines: one JSON object per line, its keys the spec schema's field names, read into
 * the fields the spec uses (the entity, the event time and the aggregated fields; other keys are
 * ignored). Numbers go to numeric fields, text to strings and enums, true/false to booleans; a
 * timestamp-millis field also takes an ISO-8601 instant. A missing key or a null takes the field's
 * default, or null where the field is nullable. Blank lines are skipped.
 *
 * <p>A line that is not a JSON object is a {@code NOT_JSON} dead letter, a value of the wrong type
 * a {@code SCHEMA_MISMATCH} one; both name the file and the line (the offset is the line number)
 * and keep the line. Then the rules of a Kafka value apply ({@link EventDecoder#check}).
 */
final class JsonLinesReader implements ArchiveReader {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final String file;
  private final Schema schema;
  private final List<Schema.Field> used;
  private final EventDecoder decoder;
  private final BufferedReader in;
  private long line;

  JsonLinesReader(
      String file, InputStream stream, Schema schema, List<String> used, EventDecoder decoder) {
    this.file = file;
    this.schema = schema;
    this.used = used.stream().distinct().map(schema::getField).toList();
    this.decoder = decoder;
    this.in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
  }

  @Override
  public Decoded next() throws IOException {
    String text;
    do {
      text = in.readLine();
      line++;
      if (text == null) {
        return null;
      }
    } while (text.isBlank());
    byte[] raw = text.getBytes(StandardCharsets.UTF_8);
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return decoder.dead(
          file, line, raw, "NOT_JSON", "line " + line + " is not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      return decoder.dead(file, line, raw, "NOT_JSON", "line " + line + " is not a JSON object");
    }
    GenericRecord r = new GenericData.Record(schema);
    for (Schema.Field f : used) {
      JsonNode v = node.get(f.name());
      try {
        r.put(f.pos(), value(f, v));
      } catch (IllegalArgumentException e) {
        return decoder.dead(
            file,
            line,
            raw,
            "SCHEMA_MISMATCH",
            "line " + line + ", field '" + f.name() + "': " + e.getMessage());
      }
    }
    Decoded d = decoder.check(r, file, line, raw);
    return d;
  }

  private static Object value(Schema.Field f, JsonNode v) {
    boolean nullable = nullable(f.schema());
    if (v == null || v.isNull()) {
      if (f.hasDefaultValue()) {
        return GenericData.get().getDefaultValue(f);
      }
      if (nullable) {
        return null;
      }
      throw new IllegalArgumentException(
          (v == null ? "missing" : "null")
              + " but the schema's field is neither nullable nor has"
              + " a default");
    }
    Schema t = nonNull(f.schema());
    return switch (t.getType()) {
      case LONG -> longValue(t, v);
      case INT -> {
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
          throw mismatch("an int", v);
        }
        yield v.intValue();
      }
      case DOUBLE, FLOAT -> {
        if (!v.isNumber()) {
          throw mismatch("a number", v);
        }
        yield t.getType() == Schema.Type.FLOAT ? (Object) v.floatValue() : v.doubleValue();
      }
      case STRING -> {
        if (!v.isTextual()) {
          throw mismatch("a string", v);
        }
        yield v.textValue();
      }
      case ENUM -> {
        if (!v.isTextual() || !t.hasEnumSymbol(v.textValue())) {
          throw mismatch("one of " + t.getEnumSymbols(), v);
        }
        yield v.textValue();
      }
      case BOOLEAN -> {
        if (!v.isBoolean()) {
          throw mismatch("true or false", v);
        }
        yield v.booleanValue();
      }
      default ->
          throw new IllegalArgumentException(
              "a field of Avro type " + t.getType().getName() + " is not read from JSON lines");
    };
  }

  private static Object longValue(Schema t, JsonNode v) {
    LogicalType lt = t.getLogicalType();
    if (v.isTextual() && lt != null && "timestamp-millis".equals(lt.getName())) {
      try {
        return Instant.parse(v.textValue()).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw mismatch("epoch milliseconds or an ISO-8601 instant", v);
      }
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw mismatch(lt != null ? "epoch milliseconds or an ISO-8601 instant" : "a long", v);
    }
    return v.longValue();
  }

  private static IllegalArgumentException mismatch(String expected, JsonNode v) {
    String shown = v.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 77) + "...";
    }
    return new IllegalArgumentException("expected " + expected + ", found " + shown);
  }

  private static boolean nullable(Schema s) {
    return s.getType() == Schema.Type.NULL
        || (s.getType() == Schema.Type.UNION
            && s.getTypes().stream().anyMatch(b -> b.getType() == Schema.Type.NULL));
  }

  private static Schema nonNull(Schema s) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    return s.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).findFirst().orElse(s);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
