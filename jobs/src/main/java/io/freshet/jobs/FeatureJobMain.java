package io.freshet.jobs;

import io.freshet.connectors.UpdateSink;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.connectors.cassandra.CassandraUpdateSink;
import io.freshet.connectors.iceberg.IcebergOptions;
import io.freshet.connectors.iceberg.IcebergUpdateSink;
import io.freshet.connectors.iceberg.IcebergViolationSink;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the shaded job jar: {@code --spec FILE [--set key=value]...}. Reads the spec,
 * builds {@link FeatureJob} with the Kafka source, the Cassandra online store and the Iceberg
 * history (each can be turned off: {@link CassandraOptions#ENABLED}, {@link
 * IcebergOptions#ENABLED}), and runs it. Settings given with {@code --set} (for example {@code
 * freshet.kafka.bootstrap-servers=host:9092}) override the cluster's configuration.
 */
public final class FeatureJobMain {
  private FeatureJobMain() {}

  public static void main(String[] args) throws Exception {
    Path specFile = null;
    List<String> sets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--spec" -> specFile = Path.of(requireValue(args, ++i, "--spec"));
        case "--set" -> sets.add(requireValue(args, ++i, "--set"));
        default ->
            throw new IllegalArgumentException(
                "unknown argument '" + args[i] + "'; usage: --spec FILE [--set key=value]...");
      }
    }
    if (specFile == null) {
      throw new IllegalArgumentException("missing --spec FILE");
    }
    Configuration conf = new Configuration();
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set takes key=value, got '" + s + "'");
      }
      conf.setString(s.substring(0, eq), s.substring(eq + 1));
    }
    FeatureSpec spec = SpecParser.parse(specFile);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    new FeatureJob(spec, new KafkaEventSource(conf), sinks(conf)).build(env);
    env.execute("freshet: " + spec.source().name());
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
