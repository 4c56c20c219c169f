package io.freshet.connectors.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history sink's job graph: the restore guard must share the task of Iceberg's aggregator. */
class RestoreSafeIcebergSinkTest {
  @TempDir Path dir;

  @Test
  void theRestoreGuardIsChainedToIcebergsAggregator() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    attachHistorySink(env);

    List<String> tasks =
        StreamSupport.stream(env.getStreamGraph().getJobGraph().getVertices().spliterator(), false)
            .map(JobVertex::getName)
            .toList();
    assertThat(tasks)
        .as("tasks of the job")
        .anySatisfy(
            task ->
                assertThat(task)
                    .contains("Sink pre-commit aggregator")
                    .contains(RestoreSafeIcebergSink.GUARD_NAME));
  }

  @Test
  void refusesAPipelineWithoutOperatorChaining() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.disableOperatorChaining();
    assertThatThrownBy(() -> attachHistorySink(env))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pipeline.operator-chaining.enabled");
  }

  private void attachHistorySink(StreamExecutionEnvironment env) {
    FeatureSpec spec = SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
    Configuration conf = new Configuration();
    conf.set(IcebergOptions.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"));
    conf.set(IcebergOptions.WAREHOUSE, dir.resolve("warehouse").toUri().toString());
    DataStream<FeatureUpdate> updates =
        env.fromSequence(0, 0)
            .map(i -> (FeatureUpdate) null, new AvroTypeInfo<>(FeatureUpdate.class));
    IcebergHistorySink.append(updates, spec.source(), spec.views().get(0), conf);
  }
}
