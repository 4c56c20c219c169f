package io.freshet.testing;

import io.freshet.examples.payments.Payment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * A seeded corpus of Kafka records for the payments example: malformed records of every kind a
 * producer gets wrong, each with the dead-letter reason the job must give it, shuffled among valid
 * payments. The kinds ({@link Kind}): random bytes, truncated Avro, records of other schemas (fewer
 * fields, more fields, other types: an event time missing), empty values, empty entity ids,
 * negative, far-future and ahead-of-their-Kafka-timestamp event times, NaN and infinite amounts,
 * and oversized strings. A valid payment may carry a null or empty Kafka key: the entity comes from
 * the value.
 *
 * <p>Random bytes and other schemas' records are kept only if Avro itself cannot read them as a
 * whole Payment (a few random byte strings are, by chance, a valid encoding): whatever the decoder
 * does, the corpus says exactly what each record is.
 */
public final class MalformedCorpus {
  /** What a record is, and the dead-letter reason it must get (null: a valid payment). */
  public enum Kind {
    VALID(null),
    VALID_WITHOUT_KEY(null),
    RANDOM_BYTES("NOT_AVRO"),
    TRUNCATED("NOT_AVRO"),
    OTHER_SCHEMA("NOT_AVRO"),
    EMPTY_VALUE("EMPTY"),
    EMPTY_ENTITY("NULL_KEY"),
    NEGATIVE_TIME("BAD_EVENT_TIME"),
    FAR_FUTURE_TIME("BAD_EVENT_TIME"),
    AHEAD_OF_KAFKA_TIME("BAD_EVENT_TIME"),
    NAN_AMOUNT("NOT_A_NUMBER"),
    INFINITE_AMOUNT("NOT_A_NUMBER"),
    OVERSIZED_ENTITY("OVERSIZED"),
    OVERSIZED_FIELD("OVERSIZED");

    private final String reason;

    Kind(String reason) {
      this.reason = reason;
    }

    /** The dead-letter reason code, or null for a valid payment. */
    public String reason() {
      return reason;
    }
  }

  /**
   * One Kafka record.
   *
   * @param payment the valid payment it holds (VALID kinds only)
   */
  public record Record(
      int index, Kind kind, byte[] key, byte[] value, long kafkaTimestamp, Payment payment) {}

  /** Longer than the default limit of 65,536 characters. */
  public static final int OVERSIZED_CHARS = 70_000;

  /** Further ahead of the Kafka timestamp than the default limit of one day. */
  public static final long AHEAD_MILLIS = 2 * 86_400_000L;

  private static final Schema PAYMENT = Payment.getClassSchema();

  /** Other schemas a producer might write to the topic. */
  private static final List<Schema> OTHERS =
      List.of(
          SchemaBuilder.record("Refund")
              .fields()
              .requiredString("refund_id")
              .requiredDouble("amount")
              .endRecord(),
          // the payment without its event time (an older producer)
          paymentFields("PaymentV0").endRecord(),
          // the payment with a field more (a newer producer, schema-less binary)
          paymentFields("PaymentV2")
              .requiredLong("event_time")
              .requiredString("channel")
              .endRecord(),
          SchemaBuilder.record("Click")
              .fields()
              .requiredLong("user")
              .requiredInt("x")
              .requiredInt("y")
              .endRecord());

  private MalformedCorpus() {}

  /** A record schema with the payment's fields up to its event time. */
  private static SchemaBuilder.FieldAssembler<Schema> paymentFields(String name) {
    return SchemaBuilder.record(name)
        .fields()
        .requiredString("payment_id")
        .requiredString("customer_id")
        .requiredString("merchant_id")
        .optionalDouble("amount")
        .requiredString("currency")
        .optionalString("country");
  }

  /**
   * {@code bad} malformed records (the kinds in turn) and {@code good} valid payments of {@code
   * customers} customers, event times from {@code start} over {@code spanMillis}: the payments in
   * event-time order (so none is late), the malformed records at random places among them. Kafka
   * timestamps are each event time plus up to a minute; an {@link Kind#AHEAD_OF_KAFKA_TIME}
   * record's is more than {@link #AHEAD_MILLIS} before its event time.
   */
  public static List<Record> generate(
      long seed, int bad, int good, int customers, Instant start, long spanMillis) {
    Random rnd = new Random(seed);
    List<Record> out = new ArrayList<>(bad + good);
    Kind[] badKinds = {
      Kind.RANDOM_BYTES,
      Kind.TRUNCATED,
      Kind.OTHER_SCHEMA,
      Kind.EMPTY_VALUE,
      Kind.EMPTY_ENTITY,
      Kind.NEGATIVE_TIME,
      Kind.FAR_FUTURE_TIME,
      Kind.AHEAD_OF_KAFKA_TIME,
      Kind.NAN_AMOUNT,
      Kind.INFINITE_AMOUNT,
      Kind.OVERSIZED_ENTITY,
      Kind.OVERSIZED_FIELD
    };
    List<Record> payments = new ArrayList<>(good);
    for (int i = 0; i < good; i++) {
      Payment p = payment(rnd, customers, start, spanMillis);
      Kind kind = rnd.nextInt(10) == 0 ? Kind.VALID_WITHOUT_KEY : Kind.VALID;
      byte[] key = kind == Kind.VALID ? p.getCustomerId().getBytes(StandardCharsets.UTF_8) : null;
      payments.add(
          new Record(
              0,
              kind,
              key,
              AvroBytes.encode(p),
              p.getEventTime().toEpochMilli() + rnd.nextInt(60_000),
              p));
    }
    payments.sort(java.util.Comparator.comparing(r -> r.payment().getEventTime()));
    List<Record> malformed = new ArrayList<>(bad);
    for (int i = 0; i < bad; i++) {
      malformed.add(bad(badKinds[i % badKinds.length], rnd, customers, start, spanMillis));
    }
    Collections.shuffle(malformed, rnd);
    // merge: each next record is malformed with the share of malformed records left
    int b = 0;
    int g = 0;
    while (b < malformed.size() || g < payments.size()) {
      int left = malformed.size() - b + payments.size() - g;
      out.add(rnd.nextInt(left) < malformed.size() - b ? malformed.get(b++) : payments.get(g++));
    }
    List<Record> numbered = new ArrayList<>(out.size());
    for (int i = 0; i < out.size(); i++) {
      Record r = out.get(i);
      numbered.add(new Record(i, r.kind(), r.key(), r.value(), r.kafkaTimestamp(), r.payment()));
    }
    return numbered;
  }

