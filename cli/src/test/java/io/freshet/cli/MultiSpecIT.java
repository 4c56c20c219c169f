package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.JobProgress;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.services.FlinkCluster;
import io.freshet.services.FlinkRest;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureValue;
import io.freshet.serving.http.FeatureServer;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.testing.RealServices;
import io.freshet.testing.SessionCluster;
import io.freshet.testing.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two specs (two sources on two topics) in one deployment: each its own job on one session cluster,
 * running at the same time, both writing the same keyspace and the same Iceberg namespace, and one
 * feature server serving both. Each view equals the naive oracle over its own source's events
 * (Cassandra and the newest history rows); the server answers a request across both views with
 * exactly what the Java client reads.
 */
@RealServices
class MultiSpecIT {
  private static final String NAMESPACE = "multi";

  @Test
  @Timeout(600)
  void twoSpecsRunAsTwoJobsSharingKeyspaceCatalogAndFeatureServer(TestServices services)
      throws Exception {
    Path home = Path.of("..").toAbsolutePath().normalize();
    Path dir = Path.of("target", "multi-spec-it-" + UUID.randomUUID()).toAbsolutePath();
    List<Source> sources = new ArrayList<>();
    for (String name : List.of("multi_a", "multi_b")) {
      String topic = services.createTopic(name + "-payments", 2);
      services.createTopic(name + "-payments.dead-letters", 1);
      Path specDir = Files.createDirectories(dir.resolve(name));
      Path file =
          ExampleSpec.onTopic(specDir, topic, "customer_risk", name + "_risk", "payments", name);
      FeatureSpec spec = SpecParser.parse(file);
      assertThat(spec.source().name()).isEqualTo(name);
      PaymentsGenerator generator =
          new PaymentsGenerator(
              PaymentsGenerator.Settings.of(
                      2_000,
                      50,
                      1,
                      name.hashCode(),
                      Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS))
                  .withLateFractions(0.01, 0));
      try (KafkaPublisher out = new KafkaPublisher(services.kafkaBootstrapServers(), topic, 0)) {
        KafkaPublisher.publish(generator, out, n -> {});
      }
      sources.add(new Source(file, spec, generator, "multi-" + name + "-" + UUID.randomUUID()));
    }

    FlinkCluster cluster =
        SessionCluster.create(
            dir.resolve("state"),
            Map.of("metrics.fetcher.update-interval", Long.toString(JobProgress.POLL_MILLIS)),
            2);
    try {
      cluster.start(SessionCluster.START_TIMEOUT);
      FlinkRest rest = new FlinkRest(cluster.restAddress());
      Path jobJar = FeatureJobRunner.defaultJobJar(home);
      List<String> jobs = new ArrayList<>();
      List<UntilEnd> ends = new ArrayList<>();
      for (Source s : sources) {
        Map<String, String> sets = EndToEndChecks.jobSettings(services, null, NAMESPACE);
        sets.put("freshet.kafka.group-id", s.group());
        sets.put("freshet.kafka.starting-offsets", "earliest");
        ends.add(
            UntilEnd.take(
                services.kafkaBootstrapServers(),
                s.spec().source().topic(),
                s.group(),
                UntilEnd.Start.EARLIEST));
        jobs.add(FeatureJobRunner.submit(rest, jobJar, s.file(), sets, null));
      }
      // both run at once: four slots, two per job
      assertThat(rest.get("/jobs/overview").path("jobs"))
          .filteredOn(j -> jobs.contains(j.path("jid").asText()))
          .hasSize(2);
      for (int i = 0; i < sources.size(); i++) {
        FeatureJobRunner.Result r =
            EndToEndChecks.followToEnd(rest, jobs.get(i), ends.get(i), dir.resolve("savepoints"));
        assertThat(r.last().restarts()).as("restarts").isZero();
        assertThat(r.counts().events()).isEqualTo(sources.get(i).generator().size());
      }

      Catalog catalog =
          HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), dir.resolve("state")));
      try {
        for (Source s : sources) {
          EndToEndChecks.servingEqualsHistoryEqualsOracle(
              s.spec(), s.generator(), services, catalog, NAMESPACE);
        }
      } finally {
        if (catalog instanceof AutoCloseable c) {
          c.close();
        }
      }
      oneServerAnswersAcrossBothViews(services, sources);
    } finally {
      cluster.stop(Duration.ofSeconds(30));
    }
  }

  private static void oneServerAnswersAcrossBothViews(TestServices services, List<Source> sources)
      throws Exception {
    FeatureClient.Builder clientBuilder =
        FeatureClient.builder()
            .session(services.cqlSession())
            .keyspace(services.keyspace())
            .requestTimeout(Duration.ofSeconds(10));
    // the server adds its specs to the client builder it is given: one of its own
    FeatureServer.Builder server =
        FeatureServer.builder()
            .port(0)
            .cassandra(
                FeatureClient.builder()
                    .session(services.cqlSession())
                    .keyspace(services.keyspace()),
                "test keyspace " + services.keyspace());
    for (Source s : sources) {
      server.spec(s.spec());
      clientBuilder.spec(s.spec());
    }
    List<String> entities = List.of("c0", "c7", "c49", "nobody");
    List<String> keys = new ArrayList<>();
    for (Source s : sources) {
      String view = s.spec().views().get(0).name();
      keys.add(view + ":txn_count_24h");
      keys.add(view + ":amount_sum_1h");
    }
    try (FeatureServer running = server.build().start();
        FeatureClient client = clientBuilder.build()) {
      String body =
          new ObjectMapper().writeValueAsString(Map.of("entities", entities, "features", keys));
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(running.uri() + "/v1/features"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode results = new ObjectMapper().readTree(answer.body()).path("results");
      assertThat(results).hasSize(entities.size());
      int present = 0;
      for (int e = 0; e < entities.size(); e++) {
        JsonNode features = results.get(e).path("features");
        for (String key : keys) {
          String view = key.substring(0, key.indexOf(':'));
          String feature = key.substring(key.indexOf(':') + 1);
          FeatureValue expected = client.get(view, entities.get(e)).get(feature);
          JsonNode got = features.path(key);
          assertThat(got.path("status").asText())
              .as("%s of %s", key, entities.get(e))
              .isEqualTo(expected.status().name());
          Object value = expected.value();
          if (value == null) {
            assertThat(got.path("value").isNull()).as("%s of %s", key, entities.get(e)).isTrue();
          } else {
            present++;
            assertThat(got.path("value").asDouble())
                .as("%s of %s", key, entities.get(e))
                .isEqualTo(((Number) value).doubleValue());
          }
        }
      }
      assertThat(present).as("values present in the answer").isPositive();
    }
  }

  private record Source(Path file, FeatureSpec spec, PaymentsGenerator generator, String group) {}
}
