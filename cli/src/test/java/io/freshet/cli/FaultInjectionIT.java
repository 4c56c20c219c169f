package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.JobProgress;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.services.FlinkCluster;
import io.freshet.services.FlinkRest;
import io.freshet.services.LocalServices;
import io.freshet.services.ProcessControl;
import io.freshet.services.Service;
import io.freshet.services.ServicesConfig;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureVector;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.testing.RealServices;
import io.freshet.testing.SessionCluster;
import io.freshet.testing.TestServices;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * The fault-injection suite, on a real session cluster and a Kafka broker and a Cassandra node of
 * the test's own while payments flow into it at a steady rate: the TaskManager JVM is killed with
 * SIGKILL (the test starts a new one), then the Kafka broker is stopped for a few seconds and
 * started again, then Cassandra is stopped and started again, then the JobManager is killed with
 * SIGKILL (with ZooKeeper high availability, a ZooKeeper server of the test's own: a new JobManager
 * takes the job back by itself; with {@code -Dfreshet.fault.jobmanager-ha=false}, the documented
 * restart without HA: a new JobManager and the job resubmitted from its latest retained
 * checkpoint), then the TaskManager is killed again, each at a seeded moment after at least two
 * completed checkpoints; the job recovers each time. Its size is set by system properties, the
 * defaults being the short version in the test suite: {@code freshet.fault.events} (36,000), {@code
 * freshet.fault.rate} (600 events/s), {@code freshet.fault.taskmanager-kills} (2) and {@code
 * freshet.fault.cassandra-outage-seconds} (20); docs/reliability.md has the long run's command.
 * While Cassandra is down, the serving client answers every read with an error, never a stale
 * PRESENT value, and answers again once it is back. After the stream: Cassandra and the newest
 * history rows equal the naive oracle, and the Iceberg history holds exactly the rows of a clean
 * run of the same input (every column but written_at; no row duplicated, none lost). The input has
 * no late events, so which rows a run writes depends on the event times only, not on when
 * watermarks moved.
 */
@RealServices
class FaultInjectionIT {
  private static final int EVENTS = Integer.getInteger("freshet.fault.events", 36_000);
  private static final int RATE = Integer.getInteger("freshet.fault.rate", 600);
  private static final int TASKMANAGER_KILLS =
      Integer.getInteger("freshet.fault.taskmanager-kills", 2);
  private static final boolean JOBMANAGER_HA =
      Boolean.parseBoolean(System.getProperty("freshet.fault.jobmanager-ha", "true"));
  private static final int CASSANDRA_OUTAGE_SECONDS =
      Integer.getInteger("freshet.fault.cassandra-outage-seconds", 20);

  /** How long a fault may leave the job without a completed checkpoint before the test fails. */
  private static final Duration CHECKPOINT_WAIT =
      Duration.ofSeconds(Integer.getInteger("freshet.fault.checkpoint-wait-seconds", 120));

  private enum Fault {
    KILL_TASKMANAGER,
    RESTART_KAFKA,
    STOP_CASSANDRA,
    KILL_JOBMANAGER
  }

  /** The faults, in order: one of each, then the remaining TaskManager kills. */
  private static List<Fault> faults() {
    List<Fault> out =
        new ArrayList<>(
            List.of(
                Fault.KILL_TASKMANAGER,
                Fault.RESTART_KAFKA,
                Fault.STOP_CASSANDRA,
                Fault.KILL_JOBMANAGER));
    for (int i = 1; i < TASKMANAGER_KILLS; i++) {
      out.add(Fault.KILL_TASKMANAGER);
    }
    return out;
  }

