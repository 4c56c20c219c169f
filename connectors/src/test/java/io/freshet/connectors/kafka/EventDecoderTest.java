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
    return decoder.decode(new byte[] {1}, value, "payments", 3, 42L, 7L);
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
}
