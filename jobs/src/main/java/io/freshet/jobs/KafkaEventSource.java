package io.freshet.jobs;

import io.freshet.avro.Decoded;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.connectors.kafka.KafkaOffsets;
import io.freshet.connectors.kafka.KafkaOptions;
import io.freshet.spec.SourceSpec;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production source: the spec's Kafka topic, read by as many subtasks as it has partitions (at
 * most the job's parallelism). A source subtask without a partition would hold the watermark back
 * until the idle timeout: every feature update of a fresh job, and the end of a bounded run, would
 * wait for it.
 */
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
    DataStreamSource<Decoded> stream =
        env.fromSource(
            KafkaConnector.source(source, fields, conf), watermarks, "kafka: " + source.topic());
    stream.uid("kafka-source-" + source.name());
    int parallelism = env.getParallelism();
    if (parallelism > 1) {
      int partitions;
      try (KafkaOffsets kafka = new KafkaOffsets(conf.get(KafkaOptions.BOOTSTRAP_SERVERS))) {
        partitions = kafka.partitions(source.topic());
      }
      stream.setParallelism(Math.max(1, Math.min(parallelism, partitions)));
    }
    return stream;
  }
}
