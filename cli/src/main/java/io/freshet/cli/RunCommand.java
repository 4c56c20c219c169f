package io.freshet.cli;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.connectors.kafka.KafkaOffsets;
import io.freshet.connectors.kafka.KafkaOptions;
import io.freshet.services.FlinkRest;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
          + " cluster's REST API and run there, with the spec and its Avro schema sent along"
          + " (the JobManager needs neither file; local archive paths must exist there too).",
      "A job is never started mid-stream without its state: if the spec's consumer group has read"
          + " the topic before, run refuses unless it resumes (--from-savepoint) or rebuilds the"
          + " state from the topic's start (--from-earliest). Ctrl-C and --until-end stop the job"
          + " with a savepoint, which a later run resumes from."
    },
    footer = {
      "",
      "Examples:",
      "  freshet run --spec examples/payments/payments.yaml --until-end",
      "  freshet run --spec examples/payments/payments.yaml --from-savepoint LAST",
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

  @Mixin FlinkOptions.Jobmanager cluster;

  @Option(
      names = "--until-end",
      description =
          "Read the topic up to its end offsets as of the start, then stop the job with a"
              + " savepoint (no drain: values and valid_from stay as of the data's watermark)."
              + " A live run resumes from that savepoint with --from-savepoint.")
  boolean untilEnd;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description =
          "Resume from this savepoint or retained checkpoint: restored state and Kafka offsets."
              + " LAST: the newest savepoint freshet took of this spec's job.")
  String fromSavepoint;

  @Option(
      names = "--from-earliest",
      description =
          "Start without saved state from the topic's earliest offsets, even if an earlier run"
              + " has read it: rebuilds every entity's state (the stores get the same values"
              + " again).")
  boolean fromEarliest;

  @Mixin FlinkOptions.Conf flink;

  @Mixin FlinkOptions.JobJar jobJar;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    FeatureSpec featureSpec = SpecParser.parse(specFile);
    String source = featureSpec.source().name();
    Map<String, String> settings = new LinkedHashMap<>(flink.sets);
    if (!settings.containsKey("freshet.kafka.bootstrap-servers")
        && !settings.containsKey("freshet.cassandra.contact-points")) {
      // the local services: secured ones need their client settings (files, no secrets)
      LocalDefaults.securedJobSettings().forEach(settings::putIfAbsent);
    }
    settings.putIfAbsent("freshet.kafka.bootstrap-servers", LocalDefaults.kafka());
    settings.putIfAbsent("freshet.cassandra.contact-points", LocalDefaults.cassandra());
    if (fromEarliest) {
      if (fromSavepoint != null) {
        throw new CliException("--from-earliest starts without state; drop --from-savepoint");
      }
      settings.put(KafkaOptions.STARTING_OFFSETS.key(), "earliest");
    }
    RunRecords runs = new RunRecords(LocalDefaults.stateDir());
    String restore = savepointToRestore(runs, source);
    boolean terminal = System.console() != null;
    String jobmanager = cluster.jobmanager;
    if (jobmanager == null) {
      Path confDir = flink.confDir();
      if (restore != null) {
        settings.put("execution.state-recovery.path", restore);
      }
      Configuration conf = FeatureJobRunner.localConfiguration(confDir, settings);
      Preflight.check(conf);
      restore = FeatureJobRunner.restorePath(conf);
      refuseStatelessResume(featureSpec, conf, restore, runs);
      UntilEnd end = untilEnd ? takeEnd(featureSpec, conf, restore) : null;
      String rest = FeatureJobRunner.localRestAddress(conf);
      out.println(
          "running the feature job of "
              + specFile
              + " on a local MiniCluster (REST API http://"
              + rest
              + ")"
              + (restore != null ? ", restored from " + restore : "")
              + (end != null ? "; until " + end : "; Ctrl-C stops it with a savepoint"));
      out.flush();
      FeatureJobRunner.Result r =
          FeatureJobRunner.runLocal(
              featureSpec,
              conf,
              err,
              terminal,
              end,
              new FeatureJobRunner.Listener() {
                @Override
                public void started(String jobId) {
                  RunCommand.started(runs, featureSpec, conf, rest, jobId);
                }

                @Override
                public void savepoint(String path) {
                  try {
                    runs.savepoint(source, path); // the run ended in the JVM's shutdown hook
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }
              });
      finished(out, runs, source, r);
      return r.exitCode();
    }
    Configuration clusterSettings = new Configuration();
    settings.forEach(clusterSettings::setString);
    Preflight.check(clusterSettings);
    refuseStatelessResume(featureSpec, clusterSettings, restore, runs);
    UntilEnd end = untilEnd ? takeEnd(featureSpec, clusterSettings, restore) : null;
    FlinkRest rest = new FlinkRest(jobmanager);
    String jobId = FeatureJobRunner.submit(rest, jobJar.jobJar(), specFile, settings, restore);
    started(runs, featureSpec, clusterSettings, jobmanager, jobId);
    out.println(
        "submitted job "
            + jobId
            + " to "
            + rest.address()
            + (restore != null ? ", restored from " + restore : "")
            + " (web UI at that address)"
            + (end != null ? "; until " + end : ""));
    out.flush();
    if (untilEnd) {
      finished(out, runs, source, FeatureJobRunner.follow(rest, jobId, err, terminal, end, null));
    }
    return 0;
  }

  /** --from-savepoint, with LAST resolved from the run records. */
  private String savepointToRestore(RunRecords runs, String source) throws Exception {
    if (fromSavepoint == null) {
      return null;
    }
    if (!"LAST".equals(fromSavepoint)) {
      return fromSavepoint;
    }
    Optional<RunRecords.Run> r = runs.read(source);
    if (r.isEmpty() || r.get().savepoint() == null) {
      throw new CliException(
          "--from-savepoint LAST: no savepoint of source "
              + source
              + " recorded under "
              + LocalDefaults.stateDir().resolve("runs")
              + "; give the savepoint's path");
    }
    return r.get().savepoint();
  }

  /**
   * A job started without state from the consumer group's committed offsets would continue
   * mid-stream with every window empty, and serve and record wrong values: refuse, and say how to
   * resume or rebuild instead.
   */
  private void refuseStatelessResume(
      FeatureSpec featureSpec, Configuration conf, String restore, RunRecords runs)
      throws Exception {
    if (restore != null
        || !"committed-or-earliest".equals(conf.get(KafkaOptions.STARTING_OFFSETS))) {
      return;
    }
    String topic = featureSpec.source().topic();
    String group = KafkaConnector.groupId(featureSpec.source(), conf);
    Map<Integer, Long> committed;
    try (KafkaOffsets kafka = KafkaOffsets.of(conf)) {
      committed = kafka.committed(group, topic);
    }
    // the newest savepoint counts if its job read this topic with this group: another group's
    // run is another job
    String last =
        runs.read(featureSpec.source().name())
            .filter(r -> r.savepointReads(topic, group))
            .map(RunRecords.Run::savepoint)
            .orElse(null);
    if (committed.isEmpty() && last == null) {
      return;
    }
    throw new CliException(
        (committed.isEmpty()
                ? "an earlier run of source "
                    + featureSpec.source().name()
                    + " was stopped with savepoint "
                    + last
                : "consumer group "
                    + group
                    + " has read topic "
                    + topic
                    + " before (committed offsets "
                    + new java.util.TreeMap<>(committed)
                    + ")")
            + ", but this run has no saved state: it would start over or continue mid-stream"
            + " with every window empty. Either resume with --from-savepoint "
            + (last != null ? "LAST (" + last + ")" : "PATH")
            + ", or rebuild the state from the start of the topic with --from-earliest, or use"
            + " another consumer group (--set "
            + KafkaOptions.GROUP_ID.key()
            + "=...).");
  }

  private UntilEnd takeEnd(FeatureSpec featureSpec, Configuration conf, String restore) {
    return UntilEnd.take(
        conf.get(KafkaOptions.BOOTSTRAP_SERVERS),
        KafkaOptions.clientProperties(conf),
        featureSpec.source().topic(),
        KafkaConnector.groupId(featureSpec.source(), conf),
        restore != null
            ? UntilEnd.Start.RESTORED
            : "latest".equals(conf.get(KafkaOptions.STARTING_OFFSETS))
                ? UntilEnd.Start.LATEST
                : UntilEnd.Start.EARLIEST);
  }

  private static void started(
      RunRecords runs, FeatureSpec featureSpec, Configuration conf, String rest, String jobId) {
    try {
      runs.started(
          featureSpec.source().name(),
          rest,
          jobId,
          featureSpec.source().topic(),
          KafkaConnector.groupId(featureSpec.source(), conf));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void finished(
      PrintWriter out, RunRecords runs, String source, FeatureJobRunner.Result r)
      throws java.io.IOException {
    out.println(r.summary());
    if (r.savepoint() != null) {
      runs.savepoint(source, r.savepoint());
      out.println("savepoint: " + r.savepoint());
      out.println(FeatureJobRunner.resumeHint(r.savepoint()));
    }
    out.flush();
  }
}
