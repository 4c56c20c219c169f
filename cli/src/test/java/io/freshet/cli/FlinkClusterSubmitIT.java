package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.JobProgress;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.services.FlinkCluster;
import io.freshet.services.FlinkRest;
import io.freshet.services.ProcessControl;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecBundle;
import io.freshet.spec.SpecParser;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.testing.RealServices;
import io.freshet.testing.SessionCluster;
import io.freshet.testing.TestServices;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar on a real Flink session cluster (JobManager and TaskManager JVMs started by
 * {@link FlinkCluster}, as {@code freshet cluster start} does), submitted through the REST API as a
 * user would ({@code freshet run --jobmanager}). The spec and its schema are sent with the job (a
 * {@link SpecBundle}); their files are deleted before the submission. Events from Kafka end up in
 * Cassandra and Iceberg, checked against the naive oracle.
 */
@RealServices
class FlinkClusterSubmitIT {
  @Test
  void submitsTheJobJarToASessionClusterThroughTheRestApi(TestServices services) throws Exception {
    Path home = Path.of("..").toAbsolutePath().normalize();
    Path jobJar = FeatureJobRunner.defaultJobJar(home);
    String topic = services.createTopic("payments", 2);
    services.createTopic("payments.dead-letters", 1);
    // the spec and its schema (under a name the job jar does not carry) in a directory that is
    // gone before the job is submitted: the JobManager gets both from the spec bundle only
    Path specDir = Files.createTempDirectory("freshet-cluster-it");
    Path specFile = specDir.resolve("payments.yaml");
    Files.copy(
        home.resolve("avro-schemas/src/main/avro/payment.avsc"),
        specDir.resolve("team-payment.avsc"));
    String yaml =
        Files.readString(home.resolve("examples/payments/payments.yaml"))
            .replace("topic: payments", "topic: " + topic)
            .replace("schema: payment.avsc", "schema: team-payment.avsc");
    Files.writeString(specFile, yaml);
    FeatureSpec spec = SpecParser.parse(specFile);
    assertThat(spec.source().topic()).isEqualTo(topic);
    SpecBundle bundle = SpecBundle.read(specFile);
    Files.delete(specDir.resolve("team-payment.avsc"));
    Files.delete(specFile);
    Files.delete(specDir);

    Instant start = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS);
    PaymentsGenerator generator =
        new PaymentsGenerator(
            PaymentsGenerator.Settings.of(3_000, 80, 1, 5, start).withLateFractions(0.01, 0));
    long sent;
    try (KafkaPublisher out = new KafkaPublisher(services.kafkaBootstrapServers(), topic, 0)) {
      sent = KafkaPublisher.publish(generator, out, n -> {});
    }

    Path dir = Path.of("target", "cluster-it-" + UUID.randomUUID()).toAbsolutePath();
    FlinkCluster cluster =
        SessionCluster.create(
            dir.resolve("state"),
            Map.of("metrics.fetcher.update-interval", Long.toString(JobProgress.POLL_MILLIS)));
    try {
      cluster.start(SessionCluster.START_TIMEOUT);
      assertThat(cluster.running()).isTrue();
      // The TaskManager runs with flink-conf's env.java.opts.taskmanager (its garbage collector).
      long taskManager = cluster.pid(FlinkCluster.TASKMANAGER).orElseThrow();
      assertThat(ProcessControl.arguments(taskManager)).contains("-XX:+UseParallelGC");
      FlinkRest rest = new FlinkRest(cluster.restAddress());

      // no catalog settings: the job's default catalog is the cluster's state dir's, where
      // training-set looks by default
      Map<String, String> sets = EndToEndChecks.jobSettings(services, null, "cluster");
      sets.put("freshet.kafka.starting-offsets", "earliest");
      UntilEnd end =
          UntilEnd.take(
              services.kafkaBootstrapServers(),
              topic,
              "freshet-" + spec.source().name(),
              UntilEnd.Start.EARLIEST);
      String jobId = FeatureJobRunner.submit(rest, jobJar, bundle, sets, null);
      StringWriter progress = new StringWriter();
      FeatureJobRunner.Result r =
          FeatureJobRunner.follow(
              rest,
              jobId,
              new PrintWriter(progress),
              false,
              end,
              dir.resolve("savepoints").toUri().toString());
      assertThat(r.last().state()).isEqualTo("FINISHED");
      // Flink answers file:/..., not file:///...: compare paths
      assertThat(Path.of(java.net.URI.create(r.savepoint()))).startsWith(dir.resolve("savepoints"));
      assertThat(r.counts().events())
          .as("events read, from the job's accumulators")
          .isEqualTo(sent);

      Catalog catalog =
          HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), dir.resolve("state")));
      try {
        EndToEndChecks.servingEqualsHistoryEqualsOracle(
            spec, generator, services, catalog, "cluster");
      } finally {
        if (catalog instanceof AutoCloseable c) {
          c.close();
        }
      }
    } finally {
      assertThat(cluster.stop(Duration.ofSeconds(30))).isNotEmpty();
      assertThat(cluster.running()).isFalse();
    }
  }

  @Test
  void aJobManagerThatCannotBindItsPortFailsTheStartAndLeavesNoJvmBehind() throws Exception {
    Path state = Path.of("target", "cluster-busy-" + UUID.randomUUID()).toAbsolutePath();
    FlinkCluster cluster = SessionCluster.create(state, Map.of());
    try (ServerSocket squatter = new ServerSocket()) {
      int restPort = Integer.parseInt(cluster.restAddress().substring("127.0.0.1:".length()));
      squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), restPort));
      assertThatThrownBy(() -> cluster.start(SessionCluster.START_TIMEOUT))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("flink-jobmanager exited during start")
          .hasMessageContaining("Could not start rest endpoint");
    }
    // the TaskManager it had launched beside the JobManager is stopped too
    assertThat(cluster.running()).isFalse();
    assertThat(ProcessControl.processesUsing(state)).isEmpty();
  }
}
