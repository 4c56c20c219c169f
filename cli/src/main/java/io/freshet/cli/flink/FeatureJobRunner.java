package io.freshet.cli.flink;

import io.freshet.jobs.FeatureJob;
import io.freshet.jobs.FeatureJobMain;
import io.freshet.jobs.KafkaEventSource;
import io.freshet.operators.flink.JobCounts;
import io.freshet.services.FlinkPlugins;
import io.freshet.services.FlinkRest;
import io.freshet.services.LoopbackPorts;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;

/**
 * Runs the feature job of a spec: on a local MiniCluster in this JVM (with flink-conf/config.yaml),
 * or by submitting the shaded job jar to a session cluster through the REST API, the way a user
 * would. Either way {@link JobProgress} follows it through the REST API, and the closing counts
 * come from the job's accumulators ({@link JobCounts}), which are exact, not from the sampled
 * metrics of the progress line.
 *
 * <p>Stopping: a bounded run ({@link UntilEnd}) and Ctrl-C of a local run stop the job with a
 * savepoint, without draining, so that the job's event time stays where the data took it and a
 * later run continues from the savepoint ({@code freshet run --from-savepoint}).
 */
public final class FeatureJobRunner {
  private FeatureJobRunner() {}

  private static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(5);

  /** What the job did, from its accumulators: the current execution attempt's counts. */
  public record Counts(
      long events, long updates, long corrections, long deadLetters, long tooLate) {
    static Counts of(Map<String, ?> accumulators) {
      return new Counts(
          count(accumulators, JobCounts.EVENTS_READ),
          count(accumulators, JobCounts.UPDATES),
          count(accumulators, JobCounts.CORRECTIONS),
          count(accumulators, JobCounts.DEAD_LETTERS),
          count(accumulators, JobCounts.TOO_LATE));
    }

    private static long count(Map<String, ?> accumulators, String name) {
      Object v = accumulators.get(name);
      return v instanceof Number n ? n.longValue() : 0;
    }
  }

