package io.freshet.jobs;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.cassandra.CassandraFeatureSink;
import io.freshet.connectors.iceberg.IcebergHistorySink;
import io.freshet.connectors.iceberg.IcebergOptions;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the shaded job jar: {@code --spec FILE [--set key=value]...}. Reads the spec,
 * builds {@link FeatureJob} with the Kafka source, the Cassandra online store and the Iceberg
 * history (each can be turned off: {@link JobOptions}, {@link IcebergOptions#ENABLED}), and runs
 * it. Settings given with {@code --set} (for example {@code
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

  /**
   * The production sinks: Cassandra and Iceberg per view (each can be turned off), dead letters to
   * Kafka. Public for launchers that build the job in their own environment ({@code freshet run}).
   */
  public static FeatureSinks sinks(Configuration conf) {
    return new FeatureSinks() {
      @Override
      public void updates(SourceSpec source, ViewSpec view, DataStream<FeatureUpdate> updates) {
        if (conf.get(JobOptions.CASSANDRA_ENABLED)) {
          updates
              .sinkTo(CassandraFeatureSink.forView(source, view, conf))
              .uid(CassandraFeatureSink.uid(source, view))
              .name("cassandra: " + view.name());
        }
        if (conf.get(IcebergOptions.ENABLED)) {
          IcebergHistorySink.append(updates, source, view, conf);
        }
      }

      @Override
      public void deadLetters(SourceSpec source, DataStream<DeadLetter> deadLetters) {
        deadLetters
            .sinkTo(KafkaConnector.deadLetterSink(source, conf))
            .uid("dead-letter-sink-" + source.name())
            .name("dead letters: " + source.deadLetterTopic());
      }
    };
  }

  private static String requireValue(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }
}
