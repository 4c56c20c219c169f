package io.freshet.cli;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.FlinkRest;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code freshet run}: the feature job of a spec, on a local MiniCluster in this JVM or submitted
 * to a Flink session cluster.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the feature job of a spec: read its Kafka topic, compute its views, write Cassandra"
          + " (current values) and Iceberg (history), dead letters to <topic>.dead-letters."
          + " By default on a local Flink MiniCluster in this process, with flink-conf/config.yaml"
          + " and a live progress line; with --jobmanager, the job jar is uploaded to a session"
          + " cluster's REST API and run there (the spec must be readable at the same path by"
          + " the JobManager)."
    },
    footer = {
      "",
      "Examples:",
      "  freshet run --spec examples/payments/payments.yaml --until-end",
      "  freshet run --spec examples/payments/payments.yaml --set freshet.kafka.starting-offsets=latest",
      "  freshet cluster start && freshet run --spec examples/payments/payments.yaml \\",
      "      --jobmanager 127.0.0.1:8081",
      "",
      "Settings (--set): freshet.kafka.* (bootstrap-servers, starting-offsets, group-id),"
          + " freshet.cassandra.* (contact-points, keyspace, enabled), freshet.iceberg.* (uri,"
          + " warehouse, namespace, enabled) and any Flink option; see docs/operations.md."
    })
public final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, paramLabel = "FILE", description = "Feature spec.")
  Path specFile;

  @Option(
      names = "--jobmanager",
      paramLabel = "HOST:PORT",
      description = "Submit to this session cluster's REST API (e.g. 127.0.0.1:8081).")
  String jobmanager;

  @Option(
      names = "--until-end",
      description =
          "Stop after the topic's end offsets as of the start (freshet.kafka.bounded=true):"
              + " backfills and tests. With --jobmanager, also wait for the job to finish.")
  boolean untilEnd;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "A job or Flink setting (repeatable).")
  Map<String, String> sets = new LinkedHashMap<>();

  @Option(
      names = "--flink-conf",
      paramLabel = "DIR",
      description = "Directory of config.yaml for local runs (default: <checkout>/flink-conf).")
  Path flinkConf;

  @Option(
      names = "--job-jar",
      paramLabel = "JAR",
      description = "Job jar to submit (default: jobs/target/freshet-jobs-*-job.jar).")
  Path jobJar;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    FeatureSpec featureSpec = SpecParser.parse(specFile);
    Map<String, String> settings = new LinkedHashMap<>(sets);
    settings.putIfAbsent("freshet.kafka.bootstrap-servers", LocalDefaults.kafka());
    settings.putIfAbsent("freshet.cassandra.contact-points", LocalDefaults.cassandra());
    if (untilEnd) {
      FeatureJobRunner.untilEnd(settings);
    }
    boolean terminal = System.console() != null;
    if (jobmanager == null) {
      Path confDir = flinkConf != null ? flinkConf : LocalDefaults.home().resolve("flink-conf");
      Configuration conf = FeatureJobRunner.localConfiguration(confDir, settings);
      out.println(
          "running the feature job of "
              + specFile
              + " on a local MiniCluster (REST API http://127.0.0.1:"
              + conf.getString("rest.port", "?")
              + ")"
              + (untilEnd
                  ? " until the end of " + featureSpec.source().topic()
                  : "; Ctrl-C stops"));
      out.flush();
      FeatureJobRunner.Result r = FeatureJobRunner.runLocal(featureSpec, conf, err, terminal);
      out.printf(
          "job %s finished: %,d events, %,d feature updates, %,d dead letters%n",
          r.jobId(), r.last().events(), r.last().updates(), r.last().deadLetters());
      out.flush();
      return 0;
    }
    FlinkRest rest = new FlinkRest(jobmanager);
    Path jar = jobJar != null ? jobJar : FeatureJobRunner.defaultJobJar(LocalDefaults.home());
    String jobId = FeatureJobRunner.submit(rest, jar, specFile, settings);
    out.println("submitted job " + jobId + " to " + rest.address() + " (web UI at that address)");
    out.flush();
    if (untilEnd) {
      FeatureJobRunner.Result r = FeatureJobRunner.follow(rest, jobId, err, terminal);
      out.printf(
          "job %s finished: %,d events, %,d feature updates, %,d dead letters%n",
          r.jobId(), r.last().events(), r.last().updates(), r.last().deadLetters());
      out.flush();
    }
    return 0;
  }
}
