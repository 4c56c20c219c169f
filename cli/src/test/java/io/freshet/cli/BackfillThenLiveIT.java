package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.services.FlinkRest;
import io.freshet.spec.SpecParser;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The backfill-then-live handover as a new user runs it, through the CLI only: a day of payments
 * produced to the topic, {@code freshet run --until-end} (which stops with a savepoint), then a
 * live {@code freshet run --from-savepoint LAST} while new payments arrive stamped with the current
 * time, and {@code freshet get} shows them within seconds; {@code freshet stop} ends the live run
 * with a savepoint. The customer under test paid only more than an hour before the backfill's end,
 * so its 1-hour count is 0 after the backfill and exactly the live payments after them.
 */
@RealServices
class BackfillThenLiveIT {
  /** The ports the live run's Prometheus reporters take (its JobManager's and TaskManager's). */
  private static final String PROMETHEUS_PORTS = "29250-29270";

  /** The Grafana dashboard, whose every metric name the live job must expose. */
  private static final String DASHBOARD = "../k8s/monitoring/freshet-dashboard.json";

  /** How long the live values may take to show: the out-of-orderness (2 s) and a few seconds. */
  private static final Duration WITHIN = Duration.ofSeconds(15);

  @Test
  @Timeout(240)
  void liveValuesShowInFreshetGetWithinSecondsOfTheHandover(TestServices services)
      throws Exception {
    String topic = services.createTopic("handover-payments", 1);
    Path dir = Files.createTempDirectory("freshet-handover-it");
    Path specFile = ExampleSpec.onTopic(dir, topic, "customer_risk", "handover_risk");
    String[] settings = {
      "--set", "freshet.kafka.bootstrap-servers=" + services.kafkaBootstrapServers(),
      "--set", "freshet.kafka.group-id=handover-" + System.nanoTime(),
      "--set", "freshet.cassandra.keyspace=" + services.keyspace(),
      "--set", "metrics.reporter.prom.port=" + PROMETHEUS_PORTS
    };
    AutoCloseable state = ExampleSpec.stateDir(dir.resolve("state"));
    AtomicBoolean ticking = new AtomicBoolean(true);
    CompletableFuture<Integer> live = null;
    CompletableFuture<Void> ticker = null;
    try {
      // 1. A day of history: 2,000 payments of 40 customers, the newest 10 minutes ago; c7's
      // newest 3 hours ago.
      long now = System.currentTimeMillis();
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        String customer = "c" + (i % 40);
        long t = now - Duration.ofDays(1).toMillis() + i * 43_000L;
        if (customer.equals("c7")) {
          t = Math.min(t, now - Duration.ofHours(3).toMillis());
        }
        lines.add(payment("p" + i, customer, 10.0 + i % 7, t));
      }
      produce(services, specFile, dir.resolve("history.jsonl"), lines);
      CliRunner cli = new CliRunner();
      assertThat(
              cli.run(withSettings(settings, "run", "--spec", specFile.toString(), "--until-end")))
          .as("the backfill run: %s", cli.err())
          .isZero();
      assertThat(cli.out()).contains("savepoint");
      String backfill =
          runs().read(SpecParser.parse(specFile).source().name()).orElseThrow().jobId();
      assertThat(get(services, "c7")).containsEntry("txn_count_1h", "0");

      // 2. Live from the backfill's savepoint, with a producer stamping the current time.
      live =
          CompletableFuture.supplyAsync(
              () ->
                  new CliRunner()
                      .run(
                          withSettings(
                              settings,
                              "run",
                              "--spec",
                              specFile.toString(),
                              "--from-savepoint",
                              "LAST")));
      ticker =
          CompletableFuture.runAsync(
              () -> {
                int n = 0;
                while (ticking.get()) {
                  try {
                    produce(
                        services,
                        specFile,
                        dir.resolve("tick.jsonl"),
                        List.of(
                            payment("t" + n++, "c" + (n % 5), 1.0, System.currentTimeMillis())));
                    Thread.sleep(300);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }
              });
      awaitRunning(specFile, backfill, live);
      long sent = System.currentTimeMillis();
      produce(
          services,
          specFile,
          dir.resolve("live.jsonl"),
          List.of(
              payment("l1", "c7", 5.0, sent),
              payment("l2", "c7", 6.0, sent + 1),
              payment("l3", "c7", 7.0, sent + 2)));
      long shown = -1;
      long deadline = sent + Duration.ofSeconds(60).toMillis();
      while (System.currentTimeMillis() < deadline) {
        if ("3".equals(get(services, "c7").get("txn_count_1h"))) {
          shown = System.currentTimeMillis();
          break;
        }
        Thread.sleep(250);
      }
      assertThat(shown).as("the live payments shown by freshet get within a minute").isPositive();
      Duration took = Duration.ofMillis(shown - sent);
      System.out.printf(
          Locale.ROOT,
          "live values shown by freshet get %.1f s after produce%n",
          took.toMillis() / 1e3);
      assertThat(took).as("live values shown by freshet get").isLessThan(WITHIN);
      // The dashboard is built on metric names the running job really exposes (a record that is
      // not Avro registers the dead letters' per-reason counter).
      try (var producer =
          new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
              java.util.Map.of(
                  "bootstrap.servers", services.kafkaBootstrapServers(),
                  "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class,
                  "value.serializer",
                      org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
        producer
            .send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    topic, "c9".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {-1}))
            .get();
      }
      PrometheusScrape.dashboardNamesExposed(
          PROMETHEUS_PORTS, Path.of(DASHBOARD), Duration.ofSeconds(60));
      var vector = get(services, "c7");
      assertThat(vector).containsEntry("amount_sum_1h", "18.0");
      assertThat(vector.get("status")).isEqualTo("PRESENT");

      // 3. freshet stop ends the live run with a savepoint.
      ticking.set(false);
      ticker.get(30, TimeUnit.SECONDS);
      CliRunner stop = new CliRunner();
      assertThat(stop.run("stop", "--spec", specFile.toString()))
          .as("freshet stop: %s", stop.err())
          .isZero();
      assertThat(stop.out()).contains("savepoint: ");
      assertThat(live.get(120, TimeUnit.SECONDS)).as("the live run's exit code").isZero();
    } finally {
      ticking.set(false);
      if (live != null && !live.isDone()) {
        new CliRunner().run("stop", "--spec", specFile.toString());
      }
      state.close();
    }
  }

  private static String[] withSettings(String[] settings, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(settings));
    return all.toArray(String[]::new);
  }

  private static String payment(String id, String customer, double amount, long time) {
    return ExampleSpec.payment(id, customer, "m" + Math.abs(id.hashCode()) % 9, amount, time);
  }

  private static void produce(TestServices services, Path spec, Path file, List<String> lines)
      throws Exception {
    Files.write(file, lines);
    CliRunner cli = new CliRunner();
    int code =
        cli.run(
            "produce",
            "--spec",
            spec.toString(),
            "--file",
            file.toString(),
            "--bootstrap-servers",
            services.kafkaBootstrapServers());
    assertThat(code).as("freshet produce: %s", cli.err()).isZero();
  }

  private static final Pattern FEATURE_LINE =
      Pattern.compile("^(\\w+)\\s+(long|double|string|boolean)\\s+(\\w+)\\s+\\S+\\s+(.*)$");

  /** What {@code freshet get} prints for the entity: feature name to value, and the status. */
  private static java.util.Map<String, String> get(TestServices services, String entity) {
    CliRunner cli = new CliRunner();
    int code =
        cli.run(
            "get",
            "--view",
            "handover_risk",
            "--entity",
            entity,
            "--keyspace",
            services.keyspace());
    assertThat(code).as("freshet get: %s", cli.err()).isZero();
    java.util.Map<String, String> out = new java.util.HashMap<>();
    for (String line : cli.out().split("\n")) {
      if (line.startsWith("status: ")) {
        out.put("status", line.substring("status: ".length()).split("\\s+")[0]);
      }
      Matcher m = FEATURE_LINE.matcher(line.strip());
      if (m.matches()) {
        out.put(m.group(1), m.group(4).strip());
      }
    }
    return out;
  }

  /** Waits until the live run's job (another than {@code backfill}) is RUNNING. */
  private static void awaitRunning(Path spec, String backfill, CompletableFuture<Integer> live)
      throws Exception {
    String source = SpecParser.parse(spec).source().name();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (live.isDone()) {
        throw new AssertionError("the live run ended with exit code " + live.get());
      }
      var record = runs().read(source);
      if (record.isPresent()
          && record.get().jobId() != null
          && !record.get().jobId().equals(backfill)
          && "RUNNING".equals(new FlinkRest(record.get().rest()).jobState(record.get().jobId()))) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the live run did not start within 90 s");
  }

  private static RunRecords runs() {
    return new RunRecords(Path.of(System.getProperty("freshet.state.dir")));
  }
}
