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
 * left over: a record of another schema; or, in a framed {@link Wire.Format}, no frame header),
 * {@code SCHEMA_MISMATCH} (a framed record's writer schema is unknown, or Avro's resolution rules
 * cannot read it as the spec's schema: {@link WriterSchemas}), {@code NULL_KEY} (entity null or
 * empty), {@code BAD_EVENT_TIME} (missing, outside 2000-01-01..2100-01-01, or further ahead of the
 * record's Kafka timestamp than {@link Limits#maxAheadMillis()}), {@code NOT_A_NUMBER} (NaN or
 * infinite value in an aggregated field), {@code OVERSIZED} (the entity or a string the views read
 * longer than {@link Limits#maxStringLength()}).
 *
 * <p>A dead letter keeps the record's key and value as they were, cut to {@link
 * #MAX_DEAD_LETTER_BYTES} each (its reason says so), so that a dead letter always fits in a Kafka
 * record: a dead-letter topic that refused one would fail the job because of data.
 */
public final class EventDecoder {
  /** Event times outside [2000-01-01, 2100-01-01) are treated as corrupt. */
  public static final long MIN_EVENT_TIME = 946_684_800_000L;

  public static final long MAX_EVENT_TIME = 4_102_444_800_000L;

  /** The most of a bad record's key or value a dead letter keeps (256 KiB). */
  public static final int MAX_DEAD_LETTER_BYTES = 256 * 1024;

  /**
   * Bounds on valid input.
   *
   * @param maxStringLength the longest entity or string field value the views read, in chars
   * @param maxAheadMillis how far an event time may be ahead of its Kafka record's timestamp (the
   *     producer's clock, or the broker's with LogAppendTime); 0 turns the check off
   */
  public record Limits(int maxStringLength, long maxAheadMillis) implements java.io.Serializable {
    /** 64 Ki chars; one day ahead. */
    public static final Limits DEFAULTS = new Limits(65_536, 86_400_000L);

    public Limits {
      if (maxStringLength < 1) {
        throw new IllegalArgumentException(
            "max string length " + maxStringLength + ": it must be at least 1");
      }
      if (maxAheadMillis < 0) {
        throw new IllegalArgumentException(
            "max event time ahead " + maxAheadMillis + " ms: it must not be negative");
      }
    }
  }

  /**
   * How record values are framed.
   *
   * @param format {@link Format#AVRO}: plain Avro binary of the spec's schema; {@link
   *     Format#SINGLE_OBJECT}: Avro's single-object encoding (C3 01, the writer schema's 8-byte
   *     fingerprint, the body); {@link Format#CONFLUENT}: the Confluent wire format (00, a 4-byte
   *     schema id, the body)
   * @param writerSchemas a directory of writer schemas ({@code .avsc}), or null
   * @param registryUrl a schema registry's URL (Confluent API), or null
   */
  public record Wire(Format format, String writerSchemas, String registryUrl)
      implements java.io.Serializable {
    public enum Format {
      AVRO,
      SINGLE_OBJECT,
      CONFLUENT
    }

    /** Plain Avro binary of the spec's schema. */
    public static final Wire PLAIN = new Wire(Format.AVRO, null, null);

    public Wire {
      java.util.Objects.requireNonNull(format, "format");
    }
  }

  private final SourceSpec source;
  private final Limits limits;
  private final Wire wire;
  private final WriterSchemas writers;
  private final List<String> fields;
  private final int[] fieldPos;
  private final int entityPos;
  private final int timePos;
  private final GenericDatumReader<GenericRecord> reader;
  private BinaryDecoder decoder;
  private BinaryDecoder skipper;

  public EventDecoder(SourceSpec source, List<String> fields) {
    this(source, fields, Limits.DEFAULTS);
  }

  public EventDecoder(SourceSpec source, List<String> fields, Limits limits) {
    this(source, fields, limits, Wire.PLAIN);
  }

  public EventDecoder(SourceSpec source, List<String> fields, Limits limits, Wire wire) {
    this.source = source;
    this.limits = limits;
    this.wire = wire;
    this.writers = new WriterSchemas(source.schema(), wire.writerSchemas(), wire.registryUrl());
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
    GenericDatumReader<GenericRecord> datumReader = reader;
    int start = 0;
    if (wire.format() != Wire.Format.AVRO) {
      WriterSchemas.Resolved w;
      if (wire.format() == Wire.Format.SINGLE_OBJECT) {
        if (value.length < 10 || value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
          return dead(
              raw, "NOT_AVRO", "not in Avro's single-object encoding (it starts with C3 01)");
        }
        long fingerprint = 0;
        for (int i = 9; i >= 2; i--) {
          fingerprint = (fingerprint << 8) | (value[i] & 0xffL);
        }
        w = writers.byFingerprint(fingerprint);
        start = 10;
      } else {
        if (value.length < 5 || value[0] != 0) {
          return dead(
              raw,
              "NOT_AVRO",
              "not in the Confluent wire format (a 00 byte and a 4-byte schema id first)");
        }
        w = writers.byId(ByteBuffer.wrap(value, 1, 4).getInt());
        start = 5;
      }
      if (w.reader() == null) {
        return dead(raw, "SCHEMA_MISMATCH", w.problem());
      }
      datumReader = w.reader();
    }
    GenericRecord r;
    int length = value.length - start;
    try {
      // Avro allocates a string, bytes or array of the length its prefix claims before reading
      // it: a corrupt prefix of a few bytes could make it allocate gigabytes (EventDecoderTest
      // pins a prefix claiming 2 GB). A first pass skips the record with the writer's
      // schema, which allocates nothing and fails where a length runs past the value's end; only
      // a record whose every length fits is read.
      skipper = DecoderFactory.get().binaryDecoder(value, start, length, skipper);
      GenericDatumReader.skip(datumReader.getSchema(), skipper);
    } catch (IOException | RuntimeException e) {
      return dead(
          raw,
          "NOT_AVRO",
          "not an Avro "
              + source.schema().getFullName()
              + ": a length or count in it is malformed or runs past its end ("
              + e
              + ")");
    }
    try {
      decoder = DecoderFactory.get().binaryDecoder(value, start, length, decoder);
      r = datumReader.read(null, decoder);
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
    if (entityText.length() > limits.maxStringLength()) {
      return oversized(raw, source.entityField(), entityText.length());
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
    if (limits.maxAheadMillis() > 0
        && raw.kafkaTimestamp() > 0
        && ts - raw.kafkaTimestamp() > limits.maxAheadMillis()) {
      return dead(
          raw,
          "BAD_EVENT_TIME",
          "event time "
              + java.time.Instant.ofEpochMilli(ts)
              + " is "
              + java.time.Duration.ofMillis(ts - raw.kafkaTimestamp())
              + " ahead of the record's Kafka timestamp "
              + java.time.Instant.ofEpochMilli(raw.kafkaTimestamp())
              + "; the limit is "
              + java.time.Duration.ofMillis(limits.maxAheadMillis())
              + " (freshet.kafka.max-event-time-ahead)");
    }
    List<Object> values = new ArrayList<>(fieldPos.length);
    for (int i = 0; i < fieldPos.length; i++) {
      Object v = normalize(r.get(fieldPos[i]));
      if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
        return dead(raw, "NOT_A_NUMBER", "field '" + fields.get(i) + "' is " + d);
      }
      if (v instanceof String text && text.length() > limits.maxStringLength()) {
        return oversized(raw, fields.get(i), text.length());
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

  /** The bytes a dead letter keeps: all of them, or the first MAX_DEAD_LETTER_BYTES (said so). */
  private static ByteBuffer kept(byte[] bytes, String what, StringBuilder reason) {
    if (bytes == null) {
      return null;
    }
    if (bytes.length <= MAX_DEAD_LETTER_BYTES) {
      return ByteBuffer.wrap(bytes);
    }
    reason.append(
        String.format(
            java.util.Locale.ROOT,
            " (the %s is cut to its first %,d of %,d bytes)",
            what,
            MAX_DEAD_LETTER_BYTES,
            bytes.length));
    return ByteBuffer.wrap(bytes, 0, MAX_DEAD_LETTER_BYTES).slice();
  }

  /** Where a record came from, kept (up to MAX_DEAD_LETTER_BYTES) in its dead letter. */
  private record Raw(
      byte[] key, byte[] value, String topic, int partition, long offset, long kafkaTimestamp) {}

  private Decoded oversized(Raw raw, String field, int length) {
    return dead(
        raw,
        "OVERSIZED",
        String.format(
            java.util.Locale.ROOT,
            "field '%s' is %,d characters long; the limit is %,d (freshet.kafka.max-string-length)",
            field,
            length,
            limits.maxStringLength()));
  }

  private Decoded dead(Raw raw, String code, String reason) {
    StringBuilder why = new StringBuilder(reason);
    ByteBuffer key = kept(raw.key(), "key", why);
    ByteBuffer value = kept(raw.value(), "value", why);
    return new Decoded(
        null,
        new DeadLetter(
            source.name(),
            raw.topic(),
            raw.partition(),
            raw.offset(),
            raw.kafkaTimestamp(),
            key,
            value,
            code,
            why.toString(),
            System.currentTimeMillis()),
        raw.partition(),
        raw.offset());
  }
}
