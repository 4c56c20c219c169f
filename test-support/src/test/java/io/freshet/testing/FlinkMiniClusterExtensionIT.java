package io.freshet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FlinkMiniClusterExtension.class)
class FlinkMiniClusterExtensionIT {

  @Test
  void runsJobsOnTheSharedMiniClusterWithParallelismTwo(@InjectMiniCluster MiniCluster cluster)
      throws Exception {
    assertThat(cluster.isRunning()).isTrue();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assertThat(env.getParallelism()).isEqualTo(FlinkMiniClusterExtension.PARALLELISM);

    List<Long> out = new ArrayList<>();
    try (CloseableIterator<Long> it =
        env.fromSequence(1, 1_000).map(x -> x * 2).returns(Long.class).executeAndCollect()) {
      it.forEachRemaining(out::add);
    }
    assertThat(out).hasSize(1_000);
    assertThat(out.stream().mapToLong(Long::longValue).sum()).isEqualTo(1_001_000L);
  }
}
