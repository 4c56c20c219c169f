package io.freshet.cli.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Events as plain JSON objects, one per line, read and written against a source's Avro schema.
 *
 * <p>The JSON is what a person writes, not Avro's JSON encoding: {@code {"customer_id": "c1",
 * "amount": 12.5, "country": null, "event_time": "2026-01-01T10:00:00Z"}}. Optional fields (unions
 * with null) may be null or absent; timestamp fields take ISO-8601 text or epoch milliseconds.
 * Unknown fields are an error, so a typo never passes silently.
 */
public final class JsonEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Schema schema;
  private final GenericDatumWriter<GenericRecord> writer;

  public JsonEvents(Schema schema) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("the source schema must be a record, not " + schema);
    }
    this.schema = schema;
    this.writer = new GenericDatumWriter<>(schema);
  }

  /** A line that does not fit the schema; the message names the field and what is wrong. */
  public static final class BadLineException extends Exception {
    private static final long serialVersionUID = 1L;

    BadLineException(String message) {
      super(message);
    }
  }

  /** Parses one JSON line into a record of the schema. */
  public GenericRecord parse(String line) throws BadLineException {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new BadLineException("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new BadLineException("not a JSON object");
    }
    GenericRecord record = new GenericData.Record(schema);
    List<String> problems = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (schema.getField(name) == null) {
        problems.add("unknown field '" + name + "'");
      }
    }
    for (Schema.Field f : schema.getFields()) {
      JsonNode v = node.get(f.name());
      try {
        record.put(f.pos(), value(f.schema(), v, f));
      } catch (BadLineException e) {
        problems.add("field '" + f.name() + "': " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new BadLineException(String.join("; ", problems));
    }
    return record;
  }

  private static Object value(Schema s, JsonNode v, Schema.Field field) throws BadLineException {
    boolean missing = v == null || v.isNull();
    if (s.getType() == Schema.Type.UNION) {
      if (missing) {
        if (s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)) {
          return null;
        }
        throw new BadLineException("missing (required)");
      }
      BadLineException last = null;
      for (Schema t : s.getTypes()) {
        if (t.getType() == Schema.Type.NULL) {
          continue;
        }
        try {
          return value(t, v, field);
        } catch (BadLineException e) {
          last = e;
        }
      }
      throw last != null ? last : new BadLineException("no type of " + s + " fits");
    }
    if (missing) {
      if (field.hasDefaultValue() && v == null && s.getType() != Schema.Type.NULL) {
        return GenericData.get().getDefaultValue(field);
      }
      if (s.getType() == Schema.Type.NULL) {
        return null;
      }
      throw new BadLineException("missing (required)");
    }
    LogicalType lt = s.getLogicalType();
    switch (s.getType()) {
      case STRING:
        if (!v.isTextual()) {
          throw new BadLineException("expected text, got " + v);
        }
        return v.asText();
      case BOOLEAN:
        if (!v.isBoolean()) {
          throw new BadLineException("expected true or false, got " + v);
        }
        return v.booleanValue();
      case INT:
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
          throw new BadLineException("expected an int, got " + v);
        }
        return v.intValue();
      case LONG:
        if (lt instanceof LogicalTypes.TimestampMillis) {
          if (v.isTextual()) {
            try {
              return Instant.parse(v.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
              throw new BadLineException(
                  "expected an ISO-8601 instant such as 2026-01-01T10:00:00Z or epoch"
                      + " milliseconds, got "
                      + v);
            }
          }
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
          throw new BadLineException("expected a whole number, got " + v);
        }
        return v.longValue();
      case DOUBLE:
      case FLOAT:
        if (!v.isNumber()) {
          throw new BadLineException("expected a number, got " + v);
        }
        return s.getType() == Schema.Type.DOUBLE ? v.doubleValue() : v.floatValue();
      case ENUM:
        if (!v.isTextual() || !s.getEnumSymbols().contains(v.asText())) {
          throw new BadLineException("expected one of " + s.getEnumSymbols() + ", got " + v);
        }
        return new GenericData.EnumSymbol(s, v.asText());
      default:
        throw new BadLineException("type " + s.getType() + " is not supported in JSON lines");
    }
  }

  /** The record as Avro binary (what the feature job's source decodes). */
  public byte[] encode(GenericRecord record) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(bytes, null);
      writer.write(record, enc);
      enc.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A record (generic or generated) as one JSON line; timestamp fields as ISO-8601 text, doubles
   * that JSON cannot hold (NaN, infinities) as text.
   */
  public static String toJson(GenericRecord record) {
    ObjectNode o = JSON.createObjectNode();
    for (Schema.Field f : record.getSchema().getFields()) {
      Object v = record.get(f.pos());
      if (v == null) {
        o.putNull(f.name());
      } else if (v instanceof Instant i) {
        o.put(f.name(), i.toString());
      } else if (v instanceof Long l && isTimestamp(f.schema())) {
        o.put(f.name(), Instant.ofEpochMilli(l).toString());
      } else if (v instanceof Double d) {
        o.put(f.name(), d);
      } else if (v instanceof Float d) {
        o.put(f.name(), d);
      } else if (v instanceof Long l) {
        o.put(f.name(), l);
      } else if (v instanceof Integer n) {
        o.put(f.name(), n);
      } else if (v instanceof Boolean b) {
        o.put(f.name(), b);
      } else {
        o.put(f.name(), v.toString());
      }
    }
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isTimestamp(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      return s.getTypes().stream().anyMatch(JsonEvents::isTimestamp);
    }
    return s.getLogicalType() instanceof LogicalTypes.TimestampMillis;
  }
}
