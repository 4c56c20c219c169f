package io.freshet.jobs;

import io.freshet.avro.Decoded;
import io.freshet.connectors.archive.ArchiveSource;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.connectors.kafka.KafkaOffsets;
import io.freshet.spec.SourceSpec;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production source: the spec's Kafka topic, read by as many subtasks as it has partitions (at
 * most the job's parallelism). A source subtask without a partition would hold the watermark back
 * until the idle timeout: every feature update of a fresh job, and the end of a bounded run, would
 * wait for it.
 *
 * <p>A source with an archive reads its files first and then the topic, in one {@link HybridSource}
 * under its own uid ({@code archive-kafka-source-<name>}): a savepoint of a job with an archive
 * restores only into a job whose spec keeps the archive.
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
    KafkaSource<Decoded> kafka = KafkaConnector.source(source, fields, conf);
    DataStreamSource<Decoded> stream;
    if (source.archive() == null) {
      stream = env.fromSource(kafka, watermarks, "kafka: " + source.topic());
      stream.uid("kafka-source-" + source.name());
    } else {
      // the archive's files, then the topic from the handover on, as one source: one watermark
      // runs through both, so the topic's first events are on time after the archive's last
      HybridSource<Decoded> both =
          HybridSource.builder(ArchiveSource.of(source, fields)).addSource(kafka).build();
      stream =
          env.fromSource(
              both,
              watermarks,
              "archive, then kafka: " + source.topic(),
              new AvroTypeInfo<>(Decoded.class));
      stream.uid("archive-kafka-source-" + source.name());
    }
    int parallelism = env.getParallelism();
    if (parallelism > 1) {
      int partitions;
      try (KafkaOffsets offsets = KafkaOffsets.of(conf)) {
        partitions = offsets.partitions(source.topic());
      }
      stream.setParallelism(Math.max(1, Math.min(parallelism, partitions)));
    }
    return stream;
  }
}
