package io.freshet.jobs;

import io.freshet.avro.Decoded;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.spec.SourceSpec;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The production source: the spec's Kafka topic. */
public final class KafkaEventSource implements EventSource {
  private final Configuration conf;

  public KafkaEventSource(Configuration conf) {
    this.conf = conf;
  }

  @Override
  public DataStream<Decoded> create(
      StreamExecutionEnvironment env,
      SourceSpec source,
      List<String> fields,
      WatermarkStrategy<Decoded> watermarks) {
    return env.fromSource(
            KafkaConnector.source(source, fields, conf), watermarks, "kafka: " + source.topic())
        .uid("kafka-source-" + source.name());
  }
}
