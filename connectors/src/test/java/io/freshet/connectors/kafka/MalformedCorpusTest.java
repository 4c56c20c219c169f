package io.freshet.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.Decoded;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.testing.MalformedCorpus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Twelve thousand malformed records of every kind (MalformedCorpus) among three thousand valid
 * payments, through the decoder the Kafka source runs: each bad record is a dead letter with its
 * kind's reason, never an exception; each valid one is its payment, whatever its Kafka key.
 */
class MalformedCorpusTest {
  private static final FeatureSpec SPEC =
      SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
  private static final List<String> FIELDS = List.of("amount", "merchant_id", "country");

  @Test
  void everyMalformedRecordIsADeadLetterWithItsReasonAndEveryValidOneAnEvent() {
    List<MalformedCorpus.Record> corpus =
        MalformedCorpus.generate(
            11, 12_000, 3_000, 40, Instant.parse("2026-11-01T00:00:00Z"), 86_400_000L);
    EventDecoder decoder = new EventDecoder(SPEC.source(), FIELDS);
    Map<MalformedCorpus.Kind, Integer> seen = new EnumMap<>(MalformedCorpus.Kind.class);
    for (MalformedCorpus.Record r : corpus) {
      Decoded d = decoder.decode(r.key(), r.value(), "payments", 0, r.index(), r.kafkaTimestamp());
      seen.merge(r.kind(), 1, Integer::sum);
      String what = r.kind() + " #" + r.index();
      if (r.kind().reason() == null) {
        assertThat(d.getDeadLetter()).as(what).isNull();
        assertThat(d.getEvent().getEntity()).as(what).isEqualTo(r.payment().getCustomerId());
        assertThat(d.getEvent().getEventTime())
            .as(what)
            .isEqualTo(r.payment().getEventTime().toEpochMilli());
        assertThat(d.getEvent().getValues())
            .as(what)
            .containsExactly(
                r.payment().getAmount(), r.payment().getMerchantId(), r.payment().getCountry());
      } else {
        assertThat(d.getEvent()).as(what).isNull();
        assertThat(d.getDeadLetter().getReasonCode()).as(what).isEqualTo(r.kind().reason());
        assertThat(d.getDeadLetter().getReason()).as(what).isNotBlank();
        assertThat(d.getDeadLetter().getOffset()).as(what).isEqualTo(r.index());
      }
    }
    assertThat(seen).hasSize(MalformedCorpus.Kind.values().length);
    assertThat(corpus.stream().filter(r -> r.kind().reason() != null)).hasSize(12_000);
  }
}
