package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.DeadLetter;
import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.testing.MalformedCorpus;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile input through the real job: ten thousand malformed records of every kind ({@link
 * MalformedCorpus}: random bytes, truncated Avro, other schemas, empty values and entity ids, bad
 * event times, NaN and infinities, oversized strings) produced to Kafka among two thousand valid
 * payments. The job never restarts; every malformed record is in the dead-letter topic with its
 * kind's reason, and the job's count of dead letters says the same; every valid payment is
 * processed: Cassandra and the history equal the naive oracle over the valid payments alone. Before
 * them, a transactional producer's aborted payments, which the source never reads.
 */
@RealServices
class MalformedInputIT {
  private static final int BAD = 10_000;
  private static final int GOOD = 2_000;

  @Test
  @Timeout(600)
  void everyMalformedRecordIsADeadLetterAndTheValidOnesAreAllProcessed(TestServices services)
      throws Exception {
    String topic = services.createTopic("hostile-payments", 2);
    services.createTopic("hostile-payments.dead-letters", 1);
    Path dir = Path.of("target", "malformed-it-" + UUID.randomUUID()).toAbsolutePath();
    Files.createDirectories(dir);
    FeatureSpec spec =
        SpecParser.parse(ExampleSpec.onTopic(dir, topic, "customer_risk", "hostile_risk"));

    Instant start = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS);
    List<MalformedCorpus.Record> corpus =
        MalformedCorpus.generate(23, BAD, GOOD, 40, start, Duration.ofHours(20).toMillis());
    Map<String, Integer> expectedReasons = new TreeMap<>();
    List<PaymentsGenerator.Event> valid = new ArrayList<>();
    // first, payments of a transactional producer that aborts: never read (read_committed)
    try (KafkaProducer<byte[], byte[]> tx =
        new KafkaProducer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                services.kafkaBootstrapServers(),
                "transactional.id",
                "hostile-" + UUID.randomUUID()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      tx.initTransactions();
      tx.beginTransaction();
      for (MalformedCorpus.Record r : corpus.subList(0, 50)) {
        if (r.payment() != null) {
          tx.send(new ProducerRecord<>(topic, null, r.kafkaTimestamp(), r.key(), r.value()));
        }
      }
      tx.flush();
      tx.abortTransaction();
    }
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                "bootstrap.servers", services.kafkaBootstrapServers(),
                "max.request.size", Integer.toString(4 << 20),
                "linger.ms", "5"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (MalformedCorpus.Record r : corpus) {
        producer.send(new ProducerRecord<>(topic, null, r.kafkaTimestamp(), r.key(), r.value()));
        if (r.kind().reason() == null) {
          valid.add(
              new PaymentsGenerator.Event(
                  r.index(), PaymentsGenerator.Kind.PAYMENT, r.payment(), 0, false));
        } else {
          expectedReasons.merge(r.kind().reason(), 1, Integer::sum);
        }
      }
      producer.flush();
    }

    Map<String, String> sets = EndToEndChecks.jobSettings(services, dir, "hostile");
    sets.put("freshet.kafka.group-id", "hostile-" + UUID.randomUUID());
    FeatureJobRunner.Result r = EndToEndChecks.runToEnd(services, spec, sets);
    assertThat(r.counts().events())
        .as("records read: the corpus, not the aborted transaction's")
        .isEqualTo(corpus.size());
    assertThat(r.counts().deadLetters()).as("dead letters the job counted").isEqualTo(BAD);
    assertThat(r.counts().tooLate()).isZero();

    SpecificDatumReader<DeadLetter> reader = new SpecificDatumReader<>(DeadLetter.class);
    Map<String, Integer> reasons = new TreeMap<>();
    for (var record : services.readTopic(spec.source().deadLetterTopic())) {
      DeadLetter d = reader.read(null, DecoderFactory.get().binaryDecoder(record.value(), null));
      reasons.merge(d.getReasonCode().toString(), 1, Integer::sum);
      assertThat(d.getReason().toString()).isNotBlank();
    }
    assertThat(reasons).as("dead letters by reason").isEqualTo(expectedReasons);

    EndToEndChecks.servingEqualsHistoryEqualsOracle(spec, valid, services, dir, "hostile");
  }
}