  /**
   * The outcome of a run: the last progress snapshot, the job's exact counts, the savepoint it was
   * stopped with (null if it was not stopped with one) and the number of the signal that stopped a
   * local run (Ctrl-C: 2, SIGTERM: 15, SIGHUP: 1; 0 if none did).
   */
  public record Result(
      String jobId, JobProgress.Snapshot last, Counts counts, String savepoint, int signal) {
    /** The exit code of a command that ran the job: 128 + the signal that stopped it, else 0. */
    public int exitCode() {
      return signal == 0 ? 0 : 128 + signal;
    }

    /** The closing line of a run. */
    public String summary() {
      String line =
          String.format(
              "job %s finished: %,d events read, %,d feature updates (%,d corrections), %,d dead"
                  + " letters (%,d too late)",
              jobId,
              counts.events(),
              counts.updates(),
              counts.corrections(),
              counts.deadLetters() + counts.tooLate(),
              counts.tooLate());
      if (last.restarts() > 0) {
        line += String.format("; %,d restarts (counts since the last restore)", last.restarts());
      }
      return line;
    }
  }

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
    // A local job's classes all come from this JVM's class path, but its tasks' threads carry a
    // job class loader that is closed when the job ends. Threads they start inherit it as context
    // class loader: Iceberg's shared worker pool does, and a later command in this JVM (the demo's
    // training set) reading the history through S3FileIO failed on it ("Trying to access closed
    // classloader", the AWS SDK's HTTP client looking up its logging). The closed loader still
    // delegates to this JVM's; only the check is off.
    if (!settings.containsKey("classloader.check-leaked-classloader")) {
      conf.setString("classloader.check-leaked-classloader", "false");
    }
    if (!settings.containsKey("metrics.fetcher.update-interval")) {
      conf.setString("metrics.fetcher.update-interval", Long.toString(JobProgress.POLL_MILLIS));
    }
    return conf;
  }

  /** The REST address of a local run's MiniCluster. */
  public static String localRestAddress(Configuration conf) {
    return "127.0.0.1:" + conf.getString("rest.port", "8081");
  }

  /**
   * Where a run restores its state from: {@code execution.state-recovery.path} of the
   * configuration, or null for a run without saved state.
   */
  public static String restorePath(Configuration conf) {
    String p = conf.getString("execution.state-recovery.path", null);
    return p == null || p.isBlank() ? null : p;
  }

  /** Runs until the job ends (or Ctrl-C, which stops it with a savepoint). */
  public static Result runLocal(
      FeatureSpec spec, Configuration conf, PrintWriter progress, boolean terminal)
      throws Exception {
    return runLocal(spec, conf, progress, terminal, null, Listener.NONE);
  }

  /**
   * Told what a local run did that a launcher records: its job id, the savepoint it stopped with.
   */
  public interface Listener {
    Listener NONE = jobId -> {};

    void started(String jobId);

    /** The savepoint the job was stopped with (also when Ctrl-C stopped it). */
    default void savepoint(String path) {}
  }

  /**
   * Builds the job with the production source and sinks, runs it on a local MiniCluster and follows
   * it (progress on {@code progress}) until it ends. With {@code untilEnd}, stops it with a
   * savepoint, without draining, once the source has read the topic up to those offsets. Ctrl-C,
   * SIGTERM and SIGHUP also stop it with a savepoint ({@link StopOnSignal}), after which this
   * returns with {@link Result#signal} set. Fails with {@link JobFailedException} if the job fails
   * for good.
   *
   * @param listener told the job id as soon as the job is submitted, and the savepoint
   */
  public static Result runLocal(
      FeatureSpec spec,
      Configuration conf,
      PrintWriter progress,
      boolean terminal,
      UntilEnd untilEnd,
      Listener listener)
      throws Exception {
    // A MiniCluster does not configure Flink's file systems as a cluster's processes do: without
    // this, there would be no s3:// (a plugin), nor would it see the run's s3.* settings.
    FileSystem.initialize(conf, FlinkPlugins.manager(conf));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    new FeatureJob(spec, new KafkaEventSource(conf), FeatureJobMain.sinks(conf)).build(env);
    JobClient client = env.executeAsync("freshet: " + spec.source().name());
    String jobId = client.getJobID().toHexString();
    listener.started(jobId);
    FlinkRest rest = new FlinkRest(localRestAddress(conf));
    String savepointDir = conf.getString("execution.checkpointing.savepoint-dir", null);
    Supplier<String> stopWithSavepoint =
        () -> {
          try {
            return client
                .stopWithSavepoint(false, savepointDir, SavepointFormatType.CANONICAL)
                .get(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          } catch (Exception e) {
            progress.println("no savepoint (" + e + ")");
            progress.flush();
            return null;
          }
        };
    StopOnSignal signals = new StopOnSignal(stopWithSavepoint, progress);
    // What a signal handler cannot catch (or a JVM that reserves the signals) ends the run here.
    // Iceberg's pools shut down in their own hooks at the same time, so the stop may fail there.
    Thread stopOnExit =
        new Thread(
            () -> {
              if (signals.signal() != 0 || client.getJobExecutionResult().isDone()) {
                return;
              }
              progress.println();
              progress.println("stopping the job with a savepoint");
              progress.flush();
              String path = stopWithSavepoint.get();
              if (path != null) {
                listener.savepoint(path);
                progress.println("savepoint: " + path);
                progress.println(resumeHint(path));
              }
              progress.flush();
            },
            "freshet-run-stop-on-exit");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      JobProgress p = new JobProgress(rest, jobId);
      StopAtEnd stop = new StopAtEnd(rest, jobId, p, untilEnd, savepointDir, progress);
      p.follow(progress, terminal, () -> client.getJobExecutionResult().isDone(), stop);
      JobExecutionResult r;
      try {
        r = client.getJobExecutionResult().get();
      } catch (ExecutionException e) {
        if (stop.failure != null) {
          throw stop.failure;
        }
        throw failed(jobId, p, e.getCause());
      }
      int signal = signals.signal();
      // a signal during a bounded run's own stop: that stop's savepoint, the signal's failing
      String savepoint =
          signal != 0 && stop.savepoint == null
              ? signals.awaitSavepoint(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
              : stop.savepoint;
      return new Result(
          r.getJobID().toHexString(),
          p.last().withState("FINISHED"),
          Counts.of(r.getAllAccumulatorResults()),
          savepoint,
          signal);
    } finally {
      signals.close();
      if (untilEnd != null) {
        untilEnd.close();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException e) {
        // shutting down
      }
    }
  }

  private static boolean checkpointed(FlinkRest rest, String jobId) {
    try {
      return rest.completedCheckpoints(jobId) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** The command that resumes from a savepoint. */
  public static String resumeHint(String savepoint) {
    return "resume with: freshet run --spec <the same spec> --from-savepoint " + savepoint;
  }

  private static JobFailedException failed(String jobId, JobProgress p, Throwable error) {
    Throwable root = ExceptionUtils.stripExecutionException(error);
    Throwable deepest = root;
    while (deepest.getCause() != null && deepest.getCause() != deepest) {
      deepest = deepest.getCause();
    }
    String message =
        "job "
            + jobId
            + " failed"
            + (p.last().restarts() > 0 ? " after " + p.last().restarts() + " restarts" : "")
            + ": "
            + root
            + (deepest != root ? " ... caused by " + deepest : "");
    return new JobFailedException(message, error);
  }

  /**
   * Uploads the job jar to a session cluster and runs {@code FeatureJobMain} with the spec and its
   * Avro schema shipped as an argument ({@link SpecBundle}: the JobManager needs neither file) and
   * {@code --set} settings, restoring its state from {@code savepoint} unless that is null; returns
   * the job id.
   */
  public static String submit(
      FlinkRest rest, Path jobJar, Path specFile, Map<String, String> sets, String savepoint)
      throws IOException {
    return submit(rest, jobJar, SpecBundle.read(specFile), sets, savepoint);
  }

  /** Like {@link #submit(FlinkRest, Path, Path, Map, String)} with a spec already bundled. */
  public static String submit(
      FlinkRest rest, Path jobJar, SpecBundle spec, Map<String, String> sets, String savepoint)
      throws IOException {
    String jarId = rest.uploadJar(jobJar);
    List<String> args = new ArrayList<>();
    args.add("--spec-bundle");
    args.add(spec.encode());
    sets.forEach(
        (k, v) -> {
          args.add("--set");
          args.add(k + "=" + v);
        });
    try {
      return rest.runJar(jarId, "io.freshet.jobs.FeatureJobMain", args, savepoint);
    } finally {
      try {
        rest.deleteJar(jarId);
      } catch (IOException e) {
        // the uploaded copy stays in the cluster's upload dir: harmless
      }
    }
  }

  /** Like {@link #submit(FlinkRest, Path, Path, Map, String)} without saved state. */
  public static String submit(FlinkRest rest, Path jobJar, Path specFile, Map<String, String> sets)
      throws IOException {
    return submit(rest, jobJar, specFile, sets, null);
  }

  /** Follows a submitted job until it ends; fails with the job's failure if it failed. */
  public static Result follow(FlinkRest rest, String jobId, PrintWriter progress, boolean terminal)
      throws Exception {
    return follow(rest, jobId, progress, terminal, null, null);
  }

  /**
   * Follows a submitted job until it ends; with {@code untilEnd}, stops it with a savepoint (in the
   * cluster's default savepoint directory unless {@code savepointDir} is given) once its source has
   * read the topic up to those offsets. Fails with {@link JobFailedException} if the job failed.
   */
  public static Result follow(
      FlinkRest rest,
      String jobId,
      PrintWriter progress,
      boolean terminal,
      UntilEnd untilEnd,
      String savepointDir)
      throws Exception {
    JobProgress p = new JobProgress(rest, jobId);
    StopAtEnd stop = new StopAtEnd(rest, jobId, p, untilEnd, savepointDir, progress);
    try {
      p.follow(progress, terminal, () -> stop.failure != null, stop);
    } finally {
      if (untilEnd != null) {
        untilEnd.close();
      }
    }
    JobProgress.Snapshot last = p.last();
    if (stop.failure != null) {
      throw stop.failure;
    }
    if (!"FINISHED".equals(last.state())) {
      List<FlinkRest.Failure> f = rest.failures(jobId, 1);
      throw new JobFailedException(
          "job "
              + jobId
              + " ended "
              + last.state()
              + (last.restarts() > 0 ? " after " + last.restarts() + " restarts" : "")
              + (f.isEmpty() ? "" : ": " + f.get(0).summary()),
          null);
    }
    return new Result(jobId, last, Counts.of(rest.accumulators(jobId)), stop.savepoint, 0);
  }

  /**
   * The stop of a bounded run, called at each poll: once {@code untilEnd} is done and every task
   * runs, stops the job with a savepoint (through the REST API, for a local MiniCluster as for a
   * session cluster). A stop can fail while a task is restarting or a checkpoint is in the way, so
   * it is tried again 5 s later, and the job is cancelled after the fifth failure.
   */
  private static final class StopAtEnd implements Consumer<JobProgress.Snapshot> {
    private static final int MAX_ATTEMPTS = 5;
    private static final long PAUSE_NANOS = 5_000_000_000L;

    private final FlinkRest rest;
    private final String jobId;
    private final JobProgress progress;
    private final UntilEnd untilEnd;
    private final String savepointDir;
    private final PrintWriter out;
    private int failures;
    private long next = Long.MIN_VALUE;

    /** The savepoint the job was stopped with, once it was. */
    String savepoint;

    /** The last stop's failure, once the job was cancelled after it. */
    IOException failure;

    StopAtEnd(
        FlinkRest rest,
        String jobId,
        JobProgress progress,
        UntilEnd untilEnd,
        String savepointDir,
        PrintWriter out) {
      this.rest = rest;
      this.jobId = jobId;
      this.progress = progress;
      this.untilEnd = untilEnd;
      this.savepointDir = savepointDir;
      this.out = out;
      if (untilEnd != null) {
        progress.trackPositions();
      }
    }

    @Override
    public void accept(JobProgress.Snapshot s) {
      if (untilEnd == null
          || savepoint != null
          || failure != null
          || !s.running()
          || (next != Long.MIN_VALUE && System.nanoTime() < next)
          || !untilEnd.done(progress, () -> checkpointed(rest, jobId))) {
        return;
      }
      try {
        savepoint = rest.stopWithSavepoint(jobId, savepointDir, SAVEPOINT_TIMEOUT);
      } catch (IOException e) {
        out.println("  stop with savepoint failed (" + e.getMessage() + ")");
        out.flush();
        next = System.nanoTime() + PAUSE_NANOS;
        if (++failures >= MAX_ATTEMPTS) {
          failure = e;
          try {
            rest.cancel(jobId);
          } catch (IOException ignored) {
            // reported with the savepoint's failure
          }
        }
      }
    }
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
}