  @Test
  void killedProcessesAndStoppedServersLoseAndDuplicateNothing(TestServices services)
      throws Exception {
    Path home = Path.of("..").toAbsolutePath().normalize();
    Path dir = Path.of("target", "fault-it-" + UUID.randomUUID()).toAbsolutePath();
    Files.createDirectories(dir);
    // a broker and a Cassandra node of the test's own, to stop without disturbing the shared ones
    LocalServices own = new LocalServices(ServicesConfig.onFreePorts(dir.resolve("services")));
    own.start(
        JOBMANAGER_HA
            ? EnumSet.of(Service.KAFKA, Service.CASSANDRA, Service.ZOOKEEPER)
            : EnumSet.of(Service.KAFKA, Service.CASSANDRA));
    String bootstrap = own.kafkaBootstrapServers();
    String topic = "crash-payments";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 2, (short) 1),
                  new NewTopic(topic + ".dead-letters", 1, (short) 1)))
          .all()
          .get();
    }
    Path specFile = ExampleSpec.onTopic(dir, topic, "customer_risk", "crash_risk");
    FeatureSpec spec = SpecParser.parse(specFile);
    ViewSpec view = spec.views().get(0);
    PaymentsGenerator generator =
        new PaymentsGenerator(
            PaymentsGenerator.Settings.of(
                    EVENTS,
                    100,
                    1,
                    31,
                    Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS))
                .withLateFractions(0, 0));

    FlinkCluster cluster = SessionCluster.create(dir.resolve("state"), clusterSettings(own, dir));
    Random moments = new Random(17);
    List<String> report = new ArrayList<>();
    try {
      cluster.start(SessionCluster.START_TIMEOUT);
      FlinkRest rest = new FlinkRest(cluster.restAddress());
      Map<String, String> sets = EndToEndChecks.jobSettings(services, null, "crash");
      sets.put("freshet.kafka.bootstrap-servers", bootstrap);
      InetSocketAddress cassandra = own.cassandraContactPoint();
      sets.put(
          "freshet.cassandra.contact-points",
          cassandra.getHostString() + ":" + cassandra.getPort());
      String group = "crash-" + UUID.randomUUID();
      sets.put("freshet.kafka.group-id", group);
      sets.put("freshet.kafka.starting-offsets", "earliest");
      String jobId =
          FeatureJobRunner.submit(rest, FeatureJobRunner.defaultJobJar(home), specFile, sets, null);
      CompletableFuture<Long> producing =
          CompletableFuture.supplyAsync(
              () -> {
                try (KafkaPublisher out = new KafkaPublisher(bootstrap, topic, RATE)) {
                  return KafkaPublisher.publish(generator, out, n -> {});
                }
              });
      for (Fault fault : faults()) {
        long checkpoints = awaitCheckpoints(rest, jobId, 2);
        Thread.sleep(500 + moments.nextInt(3_000));
        long at = System.nanoTime();
        long atMillis = System.currentTimeMillis();
        String what;
        if (fault == Fault.STOP_CASSANDRA) {
          what = cassandraOutage(own, spec, view, services.keyspace(), CASSANDRA_OUTAGE_SECONDS);
        } else if (fault == Fault.RESTART_KAFKA) {
          own.stop(EnumSet.of(Service.KAFKA));
          Thread.sleep(3_000);
          own.start(EnumSet.of(Service.KAFKA));
          what =
              String.format(
                  Locale.ROOT,
                  "broker stopped for 3 s, up again %.1f s after the stop",
                  (System.nanoTime() - at) / 1e9);
        } else if (fault == Fault.KILL_JOBMANAGER && JOBMANAGER_HA) {
          long pid = cluster.pid(FlinkCluster.JOBMANAGER).orElseThrow();
          ProcessControl.killHard(pid, Duration.ofSeconds(15));
          cluster.start(SessionCluster.START_TIMEOUT);
          double up = (System.nanoTime() - at) / 1e9;
          // the new JobManager finds the job in ZooKeeper and restores it by itself: same job id
          long restored = awaitRestored(rest, jobId, atMillis);
          what =
              String.format(
                  Locale.ROOT,
                  "JobManager pid %d killed; a new one up %.1f s later took the job back from"
                      + " ZooKeeper, restored from checkpoint %d %.1f s after the kill",
                  pid,
                  up,
                  restored,
                  (System.nanoTime() - at) / 1e9);
        } else if (fault == Fault.KILL_JOBMANAGER) {
          long pid = cluster.pid(FlinkCluster.JOBMANAGER).orElseThrow();
          ProcessControl.killHard(pid, Duration.ofSeconds(15));
          cluster.start(SessionCluster.START_TIMEOUT);
          double up = (System.nanoTime() - at) / 1e9;
          Path checkpoint = latestCheckpoint(cluster.dir().resolve("checkpoints").resolve(jobId));
          jobId =
              FeatureJobRunner.submit(
                  rest,
                  FeatureJobRunner.defaultJobJar(home),
                  specFile,
                  sets,
                  checkpoint.toUri().toString());
          long restored = awaitRestored(rest, jobId, atMillis);
          what =
              String.format(
                  Locale.ROOT,
                  "JobManager pid %d killed; a new one up %.1f s later; the job resubmitted from"
                      + " %s, restored from checkpoint %d %.1f s after the kill",
                  pid,
                  up,
                  checkpoint.getFileName(),
                  restored,
                  (System.nanoTime() - at) / 1e9);
        } else {
          long pid = cluster.pid(FlinkCluster.TASKMANAGER).orElseThrow();
          ProcessControl.killHard(pid, Duration.ofSeconds(15));
          cluster.start(SessionCluster.START_TIMEOUT);
          long restored = awaitRestored(rest, jobId, atMillis);
          what =
              String.format(
                  Locale.ROOT,
                  "TaskManager pid %d killed; restored from checkpoint %d %.1f s later",
                  pid,
                  restored,
                  (System.nanoTime() - at) / 1e9);
        }
        awaitCheckpoints(rest, jobId, 1);
        report.add(
            String.format(
                Locale.ROOT,
                "%s after %d checkpoints: %s; checkpointed again %.1f s after the fault",
                fault,
                checkpoints,
                what,
                (System.nanoTime() - at) / 1e9));
      }
      assertThat(producing.get()).isEqualTo(EVENTS);
      UntilEnd end = UntilEnd.take(bootstrap, topic, group, UntilEnd.Start.EARLIEST);
      FeatureJobRunner.Result r =
          EndToEndChecks.followToEnd(rest, jobId, end, dir.resolve("savepoints"));
      // each TaskManager kill after the JobManager's is at least one restart of the resubmitted
      // job (more when an attempt finds no slot yet)
      assertThat(r.last().restarts()).as("restarts").isGreaterThanOrEqualTo(TASKMANAGER_KILLS - 1);
      report.forEach(System.out::println);

      Catalog crashed =
          HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), dir.resolve("state")));
      Map<String, List<EndToEndChecks.HistoryRow>> afterCrashes;
      try {
        try (CqlSession session = TestServices.sessionBuilder(cassandra).build()) {
          EndToEndChecks.servingEqualsHistoryEqualsOracle(
              spec, generator, session, services.keyspace(), crashed, "crash", Map.of());
        }
        afterCrashes = sorted(EndToEndChecks.history(crashed, "crash", view));
      } finally {
        if (crashed instanceof AutoCloseable c) {
          c.close();
        }
      }

      Map<String, List<EndToEndChecks.HistoryRow>> clean = cleanRun(services, spec, dir, bootstrap);
      assertThat(afterCrashes.values().stream().mapToInt(List::size).sum())
          .as("history rows after the faults against a clean run")
          .isEqualTo(clean.values().stream().mapToInt(List::size).sum());
      assertThat(afterCrashes).isEqualTo(clean);
    } finally {
      cluster.stop(Duration.ofSeconds(30));
      own.stop();
    }
  }

  /**
   * Stops Cassandra for {@code seconds} and starts it again. Meanwhile a serving client reads one
   * entity every 500 ms: each read must fail (an error the caller sees, never a value served from
   * memory); after the restart, reads succeed again. Returns what happened, with the times.
   */
  private static String cassandraOutage(
      LocalServices own, FeatureSpec spec, ViewSpec view, String keyspace, int seconds)
      throws Exception {
    InetSocketAddress cassandra = own.cassandraContactPoint();
    // the client with a session of its own, as `freshet serve` and model servers build it
    try (FeatureClient client =
        FeatureClient.builder()
            .contactPoints(cassandra.getHostString() + ":" + cassandra.getPort())
            .keyspace(keyspace)
            .spec(spec)
            .requestTimeout(Duration.ofSeconds(1))
            .build()) {
      String entity = "c1";
      assertThat(client.get(view.name(), entity).features()).isNotEmpty();
      long at = System.nanoTime();
      own.stop(EnumSet.of(Service.CASSANDRA));
      int reads = 0;
      List<String> errors = new ArrayList<>();
      long stopped = System.nanoTime();
      while (System.nanoTime() - stopped < Duration.ofSeconds(seconds).toNanos()) {
        long t = System.nanoTime();
        try {
          FeatureVector v = client.get(view.name(), entity);
          throw new AssertionError("a read while Cassandra is down answered " + v);
        } catch (RuntimeException e) {
          errors.add(e.getClass().getSimpleName());
        }
        reads++;
        assertThat(Duration.ofNanos(System.nanoTime() - t))
            .as("a failed read's time")
            .isLessThan(Duration.ofSeconds(3));
        Thread.sleep(500);
      }
      own.start(EnumSet.of(Service.CASSANDRA));
      long up = System.nanoTime();
      long deadline = up + Duration.ofSeconds(60).toNanos();
      FeatureVector after = null;
      while (after == null && System.nanoTime() < deadline) {
        try {
          after = client.get(view.name(), entity);
        } catch (RuntimeException e) {
          Thread.sleep(250);
        }
      }
      assertThat(after).as("a read within 60 s of Cassandra's restart").isNotNull();
      assertThat(Duration.ofNanos(System.nanoTime() - up))
          .as("from Cassandra answering again to the client's first read")
          .isLessThan(Duration.ofSeconds(10));
      assertThat(errors).as("reads while Cassandra was down").hasSize(reads).isNotEmpty();
      return String.format(
          Locale.ROOT,
          "Cassandra down %d s: %d reads, all failed (%s); up again %.1f s after the stop, the"
              + " client read again %.1f s after that",
          seconds,
          reads,
          new java.util.TreeSet<>(errors),
          (up - at) / 1e9,
          (System.nanoTime() - up) / 1e9);
    }
  }

  /** The same topic read by a job that never failed (local MiniCluster, history only). */
  private static Map<String, List<EndToEndChecks.HistoryRow>> cleanRun(
      TestServices services, FeatureSpec spec, Path dir, String bootstrap) throws Exception {
    Path cleanDir = dir.resolve("clean");
    Map<String, String> sets = EndToEndChecks.jobSettings(services, cleanDir, "clean");
    sets.put("freshet.kafka.bootstrap-servers", bootstrap);
    sets.put("freshet.kafka.group-id", "crash-clean-" + UUID.randomUUID());
    sets.put("freshet.cassandra.enabled", "false");
    EndToEndChecks.runToEnd(services, spec, sets);
    Catalog catalog = EndToEndChecks.catalog(cleanDir);
    try {
      return sorted(EndToEndChecks.history(catalog, "clean", spec.views().get(0)));
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  private static Map<String, List<EndToEndChecks.HistoryRow>> sorted(
      Map<String, List<EndToEndChecks.HistoryRow>> rows) {
    Map<String, List<EndToEndChecks.HistoryRow>> out = new TreeMap<>();
    rows.forEach(
        (entity, list) -> {
          List<EndToEndChecks.HistoryRow> copy = new ArrayList<>(list);
          copy.sort(
              Comparator.comparingLong(EndToEndChecks.HistoryRow::validFrom)
                  .thenComparingInt(EndToEndChecks.HistoryRow::revision));
          out.put(entity, copy);
        });
    return out;
  }

  /**
   * The session cluster's settings: a killed TaskManager noticed within seconds, and, with {@link
   * #JOBMANAGER_HA}, ZooKeeper high availability on the test's ZooKeeper (its own cluster id and
   * storage dir).
   */
  private static Map<String, String> clusterSettings(LocalServices own, Path dir) {
    Map<String, String> conf = new java.util.LinkedHashMap<>();
    conf.put("metrics.fetcher.update-interval", Long.toString(JobProgress.POLL_MILLIS));
    // a killed TaskManager is noticed within seconds, not the default 50 s
    conf.put("heartbeat.interval", "1000");
    conf.put("heartbeat.timeout", "5000");
    if (JOBMANAGER_HA) {
      conf.putAll(
          FlinkCluster.zooKeeperHighAvailability(
              own.zooKeeperQuorum(), dir.resolve("ha"), "/fault-it-" + UUID.randomUUID()));
    }
    return conf;
  }

  /**
   * The newest complete checkpoint of a job whose JobManager died: the {@code chk-<n>} directory
   * with the highest n that holds its {@code _metadata} (checkpoints are retained on a crash).
   */
  private static Path latestCheckpoint(Path jobCheckpoints) throws Exception {
    try (var dirs = Files.list(jobCheckpoints)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("chk-"))
          .filter(d -> Files.isRegularFile(d.resolve("_metadata")))
          .max(
              Comparator.comparingLong(
                  d -> Long.parseLong(d.getFileName().toString().substring("chk-".length()))))
          .orElseThrow(() -> new AssertionError("no complete checkpoint in " + jobCheckpoints));
    }
  }

  /** Waits until the job has completed {@code more} checkpoints beyond now; returns the count. */
  private static long awaitCheckpoints(FlinkRest rest, String jobId, int more) throws Exception {
    long start = rest.completedCheckpoints(jobId);
    long deadline = System.nanoTime() + CHECKPOINT_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      long n = rest.completedCheckpoints(jobId);
      if (n >= start + more) {
        return n;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "job " + jobId + " completed no " + more + " checkpoints in " + CHECKPOINT_WAIT);
  }

  /**
   * Waits until the job has been restored from a checkpoint after {@code sinceMillis} and runs;
   * returns the checkpoint's id.
   */
  private static long awaitRestored(FlinkRest rest, String jobId, long sinceMillis)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    java.io.IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        var restored = rest.get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        if (restored.path("restore_timestamp").asLong(0) > sinceMillis
            && "RUNNING".equals(rest.jobState(jobId))) {
          return restored.path("id").asLong();
        }
      } catch (java.io.IOException e) {
        // a JobManager taking the job back from ZooKeeper answers 500 until its JobMaster is up
        last = e;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "job " + jobId + " was not restored from a checkpoint and running within 120 s", last);
  }
}
