package io.freshet.jobs;

import io.freshet.connectors.UpdateSink;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.connectors.cassandra.CassandraUpdateSink;
import io.freshet.connectors.iceberg.IcebergOptions;
import io.freshet.connectors.iceberg.IcebergUpdateSink;
import io.freshet.connectors.iceberg.IcebergViolationSink;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecBundle;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the shaded job jar: {@code --spec FILE [--set key=value]...}, or {@code
 * --spec-bundle B [--set key=value]...} with a {@link SpecBundle} (the spec and its Avro schema in
 * one argument, which {@code freshet run --jobmanager} sends, so the JobManager needs neither
 * file). Reads the spec, builds {@link FeatureJob} with the Kafka source, the Cassandra online
 * store and the Iceberg history (each can be turned off: {@link CassandraOptions#ENABLED}, {@link
 * IcebergOptions#ENABLED}), and runs it. Settings given with {@code --set} (for example {@code
 * freshet.kafka.bootstrap-servers=host:9092}) override the cluster's configuration.
 */
public final class FeatureJobMain {
  static final String USAGE = "usage: (--spec FILE | --spec-bundle B) [--set key=value]...";

  private FeatureJobMain() {}

  /** The parsed arguments: the spec (read and validated) and the settings. */
  public record Arguments(FeatureSpec spec, Configuration conf) {}

  public static void main(String[] args) throws Exception {
    Arguments a = arguments(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(a.conf());
    new FeatureJob(a.spec(), new KafkaEventSource(a.conf()), sinks(a.conf())).build(env);
    env.execute("freshet: " + a.spec().source().name());
  }

  /**
   * Parses and checks the arguments; reads the spec. Public for checks of deployments' job
   * arguments (k8s/).
   *
   * @throws IllegalArgumentException naming what is wrong and the usage
   * @throws io.freshet.spec.SpecException if the spec is not valid
   */
  public static Arguments arguments(String[] args) {
    Path specFile = null;
    String bundle = null;
    List<String> sets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--spec" -> specFile = Path.of(requireValue(args, ++i, "--spec"));
        case "--spec-bundle" -> bundle = requireValue(args, ++i, "--spec-bundle");
        case "--set" -> sets.add(requireValue(args, ++i, "--set"));
        default ->
            throw new IllegalArgumentException("unknown argument '" + args[i] + "'; " + USAGE);
      }
    }
    if ((specFile == null) == (bundle == null)) {
      throw new IllegalArgumentException(
          (specFile == null ? "missing --spec FILE" : "give --spec or --spec-bundle, not both")
              + "; "
              + USAGE);
    }
    Configuration conf = new Configuration();
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set takes key=value, got '" + s + "'");
      }
      conf.setString(s.substring(0, eq), s.substring(eq + 1));
    }
    FeatureSpec spec =
        specFile != null ? SpecParser.parse(specFile) : SpecBundle.decode(bundle).parse();
    return new Arguments(spec, conf);
  }

  /** The stores of every view's updates; each reads its own enable flag and sets its own uids. */
  private static final List<UpdateSink> STORES =
      List.of(new CassandraUpdateSink(), new IcebergUpdateSink());

  /**
   * The production sinks: the {@link #STORES} turned on in {@code conf}, dead letters to Kafka,
   * expectation violations to Kafka and, with the history, to its namespace's violations table.
   * Public for launchers that build the job in their own environment ({@code freshet run}).
   */
  public static FeatureSinks sinks(Configuration conf) {
    return FeatureSinks.of(
        STORES,
        conf,
        (source, deadLetters) ->
            deadLetters
                .sinkTo(KafkaConnector.deadLetterSink(source, conf))
                .uid("dead-letter-sink-" + source.name())
                .name("dead letters: " + source.deadLetterTopic()),
        (source, violations) -> {
          violations
              .sinkTo(KafkaConnector.violationSink(source, conf))
              .uid("violation-sink-" + source.name())
              .name("violations: " + source.violationsTopic());
          if (conf.get(IcebergOptions.ENABLED)) {
            IcebergViolationSink.append(violations, source, conf);
          }
        });
  }

  private static String requireValue(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }
}
