package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ctrl-C of {@code freshet run}, as a user presses it: the CLI runs in a process of its own (as
 * {@code bin/freshet} starts it) and gets a SIGINT once it has read every event. The job must stop
 * with a savepoint whose Iceberg commit succeeds, so that the history holds every update the job
 * emitted (here the savepoint is the run's only commit: checkpoints are an hour apart), equal to
 * what Cassandra serves and to the naive oracle; the run prints its summary and the savepoint and
 * exits with 130.
 *
 * <p>Before the signal handler, the stop ran in a JVM shutdown hook, concurrently with the hooks
 * that shut down Iceberg's worker pools: the commit was refused, the job failed while stopping and
 * the history stayed empty.
 */
@RealServices
class StopOnSignalIT {
  @Test
  @Timeout(300)
  void ctrlCStopsALocalRunWithASavepointWhoseIcebergCommitLands(TestServices services)
      throws Exception {
    String topic = services.createTopic("signal-payments", 2);
    Path dir = Files.createTempDirectory("freshet-signal-it");
    Path specFile = ExampleSpec.onTopic(dir, topic);
    FeatureSpec spec = SpecParser.parse(specFile);
    PaymentsGenerator generator =
        new PaymentsGenerator(
            PaymentsGenerator.Settings.of(
                    3_000,
                    100,
                    2,
                    17,
                    Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS))
                .withLateFractions(0.01, 0));
    long sent;
    try (KafkaPublisher out = new KafkaPublisher(services.kafkaBootstrapServers(), topic, 0)) {
      sent = KafkaPublisher.publish(generator, out, n -> {});
    }

    Map<String, String> sets = EndToEndChecks.jobSettings(services, dir, "signal");
    sets.put("execution.checkpointing.interval", "1h"); // the savepoint is the only commit
    sets.put("freshet.kafka.group-id", "signal-" + System.nanoTime());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(
        List.of(
            "-Xmx768m",
            "-Dfreshet.home=" + Path.of("..").toAbsolutePath().normalize(),
            "-Dfreshet.state.dir=" + dir.resolve("state"),
            "-cp",
            System.getProperty("java.class.path"),
            FreshetCli.class.getName(),
            "run",
            "--spec",
            specFile.toString(),
            "--from-earliest"));
    sets.forEach(
        (k, v) -> {
          cmd.add("--set");
          cmd.add(k + "=" + v);
        });
    Path log = dir.resolve("run.log");
    Process run =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      String allRead = String.format("events %,d ", sent);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      // every event read and updates emitted (the progress line samples the job's metrics)
      while (Files.readString(log)
          .lines()
          .noneMatch(l -> l.contains(allRead) && !l.contains("| updates 0 "))) {
        assertThat(run.isAlive()).as("the run is alive: %s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime())
            .as("read every event: %s", Files.readString(log))
            .isLessThan(deadline);
        Thread.sleep(250);
      }
      new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).inheritIO().start().waitFor();
      assertThat(run.waitFor(120, TimeUnit.SECONDS)).as("stopped within 2 minutes").isTrue();
    } finally {
      run.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(run.exitValue()).as(output).isEqualTo(130);
    assertThat(output)
        .contains("SIGINT: stopping the job with a savepoint")
        .contains(String.format("finished: %,d events read", sent))
        .contains("savepoint: file:")
        .contains("resume with: freshet run --spec")
        .doesNotContain("no savepoint")
        .doesNotContain("RejectedExecutionException");

    EndToEndChecks.servingEqualsHistoryEqualsOracle(spec, generator, services, dir, "signal");
  }
}
