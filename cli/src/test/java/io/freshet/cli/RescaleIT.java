package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.JobProgress;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.services.FlinkCluster;
import io.freshet.services.FlinkRest;
import io.freshet.services.LocalServices;
import io.freshet.services.ObjectStore;
import io.freshet.services.Service;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.testing.RealServices;
import io.freshet.testing.SessionCluster;
import io.freshet.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rescaling on a real session cluster of two TaskManager JVMs (two slots each): the job jar reads a
 * third of the payments at parallelism 2 and stops with a savepoint, resumes from it at 4 (every
 * task spread over both TaskManagers) for the next third, and from that savepoint back at 2 for the
 * last. Keyed state moves between subtasks twice, the Kafka offsets of four partitions and the
 * Iceberg committer's state with it: the Cassandra vectors and the newest history rows must equal
 * the naive oracle over all payments, as for a job that never rescaled, and the history must hold
 * each update once. Checkpoints and savepoints are on the local S3-compatible object store ({@code
 * s3://}, through Flink's S3 file system plugin in the cluster's plugins directory, as in the job
 * image), so each resume reads its state from the bucket.
 */
@RealServices
class RescaleIT {
  @Test
  @Timeout(900)
  void stopsAtTwoResumesAtFourAndBackWithTheOraclesValues(TestServices services) throws Exception {
    Path home = Path.of("..").toAbsolutePath().normalize();
    Path jobJar = FeatureJobRunner.defaultJobJar(home);
    String topic = services.createTopic("rescale-payments", 4);
    services.createTopic("rescale-payments.dead-letters", 1);
    Path dir = Path.of("target", "rescale-it-" + UUID.randomUUID()).toAbsolutePath();
    Files.createDirectories(dir);
    Path specFile = dir.resolve("payments.yaml");
    Files.writeString(
        specFile,
        Files.readString(home.resolve("examples/payments/payments.yaml"))
            .replace("topic: payments", "topic: " + topic));
    FeatureSpec spec = SpecParser.parse(specFile);

    Instant start = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
    // late events within the allowed lateness only: whichever subtask and run sees them, they are
    // applied, so the outcome does not depend on where the watermark stood at a rescale
    PaymentsGenerator generator =
        new PaymentsGenerator(
            PaymentsGenerator.Settings.of(6_000, 120, 2, 29, start)
                .withLateFractions(0.01, 0)
                .withMalformedFraction(0.002));
    List<PaymentsGenerator.Event> all = new ArrayList<>();
    generator.forEach(all::add);
    List<List<PaymentsGenerator.Event>> thirds =
        List.of(all.subList(0, 2_000), all.subList(2_000, 4_000), all.subList(4_000, all.size()));

    Map<String, String> sets = EndToEndChecks.jobSettings(services, null, "rescale");
    sets.put("freshet.kafka.group-id", "rescale-" + UUID.randomUUID());
    LocalServices local = services.localServices();
    boolean storeWasRunning = local.status(Service.OBJECT_STORE).isUp();
    local.start(EnumSet.of(Service.OBJECT_STORE));
    ObjectStore store = local.objectStore();
    String savepoints = store.uri(dir.getFileName() + "/savepoints");
    Map<String, String> clusterSettings = new LinkedHashMap<>(store.flinkSettings());
    clusterSettings.put("metrics.fetcher.update-interval", Long.toString(JobProgress.POLL_MILLIS));
    clusterSettings.put(
        "execution.checkpointing.dir", store.uri(dir.getFileName() + "/checkpoints"));
    FlinkCluster cluster = SessionCluster.create(dir.resolve("state"), clusterSettings, 2);
    List<String> stopped;
    try {
      cluster.start(SessionCluster.START_TIMEOUT);
      FlinkRest rest = new FlinkRest(cluster.restAddress());
      assertThat(rest.get("/overview").path("taskmanagers").asInt()).isEqualTo(2);
      assertThat(rest.get("/overview").path("slots-total").asInt()).isEqualTo(4);

      int[] parallelism = {2, 4, 2};
      String savepoint = null;
      long updates = 0;
      for (int phase = 0; phase < 3; phase++) {
        List<PaymentsGenerator.Event> events = thirds.get(phase);
        try (KafkaPublisher out = new KafkaPublisher(services.kafkaBootstrapServers(), topic, 0)) {
          KafkaPublisher.publish(events, out, n -> {});
        }
        Map<String, String> run = new LinkedHashMap<>(sets);
        run.put("parallelism.default", Integer.toString(parallelism[phase]));
        if (savepoint == null) {
          run.put("freshet.kafka.starting-offsets", "earliest");
        }
        UntilEnd end =
            UntilEnd.take(
                services.kafkaBootstrapServers(),
                topic,
                sets.get("freshet.kafka.group-id"),
                savepoint == null ? UntilEnd.Start.EARLIEST : UntilEnd.Start.RESTORED);
        String jobId = FeatureJobRunner.submit(rest, jobJar, specFile, run, savepoint);
        FeatureJobRunner.Result r = EndToEndChecks.followToEnd(rest, jobId, end, savepoints);
        assertThat(r.last().restarts()).as("restarts of run %d", phase + 1).isZero();
        assertThat(r.counts().events())
            .as("events read by run %d at parallelism %d", phase + 1, parallelism[phase])
            .isEqualTo(events.size());
        assertThat(r.savepoint()).as("run %d's savepoint", phase + 1).startsWith(savepoints + "/");
        assertThat(keyedParallelism(rest, jobId))
            .as("the parallelism of run %d's keyed tasks", phase + 1)
            .containsOnly(parallelism[phase]);
        if (parallelism[phase] == 4) {
          assertThat(taskManagersOfKeyedTasks(rest, jobId))
              .as("TaskManagers running the keyed tasks at parallelism 4")
              .hasSize(2);
        }
        savepoint = r.savepoint();
        updates += r.counts().updates();
      }

      Catalog catalog =
          HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), dir.resolve("state")));
      try {
        EndToEndChecks.servingEqualsHistoryEqualsOracle(spec, all, services, catalog, "rescale");
        long rows = 0;
        for (ViewSpec v : spec.views()) {
          for (var e : EndToEndChecks.history(catalog, "rescale", v).entrySet()) {
            Set<String> seen = new HashSet<>();
            for (EndToEndChecks.HistoryRow row : e.getValue()) {
              assertThat(seen.add(row.validFrom() + "/" + row.revision()))
                  .as("history row of %s in %s at %s once", e.getKey(), v.name(), row.validFrom())
                  .isTrue();
            }
            rows += e.getValue().size();
          }
        }
        assertThat(rows).as("history rows of the three runs").isEqualTo(updates).isPositive();
      } finally {
        if (catalog instanceof AutoCloseable c) {
          c.close();
        }
      }
    } finally {
      stopped = cluster.stop(Duration.ofSeconds(30));
      if (!storeWasRunning) {
        local.stop(EnumSet.of(Service.OBJECT_STORE));
      }
    }
    assertThat(stopped)
        .as("the JVMs stop ended, TaskManagers first")
        .containsExactly(
            FlinkCluster.taskManager(2), FlinkCluster.TASKMANAGER, FlinkCluster.JOBMANAGER);
  }

  /** The parallelism of each vertex that computes features (the keyed state). */
  private static Set<Integer> keyedParallelism(FlinkRest rest, String jobId) throws Exception {
    Set<Integer> out = new TreeSet<>();
    for (JsonNode v : keyedVertices(rest, jobId)) {
      out.add(v.path("parallelism").asInt());
    }
    return out;
  }

  /** The TaskManagers that ran subtasks of the keyed vertices. */
  private static Set<String> taskManagersOfKeyedTasks(FlinkRest rest, String jobId)
      throws Exception {
    Set<String> out = new TreeSet<>();
    for (JsonNode v : keyedVertices(rest, jobId)) {
      JsonNode tms =
          rest.get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers");
      for (JsonNode tm : tms.path("taskmanagers")) {
        out.add(tm.path("taskmanager-id").asText());
      }
    }
    return out;
  }

  private static List<JsonNode> keyedVertices(FlinkRest rest, String jobId) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode v : rest.job(jobId).path("vertices")) {
      if (v.path("name").asText().contains("features: ")) {
        out.add(v);
      }
    }
    assertThat(out).as("feature vertices of job %s", jobId).isNotEmpty();
    return out;
  }
}
