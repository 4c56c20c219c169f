package io.freshet.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The engine of {@link TrainingSet#run()}: the point-in-time join in this process, beside the Flink
 * batch job of the training-flink module. Memory is bounded by the spine, never by the history: the
 * history streams through the join ({@link HistoryScan}) and is never held. When the spine-sized
 * join state fits in {@code rowsInMemory} the join runs in memory ({@link InMemoryJoin}); above it,
 * spine and history are partitioned by entity through spill files ({@link SpilledJoin}). Both apply
 * {@link AsOfJoin}'s rule and write the same rows.
 */
final class InProcessEngine implements TrainingSet.Engine {
  private final List<ViewPlan> views;
  private final long rowsInMemory;
  private final Path tempDir;

  /**
   * @param views the plan's views with their open tables, in {@link TrainingPlan#views()} order
   * @param rowsInMemory spine rows held at once (see {@link TrainingSet.Builder#rowsInMemory}); 0
   *     or less: a default from the heap size
   * @param tempDir where spill files go; null: the system temp directory
   */
  InProcessEngine(List<ViewPlan> views, long rowsInMemory, Path tempDir) {
    this.views = views;
    this.rowsInMemory = rowsInMemory > 0 ? rowsInMemory : defaultRowsInMemory();
    this.tempDir = tempDir;
  }

  private static long defaultRowsInMemory() {
    return Math.max(100_000L, Runtime.getRuntime().maxMemory() / 400);
  }

  @Override
  public void write(TrainingPlan plan, Path file, Consumer<String> progress) throws IOException {
    long historyRows = 0;
    for (ViewPlan p : views) {
      historyRows = Math.max(historyRows, p.rows());
    }
    // The history streams past and is never held; what is held is spine-sized: while a view is
    // read, one join state per reader thread and the results of the views already read.
    long total = plan.spineRows() * (views.size() + HistoryScan.READERS - 1L);
    int buckets = (int) Math.max(1, Math.min(4096, total / rowsInMemory + 1));
    if (total <= rowsInMemory) {
      buckets = 1;
    }
    progress.accept(
        String.format(
            "training set: %,d spine rows, %d view(s), %,d history rows in the largest, %d partition(s)",
            plan.spineRows(), views.size(), historyRows, buckets));
    HistoryScan history = new HistoryScan(plan.asServed(), progress);
    if (buckets == 1) {
      new InMemoryJoin(plan, views, history, progress).run(file);
    } else {
      new SpilledJoin(plan, views, history, buckets, tempDir, progress).run(file);
    }
  }
}
