package io.freshet.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The in-process join when everything fits in memory: one pass over the spine, no spill files. The
 * history streams through a {@link StreamingAsOfJoin} state per reader thread (fed through a {@link
 * PartitionedOffer}, so each buffer's work stays in cache) and is never held; what is held is the
 * spine's (entity, timestamp) and one value per spine row and feature. The readers' states are
 * merged, and each view's values are laid out in spine order before the output pass.
 */
final class InMemoryJoin {
  private final TrainingPlan plan;
  private final List<ViewPlan> views;
  private final HistoryScan history;
  private final Consumer<String> progress;

  InMemoryJoin(
      TrainingPlan plan, List<ViewPlan> views, HistoryScan history, Consumer<String> progress) {
    this.plan = plan;
    this.views = views;
    this.history = history;
    this.progress = progress;
  }

  void run(Path out) throws IOException {
    SpineRows spine = new SpineRows();
    try (Spine s = plan.openSpine().readAhead(false)) {
      while (s.next()) {
        spine.add(s.entity(), s.timestamp());
      }
    }
    int bits = PartitionedOffer.bits(spine.size);
    spine.groupByPartition(bits);
    progress.accept(
        String.format(
            "read spine: %,d rows, %,d entities, %d partitions",
            spine.size, spine.entities.size(), 1 << bits));
    int[][] chosen = new int[views.size()][];
    FeatureColumns[] values = new FeatureColumns[views.size()];
    for (int v = 0; v < views.size(); v++) {
      ViewPlan p = views.get(v);
      StreamingAsOfJoin join = new StreamingAsOfJoin(spine, p.types, p.ttlMillis, plan.inclusive());
      StreamingAsOfJoin.State[] states = new StreamingAsOfJoin.State[HistoryScan.READERS];
      PartitionedOffer[] offers = new PartitionedOffer[HistoryScan.READERS];
      history.scan(
          p,
          (utf8, off, len) -> EntityIndex.partition(EntityIndex.hash(utf8, off, len), bits),
          t -> {
            states[t] = join.newState();
            offers[t] = new PartitionedOffer(spine.entities, bits, states[t], p.types);
            return offers[t];
          });
      for (PartitionedOffer o : offers) {
        if (o != null) {
          o.finish();
        }
      }
      StreamingAsOfJoin.State result = states[0] != null ? states[0] : join.newState();
      for (int t = 1; t < states.length; t++) {
        if (states[t] != null) {
          result.merge(states[t]);
          states[t] = null;
        }
      }
      // The values in spine order, so that the output reads them in sequence: one gathering
      // pass of independent loads, which the CPU overlaps, instead of a random load per row and
      // feature in the middle of the Parquet writer. The states are gone, so two value sets fit
      // where the readers' states were.
      int[] at = result.chosen();
      FeatureColumns inSpineOrder = new FeatureColumns(p.types, spine.size);
      for (int i = 0; i < at.length; i++) {
        if (at[i] >= 0) {
          inSpineOrder.copy(result.values, at[i], i);
          at[i] = i;
        }
      }
      chosen[v] = at;
      values[v] = inSpineOrder;
      progress.accept(String.format("read and joined history of %s", p.view));
    }
    int[] firstColumn = new int[views.size()];
    for (int v = 0; v < views.size(); v++) {
      firstColumn[v] = plan.firstFeatureColumn(v);
    }
    Object[] row = new Object[plan.featureColumns()];
    new OutputPass(plan, progress) {
      @Override
      FeatureColumns[] views() {
        return values;
      }

      @Override
      void rowsOf(long rowIndex, int[] rows) {
        for (int v = 0; v < chosen.length; v++) {
          rows[v] = chosen[v][(int) rowIndex];
        }
      }

      @Override
      Object[] next(String entity, long rowIndex) {
        int i = (int) rowIndex;
        for (int v = 0; v < chosen.length; v++) {
          int c = chosen[v][i];
          for (int f = 0; f < values[v].features(); f++) {
            row[firstColumn[v] + f] = c < 0 ? null : values[v].get(f, c);
          }
        }
        return row;
      }
    }.write(out);
  }
}
