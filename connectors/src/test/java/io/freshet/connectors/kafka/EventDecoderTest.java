package io.freshet.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.Decoded;
import io.freshet.examples.payments.Payment;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.testing.AvroBytes;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventDecoderTest {
  private static final FeatureSpec SPEC =
      SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
  private static final List<String> FIELDS = List.of("amount", "merchant_id", "country");
  private static final long T = 1_767_225_600_000L;

  private final EventDecoder decoder = new EventDecoder(SPEC.source(), FIELDS);

  private static Payment payment(String customer, Double amount, long ts) {
    return new Payment("p1", customer, "m1", amount, "EUR", null, Instant.ofEpochMilli(ts));
  }

  private Decoded decode(byte[] value) {
    return decoder.decode(new byte[] {1}, value, "payments", 3, 42L, T + 3_600_000L);
  }

  @Test
  void aValidRecordBecomesAnEventRowWithTheViewsFields() throws Exception {
    Decoded d = decode(AvroBytes.encode(payment("c1", 12.5, T)));
    assertThat(d.getDeadLetter()).isNull();
    assertThat(d.getEvent().getEntity()).isEqualTo("c1");
    assertThat(d.getEvent().getEventTime()).isEqualTo(T);
    assertThat(d.getEvent().getValues()).containsExactly(12.5, "m1", null);
  }

  @Test
  void eachKindOfBadRecordIsADeadLetterWithItsReasonAndOrigin() throws Exception {
    byte[] good = AvroBytes.encode(payment("c1", 1.0, T));
    byte[] trailing = new byte[good.length + 3];
    System.arraycopy(good, 0, trailing, 0, good.length);
    Object[][] cases = {
      {new byte[0], "EMPTY"},
      {null, "EMPTY"},
      {new byte[] {(byte) 0xff, 1, 2}, "NOT_AVRO"},
      {trailing, "NOT_AVRO"},
      {AvroBytes.encode(payment("", 1.0, T)), "NULL_KEY"},
      {AvroBytes.encode(payment("c1", 1.0, 5L)), "BAD_EVENT_TIME"},
      {AvroBytes.encode(payment("c1", 1.0, 5_000_000_000_000L)), "BAD_EVENT_TIME"},
      {AvroBytes.encode(payment("c1", Double.NaN, T)), "NOT_A_NUMBER"},
      {AvroBytes.encode(payment("c1", Double.POSITIVE_INFINITY, T)), "NOT_A_NUMBER"},
    };
    for (Object[] c : cases) {
      byte[] value = (byte[]) c[0];
      Decoded d = decode(value);
      assertThat(d.getEvent()).as("%s", c[1]).isNull();
      assertThat(d.getDeadLetter().getReasonCode()).isEqualTo(c[1]);
      assertThat(d.getDeadLetter().getReason()).isNotBlank();
      assertThat(d.getDeadLetter().getTopic()).isEqualTo("payments");
      assertThat(d.getDeadLetter().getPartition()).isEqualTo(3);
      assertThat(d.getDeadLetter().getOffset()).isEqualTo(42L);
      assertThat(d.getDeadLetter().getSource()).isEqualTo("payments");
      ByteBuffer kept = d.getDeadLetter().getValue();
      if (value == null) {
        assertThat(kept).isNull();
      } else {
        assertThat(kept).isEqualTo(ByteBuffer.wrap(value));
      }
    }
  }

  @Test
  void aLengthPrefixClaimingGigabytesIsADeadLetterWithoutAllocatingThem() {
    // payment_id's length prefix claims 2,147,483,000 bytes (zigzag varint), then 20 bytes follow:
    // Avro alone allocates the claimed array first (an OutOfMemoryError in a 2 GB test heap)
    long zigzag = 2 * 2_147_483_000L;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while ((zigzag & ~0x7FL) != 0) {
      out.write((int) ((zigzag & 0x7F) | 0x80));
      zigzag >>>= 7;
    }
    out.write((int) zigzag);
    out.writeBytes(new byte[20]);
    Decoded d = decode(out.toByteArray());
    assertThat(d.getEvent()).isNull();
    assertThat(d.getDeadLetter().getReasonCode()).isEqualTo("NOT_AVRO");
    assertThat(d.getDeadLetter().getReason()).contains("runs past its end");
  }

  @Test
  void anEventTimeFurtherAheadOfItsKafkaTimestampThanTheLimitIsBad() throws Exception {
    EventDecoder hour =
        new EventDecoder(SPEC.source(), FIELDS, new EventDecoder.Limits(100, 3_600_000L));
    byte[] value = AvroBytes.encode(payment("c1", 1.0, T));
    assertThat(hour.decode(null, value, "t", 0, 0, T - 3_600_000L).getEvent()).isNotNull();
    Decoded ahead = hour.decode(null, value, "t", 0, 0, T - 3_600_001L);
    assertThat(ahead.getDeadLetter().getReasonCode()).isEqualTo("BAD_EVENT_TIME");
    assertThat(ahead.getDeadLetter().getReason())
        .contains("ahead of the record's Kafka timestamp")
        .contains("freshet.kafka.max-event-time-ahead");
    // no Kafka timestamp (-1), or the check turned off: no limit
    assertThat(hour.decode(null, value, "t", 0, 0, -1L).getEvent()).isNotNull();
    EventDecoder off = new EventDecoder(SPEC.source(), FIELDS, new EventDecoder.Limits(100, 0));
    assertThat(off.decode(null, value, "t", 0, 0, 5L).getEvent()).isNotNull();
  }

  @Test
  void aStringTheViewsReadLongerThanTheLimitIsOversizedOthersAreNot() throws Exception {
    EventDecoder ten = new EventDecoder(SPEC.source(), FIELDS, new EventDecoder.Limits(10, 0));
    Payment longMerchant = payment("c1", 1.0, T);
    longMerchant.setMerchantId("m".repeat(11));
    Decoded d = ten.decode(null, AvroBytes.encode(longMerchant), "t", 0, 0, -1L);
    assertThat(d.getDeadLetter().getReasonCode()).isEqualTo("OVERSIZED");
    assertThat(d.getDeadLetter().getReason())
        .contains("'merchant_id' is 11 characters")
        .contains("freshet.kafka.max-string-length");
    Decoded entity =
        ten.decode(null, AvroBytes.encode(payment("c".repeat(11), 1.0, T)), "t", 0, 0, -1L);
    assertThat(entity.getDeadLetter().getReason()).contains("'customer_id' is 11 characters");
    // payment_id is read by no view: its length does not matter
    Payment longId = payment("c1", 1.0, T);
    longId.setPaymentId("p".repeat(1000));
    assertThat(ten.decode(null, AvroBytes.encode(longId), "t", 0, 0, -1L).getEvent()).isNotNull();
  }

  @Test
  void aDeadLetterKeepsAtMostItsLimitOfTheValueAndSaysSo() {
    byte[] huge = new byte[EventDecoder.MAX_DEAD_LETTER_BYTES + 1000];
    java.util.Arrays.fill(huge, (byte) 0xff);
    Decoded d = decode(huge);
    assertThat(d.getDeadLetter().getReasonCode()).isEqualTo("NOT_AVRO");
    assertThat(d.getDeadLetter().getValue().remaining())
        .isEqualTo(EventDecoder.MAX_DEAD_LETTER_BYTES);
    assertThat(d.getDeadLetter().getReason())
        .contains("the value is cut to its first 262,144 of 263,144 bytes");
  }
}
