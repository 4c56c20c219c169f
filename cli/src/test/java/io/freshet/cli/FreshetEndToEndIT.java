package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.Labels;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.OracleAsserts;
import io.freshet.testing.ParquetRows;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;

/**
 * End to end, the way {@code freshet demo} runs it, on small data: the generator sends payments to
 * Kafka, {@code freshet run}'s local runner (a MiniCluster with flink-conf/config.yaml) computes
 * the example's features into Cassandra and Iceberg, then the serving client and a training set
 * read them back. Cassandra's vector must equal the newest Iceberg row of every entity, and both
 * the naive oracle's recomputation from the generated events (corrections from late events
 * included).
 */
@RealServices
class FreshetEndToEndIT {
  @Test
  void generatorKafkaJobCassandraIcebergServingAndTrainingSet(TestServices services)
      throws Exception {
    FeatureSpec parsed = SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
    FeatureSpec spec = onTopic(parsed, services.createTopic("payments", 2));
    services.createTopic("payments.dead-letters", 1);
    ViewSpec view = spec.views().get(0);

    // Recent event times (served values must not be expired); late events but none too late.
    Instant start = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
    PaymentsGenerator generator =
        new PaymentsGenerator(
            PaymentsGenerator.Settings.of(6_000, 150, 2, 11, start).withLateFractions(0.01, 0));
    long sent;
    try (KafkaPublisher out =
        new KafkaPublisher(services.kafkaBootstrapServers(), spec.source().topic(), 0)) {
      sent = KafkaPublisher.publish(generator, out, n -> {});
    }

    Path dir = Path.of("target", "e2e-" + UUID.randomUUID()).toAbsolutePath();
    Map<String, String> sets = EndToEndChecks.jobSettings(services, dir, "e2e");
    sets.put("freshet.kafka.starting-offsets", "earliest");
    Configuration conf = FeatureJobRunner.localConfiguration(Path.of("../flink-conf"), sets);
    StringWriter progress = new StringWriter();
    UntilEnd end =
        UntilEnd.take(
            services.kafkaBootstrapServers(),
            spec.source().topic(),
            "freshet-" + spec.source().name(),
            UntilEnd.Start.EARLIEST);
    FeatureJobRunner.Result result =
        FeatureJobRunner.runLocal(spec, conf, new PrintWriter(progress), false, end, id -> {});
    assertThat(result.last().state()).isEqualTo("FINISHED");
    assertThat(progress.toString()).contains("events").contains("watermark");
    // stopped at the end offsets with a savepoint; the closing counts are the job's own
    assertThat(Path.of(java.net.URI.create(result.savepoint())))
        .startsWith(dir.resolve("savepoints"));
    assertThat(result.counts().events()).isEqualTo(sent);
    assertThat(result.counts().updates()).isPositive();
    assertThat(result.summary()).contains(String.format("%,d events read", sent));

    Catalog catalog = EndToEndChecks.catalog(dir);
    try {
      EndToEndChecks.servingEqualsHistoryEqualsOracle(spec, generator, services, catalog, "e2e");

      // The training set: every spine row gets the newest history value strictly before it.
      Path output =
          EndToEndChecks.labelsTrainingSet(
              spec,
              generator,
              catalog,
              dir,
              "e2e",
              List.of(view.name() + ":txn_count_24h", view.name() + ":amount_sum_1h"));
      long rows = Labels.rows(generator).size();
      var history = EndToEndChecks.history(catalog, "e2e", view);
      int count24h = view.indexOf("txn_count_24h");
      int sum1h = view.indexOf("amount_sum_1h");
      long ttl = view.ttl().toMillis();
      int checked = 0;
      for (GenericRecord r : ParquetRows.read(output)) {
        String entity = r.get("customer_id").toString();
        long ts = Instant.parse(r.get("timestamp").toString()).toEpochMilli();
        EndToEndChecks.HistoryRow asOf =
            EndToEndChecks.newest(
                history.getOrDefault(entity, List.of()).stream()
                    .filter(h -> h.validFrom() < ts)
                    .toList());
        boolean none = asOf == null || ts - asOf.lastEventTime() > ttl;
        OracleAsserts.assertSame(
            "txn_count_24h of " + entity + " before " + ts,
            r.get("txn_count_24h"),
            none ? null : asOf.values().get(count24h));
        OracleAsserts.assertSame(
            "amount_sum_1h of " + entity + " before " + ts,
            r.get("amount_sum_1h"),
            none ? null : asOf.values().get(sum1h));
        checked++;
      }
      assertThat(checked).isEqualTo(rows);
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  static FeatureSpec onTopic(FeatureSpec parsed, String topic) {
    return parsed.withSource(parsed.source().withTopic(topic));
  }
}
