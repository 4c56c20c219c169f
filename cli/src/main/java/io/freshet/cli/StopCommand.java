package io.freshet.cli;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.services.FlinkRest;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet stop}: stops a feature job with a savepoint, without draining, and prints the
 * savepoint a later {@code freshet run --from-savepoint} resumes from.
 */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Stop a feature job with a savepoint (no drain: its values stay as of the data's"
          + " watermark) and print the savepoint to resume from. Finds the newest job freshet"
          + " run started for the spec (local or on a session cluster), or the job given."
    },
    footer = {
      "",
      "Examples:",
      "  freshet stop --spec examples/payments/payments.yaml",
      "  freshet stop --jobmanager 127.0.0.1:8081 --job 3f2c...",
      "  freshet run --spec examples/payments/payments.yaml --from-savepoint LAST"
    })
public final class StopCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--spec",
      paramLabel = "FILE",
      description = "Stop the newest job freshet run started for this spec.")
  Path specFile;

  @Mixin FlinkOptions.Jobmanager cluster;

  @Option(names = "--job", paramLabel = "ID", description = "The job's id (with --jobmanager).")
  String jobId;

  @Option(
      names = "--savepoint-dir",
      paramLabel = "URI",
      description = "Where the savepoint goes (default: the cluster's savepoint directory).")
  String savepointDir;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description = "How long to wait for the savepoint (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    RunRecords runs = new RunRecords(LocalDefaults.stateDir());
    String source = null;
    String rest = cluster.jobmanager;
    String job = jobId;
    if (specFile != null) {
      FeatureSpec featureSpec = SpecParser.parse(specFile);
      source = featureSpec.source().name();
      RunRecords.Run r =
          runs.read(source)
              .orElseThrow(
                  () ->
                      new CliException(
                          "no run of "
                              + specFile
                              + " recorded under "
                              + LocalDefaults.stateDir().resolve("runs")
                              + "; give --jobmanager and --job"));
      rest = rest != null ? rest : r.rest();
      job = job != null ? job : r.jobId();
    }
    if (rest == null || job == null) {
      throw new CliException("give --spec FILE, or --jobmanager HOST:PORT and --job ID");
    }
    FlinkRest flink = new FlinkRest(rest);
    if (!flink.reachable()) {
      throw new CliException(
          "no Flink REST API answers at "
              + flink.address()
              + " (the job's run has ended, or its cluster is down)");
    }
    String state = flink.jobState(job);
    if (!"RUNNING".equals(state)) {
      throw new CliException("job " + job + " is " + state + ", not RUNNING: nothing to stop");
    }
    out.println("stopping job " + job + " at " + flink.address() + " with a savepoint ...");
    out.flush();
    String path = flink.stopWithSavepoint(job, savepointDir, Duration.ofSeconds(timeoutSeconds));
    if (source != null) {
      runs.savepoint(source, path);
    }
    out.println("savepoint: " + path);
    out.println(FeatureJobRunner.resumeHint(path));
    out.flush();
    return 0;
  }
}