  private static Payment payment(Random rnd, int customers, Instant start, long spanMillis) {
    return new Payment(
        "p" + Long.toHexString(rnd.nextLong()),
        "c" + rnd.nextInt(customers),
        "m" + rnd.nextInt(50),
        Math.round(rnd.nextDouble() * 50_000) / 100.0,
        "EUR",
        rnd.nextInt(5) == 0 ? null : List.of("FR", "DE", "IT").get(rnd.nextInt(3)),
        start.plusMillis((long) (rnd.nextDouble() * spanMillis)));
  }

  private static Record bad(Kind kind, Random rnd, int customers, Instant start, long spanMillis) {
    Payment p = payment(rnd, customers, start, spanMillis);
    long kafkaTime = p.getEventTime().toEpochMilli() + 1_000;
    byte[] key = ("k" + rnd.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
    byte[] value =
        switch (kind) {
          case RANDOM_BYTES -> {
            byte[] b;
            do {
              b = new byte[1 + rnd.nextInt(200)];
              rnd.nextBytes(b);
            } while (readsAsPayment(b));
            yield b;
          }
          case TRUNCATED -> {
            byte[] whole = AvroBytes.encode(p);
            byte[] cut = new byte[1 + rnd.nextInt(whole.length - 1)];
            System.arraycopy(whole, 0, cut, 0, cut.length);
            yield cut;
          }
          case OTHER_SCHEMA -> {
            byte[] b;
            do {
              b = other(OTHERS.get(rnd.nextInt(OTHERS.size())), rnd);
            } while (readsAsPayment(b));
            yield b;
          }
          case EMPTY_VALUE -> new byte[0];
          case EMPTY_ENTITY -> {
            p.setCustomerId("");
            yield AvroBytes.encode(p);
          }
          case NEGATIVE_TIME -> {
            p.setEventTime(Instant.ofEpochMilli(-1 - rnd.nextInt(1_000_000_000)));
            yield AvroBytes.encode(p);
          }
          case FAR_FUTURE_TIME -> {
            p.setEventTime(Instant.parse("2500-01-01T00:00:00Z").plusMillis(rnd.nextInt(1000)));
            yield AvroBytes.encode(p);
          }
          case AHEAD_OF_KAFKA_TIME -> {
            kafkaTime = p.getEventTime().toEpochMilli() - AHEAD_MILLIS - rnd.nextInt(1_000_000);
            yield AvroBytes.encode(p);
          }
          case NAN_AMOUNT -> {
            p.setAmount(Double.NaN);
            yield AvroBytes.encode(p);
          }
          case INFINITE_AMOUNT -> {
            p.setAmount(rnd.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
            yield AvroBytes.encode(p);
          }
          case OVERSIZED_ENTITY -> {
            p.setCustomerId("c".repeat(OVERSIZED_CHARS + rnd.nextInt(1000)));
            yield AvroBytes.encode(p);
          }
          case OVERSIZED_FIELD -> {
            p.setMerchantId("m".repeat(OVERSIZED_CHARS + rnd.nextInt(1000)));
            yield AvroBytes.encode(p);
          }
          case VALID, VALID_WITHOUT_KEY -> throw new IllegalArgumentException(kind.name());
        };
    return new Record(0, kind, key, value, kafkaTime, null);
  }

  /** A record of another schema, with random values. */
  private static byte[] other(Schema schema, Random rnd) {
    GenericRecord r = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      Schema t = f.schema();
      if (t.getType() == Schema.Type.UNION) {
        t = t.getTypes().get(1);
      }
      r.put(
          f.name(),
          switch (t.getType()) {
            case STRING -> "s" + rnd.nextInt(1_000_000);
            case DOUBLE -> rnd.nextDouble() * 100;
            case LONG -> rnd.nextLong();
            case INT -> rnd.nextInt();
            default -> throw new IllegalStateException(t.toString());
          });
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(schema).write(r, e);
      e.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  /**
   * True when Avro reads the bytes as exactly one whole Payment. Skipped first, as EventDecoder
   * does: Avro allocates the length a string's prefix claims before reading it, and random bytes
   * claimed up to 2 GB (this generator ran MalformedCorpusTest out of its heap now and then).
   */
  private static boolean readsAsPayment(byte[] b) {
    try {
      GenericDatumReader.skip(PAYMENT, DecoderFactory.get().binaryDecoder(b, null));
      BinaryDecoder d = DecoderFactory.get().binaryDecoder(b, null);
      new GenericDatumReader<GenericRecord>(PAYMENT).read(null, d);
      return d.isEnd();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
