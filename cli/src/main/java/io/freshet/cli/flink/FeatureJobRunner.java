package io.freshet.cli.flink;

import io.freshet.connectors.kafka.KafkaOptions;
import io.freshet.jobs.FeatureJob;
import io.freshet.jobs.FeatureJobMain;
import io.freshet.jobs.KafkaEventSource;
import io.freshet.services.LoopbackPorts;
import io.freshet.spec.FeatureSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the feature job of a spec: on a local MiniCluster in this JVM (with flink-conf/config.yaml),
 * or by submitting the shaded job jar to a session cluster through the REST API, the way a user
 * would. Either way {@link JobProgress} follows it through the REST API.
 */
public final class FeatureJobRunner {
  private FeatureJobRunner() {}

  /** The outcome of a run. */
  public record Result(String jobId, JobProgress.Snapshot last) {}

  /**
   * Flink's configuration for a local run: config.yaml of {@code flinkConfDir} (if it has one),
   * then the given settings, a free REST port and a metrics refresh as often as the progress line
   * polls ({@link JobProgress#POLL_MILLIS}).
   */
  public static Configuration localConfiguration(Path flinkConfDir, Map<String, String> settings)
      throws IOException {
    Configuration conf =
        flinkConfDir != null && Files.isRegularFile(flinkConfDir.resolve("config.yaml"))
            ? GlobalConfiguration.loadConfiguration(flinkConfDir.toString())
            : new Configuration();
    settings.forEach(conf::setString);
    if (!settings.containsKey("rest.port")) {
      int port = LoopbackPorts.free();
      conf.setString("rest.port", Integer.toString(port));
      conf.setString("rest.bind-port", Integer.toString(port));
    }
    conf.setString("rest.address", "127.0.0.1");
    conf.setString("rest.bind-address", "127.0.0.1");
    if (!settings.containsKey("metrics.fetcher.update-interval")) {
      conf.setString("metrics.fetcher.update-interval", Long.toString(JobProgress.POLL_MILLIS));
    }
    return conf;
  }

  /**
   * Builds the job with the production source and sinks and runs it on a local MiniCluster; follows
   * it (progress on {@code progress}) until it ends. Fails with the job's error.
   */
  public static Result runLocal(
      FeatureSpec spec, Configuration conf, PrintWriter progress, boolean terminal)
      throws Exception {
    return runLocal(spec, conf, progress, terminal, 0);
  }

  /**
   * Like {@link #runLocal(FeatureSpec, Configuration, PrintWriter, boolean)}; when {@code
   * stopAfterEvents} is positive, stops the (unbounded) job with a savepoint, without draining,
   * once its source has read that many records. Unlike a bounded run, which advances the watermark
   * to the end of time and so fires every window's exit (vectors valid in the future, all windows
   * empty), this leaves the stores as a live job has them: current as of the newest events.
   */
  public static Result runLocal(
      FeatureSpec spec,
      Configuration conf,
      PrintWriter progress,
      boolean terminal,
      long stopAfterEvents)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    new FeatureJob(spec, new KafkaEventSource(conf), FeatureJobMain.sinks(conf)).build(env);
    JobClient client = env.executeAsync("freshet: " + spec.source().name());
    String jobId = client.getJobID().toHexString();
    FlinkRest rest = new FlinkRest("127.0.0.1:" + conf.getString("rest.port", "8081"));
    Thread cancelOnExit =
        new Thread(
            () -> {
              try {
                client.cancel().get();
              } catch (Exception e) {
                // the JVM is going down anyway
              }
            },
            "freshet-run-cancel");
    Runtime.getRuntime().addShutdownHook(cancelOnExit);
    try {
      JobProgress p = new JobProgress(rest, jobId);
      java.util.concurrent.atomic.AtomicBoolean stopping =
          new java.util.concurrent.atomic.AtomicBoolean();
      JobProgress.Snapshot last =
          p.follow(
              progress,
              terminal,
              () -> client.getJobExecutionResult().isDone(),
              s -> {
                if (stopAfterEvents > 0
                    && s.events() >= stopAfterEvents
                    && "RUNNING".equals(s.state())
                    && stopping.compareAndSet(false, true)) {
                  client
                      .stopWithSavepoint(
                          false,
                          conf.getString(
                              "execution.checkpointing.savepoint-dir",
                              "file:///tmp/freshet/savepoints"),
                          org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
                      .exceptionally(
                          e -> {
                            progress.println("stop with savepoint failed (" + e + "); cancelling");
                            client.cancel();
                            return null;
                          });
                }
              });
      JobExecutionResult r = client.getJobExecutionResult().get(); // throws the job's failure
      return new Result(r.getJobID().toHexString(), last.withState("FINISHED"));
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cancelOnExit);
      } catch (IllegalStateException e) {
        // shutting down
      }
    }
  }

  /**
   * Uploads the job jar to a session cluster and runs {@code FeatureJobMain} with the spec (an
   * absolute path the JobManager can read) and {@code --set} settings; returns the job id.
   */
  public static String submit(FlinkRest rest, Path jobJar, Path specFile, Map<String, String> sets)
      throws IOException {
    String jarId = rest.uploadJar(jobJar);
    List<String> args = new ArrayList<>();
    args.add("--spec");
    args.add(specFile.toAbsolutePath().normalize().toString());
    sets.forEach(
        (k, v) -> {
          args.add("--set");
          args.add(k + "=" + v);
        });
    try {
      return rest.runJar(jarId, "io.freshet.jobs.FeatureJobMain", args);
    } finally {
      try {
        rest.deleteJar(jarId);
      } catch (IOException e) {
        // the uploaded copy stays in the cluster's upload dir: harmless
      }
    }
  }

  /** Follows a submitted job until it ends; fails with the job's root exception if it failed. */
  public static Result follow(FlinkRest rest, String jobId, PrintWriter progress, boolean terminal)
      throws Exception {
    JobProgress.Snapshot last =
        new JobProgress(rest, jobId).follow(progress, terminal, () -> false);
    if (!"FINISHED".equals(last.state())) {
      throw new IllegalStateException(
          "job " + jobId + " ended " + last.state() + ": " + rest.rootException(jobId));
    }
    return new Result(jobId, last);
  }

  /** The job jar that jobs/ builds, in a checkout. */
  public static Path defaultJobJar(Path home) throws IOException {
    Path target = home.resolve("jobs").resolve("target");
    if (Files.isDirectory(target)) {
      try (var files = Files.list(target)) {
        var jar =
            files
                .filter(f -> f.getFileName().toString().matches("freshet-jobs-.*-job\\.jar"))
                .findFirst();
        if (jar.isPresent()) {
          return jar.get();
        }
      }
    }
    throw new IOException(
        "no job jar in "
            + target
            + ": build it with ./mvnw -pl jobs -am package -DskipTests, or pass --job-jar");
  }

  /** Sets freshet.kafka.bounded (stop at the topics' current end). */
  public static void untilEnd(Map<String, String> sets) {
    sets.put(KafkaOptions.BOUNDED.key(), "true");
  }
}
