package io.freshet.jobs;

import io.freshet.avro.Decoded;
import io.freshet.spec.SourceSpec;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Where a feature job's events come from: Kafka in production, anything in tests. */
@FunctionalInterface
public interface EventSource {
  /**
   * Adds the source to the environment. It must assign timestamps and watermarks with the given
   * strategy (per partition where it can) and set a stable uid.
   */
  DataStream<Decoded> create(
      StreamExecutionEnvironment env,
      SourceSpec source,
      List<String> fields,
      WatermarkStrategy<Decoded> watermarks);
}
