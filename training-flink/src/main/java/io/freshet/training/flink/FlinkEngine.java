package io.freshet.training.flink;

import io.freshet.training.TrainingPlan;
import io.freshet.training.TrainingSet;
import io.freshet.training.TrainingSetException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.SerializedThrowable;

/**
 * Runs a training set as a Flink batch job ({@link FlinkTrainingSetJob}) on the given environment:
 * a local MiniCluster, a session cluster, whatever {@code env} executes on.
 *
 * <pre>{@code
 * Manifest m = TrainingSet.builder()
 *     .catalogProperties("freshet", props)   // the cluster opens the catalog itself
 *     ...
 *     .build()
 *     .run(new FlinkEngine(StreamExecutionEnvironment.getExecutionEnvironment()));
 * }</pre>
 *
 * <p>The job runs in BATCH mode (set on {@code env}); the manifest and the output's move into place
 * are {@link TrainingSet#run(TrainingSet.Engine)}'s, as for the in-process join. A spine error met
 * on the cluster (an unparseable timestamp, with its row number) comes back as the same {@link
 * TrainingSetException}.
 */
public final class FlinkEngine implements TrainingSet.Engine {
  private final StreamExecutionEnvironment env;

  public FlinkEngine(StreamExecutionEnvironment env) {
    this.env = env;
  }

  @Override
  public void write(TrainingPlan plan, Path file, Consumer<String> progress) throws Exception {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    new FlinkTrainingSetJob(plan, file).build(env);
    progress.accept(
        String.format(
            "training set: %,d spine rows, %d view(s), as a Flink batch job (parallelism %d)",
            plan.spineRows(), plan.views().size(), env.getParallelism()));
    long t0 = System.nanoTime();
    JobExecutionResult result;
    try {
      result = env.execute("freshet training set " + file.getFileName());
    } catch (Exception e) {
      throw unwrap(e);
    }
    progress.accept(
        String.format(
            "flink job %s finished in %.1f s", result.getJobID(), (System.nanoTime() - t0) / 1e9));
  }

  /**
   * The job's own error when it is a training-set error (e.g. a bad spine row), else a
   * TrainingSetException naming the root cause (Flink's own message is "Job execution failed").
   */
  static TrainingSetException unwrap(Exception e) {
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TrainingSetException tse) {
        return tse;
      }
      if (t instanceof SerializedThrowable st
          && TrainingSetException.class.getName().equals(st.getOriginalErrorClassName())) {
        return new TrainingSetException(st.getMessage(), e);
      }
      root = t;
    }
    return new TrainingSetException("the Flink job failed: " + root, e);
  }
}
