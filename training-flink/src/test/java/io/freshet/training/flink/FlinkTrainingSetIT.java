package io.freshet.training.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.testing.FlinkMiniClusterExtension;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingSet;
import io.freshet.training.TrainingSetScenarios;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TrainingSetScenarios} as a Flink batch job on a MiniCluster (one TaskManager, parallelism
 * 2, so entities are split across two join subtasks and the output order comes from the final
 * sort): the same naive oracle with zero differences, the same manifest reproduction, the same
 * errors. The job runs with the pipeline settings of flink-conf/config.yaml that matter here: no
 * Kryo (generic types off), no generated uids, object reuse on.
 */
class FlinkTrainingSetIT extends TrainingSetScenarios {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();

  @Override
  protected Manifest run(TrainingSet trainingSet) {
    Configuration conf = new Configuration();
    conf.setString("pipeline.generic-types", "false");
    conf.setString("pipeline.auto-generate-uid", "false");
    conf.setString("pipeline.object-reuse", "true");
    conf.setString("execution.checkpointing.interval", "10s");
    conf.setString("restart-strategy.type", "none");
    return trainingSet.run(
        new FlinkEngine(StreamExecutionEnvironment.getExecutionEnvironment(conf)));
  }

  @Override
  protected void checkProgress(List<String> lines, long rowsInMemory) {
    assertThat(lines).anyMatch(l -> l.contains("as a Flink batch job (parallelism 2)"));
    assertThat(lines).anyMatch(l -> l.startsWith("flink job ") && l.contains(" finished in "));
  }
}
