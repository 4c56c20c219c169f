package io.freshet.connectors.kafka;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.spec.SourceSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Decodes a Kafka record's value (Avro binary, the source's schema) into an {@link EventRow}, or
 * explains in a {@link DeadLetter} why it cannot be used. Never throws on bad data.
 *
 * <p>Reasons: {@code EMPTY} (no value), {@code NOT_AVRO} (does not decode with the schema, or bytes
 * left over: a record of another schema), {@code NULL_KEY} (entity null or empty), {@code
 * BAD_EVENT_TIME} (missing, or outside 2000-01-01..2100-01-01), {@code NOT_A_NUMBER} (NaN or
 * infinite value in an aggregated field).
 */
public final class EventDecoder {
  /** Event times outside [2000-01-01, 2100-01-01) are treated as corrupt. */
  public static final long MIN_EVENT_TIME = 946_684_800_000L;

  public static final long MAX_EVENT_TIME = 4_102_444_800_000L;

  private final SourceSpec source;
  private final List<String> fields;
  private final int[] fieldPos;
  private final int entityPos;
  private final int timePos;
  private final GenericDatumReader<GenericRecord> reader;
  private BinaryDecoder decoder;

  public EventDecoder(SourceSpec source, List<String> fields) {
    this.source = source;
    Schema schema = source.schema();
    this.fields = List.copyOf(fields);
    this.fieldPos = new int[fields.size()];
    for (int i = 0; i < fieldPos.length; i++) {
      fieldPos[i] = schema.getField(fields.get(i)).pos();
    }
    this.entityPos = schema.getField(source.entityField()).pos();
    this.timePos = schema.getField(source.eventTimeField()).pos();
    // Plain generic data: no logical-type conversions, timestamps stay epoch millis.
    this.reader = new GenericDatumReader<>(schema, schema, new GenericData());
  }

  public Decoded decode(
      byte[] key, byte[] value, String topic, int partition, long offset, long kafkaTimestamp) {
    Raw raw = new Raw(key, value, topic, partition, offset, kafkaTimestamp);
    if (value == null || value.length == 0) {
      return dead(raw, "EMPTY", "the record has no value");
    }
    GenericRecord r;
    try {
      decoder = DecoderFactory.get().binaryDecoder(value, decoder);
      r = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        return dead(
            raw,
            "NOT_AVRO",
            "bytes left after decoding a "
                + source.schema().getFullName()
                + ": the record was written with another schema");
      }
    } catch (IOException | RuntimeException e) {
      return dead(raw, "NOT_AVRO", "not an Avro " + source.schema().getFullName() + ": " + e);
    }
    return check(r, raw);
  }

  /**
   * Checks a record read from an archive file with the rules a Kafka value meets (entity, event
   * time, numbers). Its dead letter names the file as the topic and the record's index in the file
   * as the offset (partition -1).
   *
   * @param value the record as it was in the file (kept in a dead letter), or null
   */
  public Decoded check(GenericRecord r, String file, long index, byte[] value) {
    return check(r, new Raw(null, value, file, -1, index, -1L));
  }

  /** A dead letter for a record of an archive file that could not be read as an event. */
  public Decoded dead(String file, long index, byte[] value, String code, String reason) {
    return dead(new Raw(null, value, file, -1, index, -1L), code, reason);
  }

  private Decoded check(GenericRecord r, Raw raw) {
    Object entity = r.get(entityPos);
    String entityText = entity == null ? null : entity.toString();
    if (entityText == null || entityText.isEmpty()) {
      return dead(
          raw,
          "NULL_KEY",
          "entity field '" + source.entityField() + "' is " + (entity == null ? "null" : "empty"));
    }
    Object time = r.get(timePos);
    if (!(time instanceof Number n)) {
      return dead(
          raw, "BAD_EVENT_TIME", "event time field '" + source.eventTimeField() + "' is missing");
    }
    long ts = n.longValue();
    if (ts < MIN_EVENT_TIME || ts >= MAX_EVENT_TIME) {
      return dead(
          raw,
          "BAD_EVENT_TIME",
          "event time "
              + ts
              + " of field '"
              + source.eventTimeField()
              + "' is not epoch milliseconds between 2000 and 2100");
    }
    List<Object> values = new ArrayList<>(fieldPos.length);
    for (int i = 0; i < fieldPos.length; i++) {
      Object v = normalize(r.get(fieldPos[i]));
      if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
        return dead(raw, "NOT_A_NUMBER", "field '" + fields.get(i) + "' is " + d);
      }
      values.add(v);
    }
    return new Decoded(new EventRow(entityText, ts, values), null, raw.partition(), raw.offset());
  }

  /** Maps Avro runtime values to Freshet's value types: Long, Double, String, Boolean. */
  static Object normalize(Object v) {
    if (v == null || v instanceof Long || v instanceof Double || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof Utf8 || v instanceof CharSequence || v instanceof GenericData.EnumSymbol) {
      return v.toString();
    }
    return v.toString();
  }

  /** Where a record came from, kept whole in its dead letter. */
  private record Raw(
      byte[] key, byte[] value, String topic, int partition, long offset, long kafkaTimestamp) {}

  private Decoded dead(Raw raw, String code, String reason) {
    return new Decoded(
        null,
        new DeadLetter(
            source.name(),
            raw.topic(),
            raw.partition(),
            raw.offset(),
            raw.kafkaTimestamp(),
            raw.key() == null ? null : ByteBuffer.wrap(raw.key()),
            raw.value() == null ? null : ByteBuffer.wrap(raw.value()),
            code,
            reason,
            System.currentTimeMillis()),
        raw.partition(),
        raw.offset());
  }
}
