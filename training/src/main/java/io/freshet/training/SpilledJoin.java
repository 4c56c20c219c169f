package io.freshet.training;

import io.freshet.spec.ValueType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The in-process join when the spine-sized join state would not fit in memory: spine and history
 * are hash-partitioned by entity into spill files, each partition is joined on its own with a
 * {@link StreamingAsOfJoin} (an entity's rows all land in one partition, so the result is the
 * in-memory join's), and the output pass reads each spine row's values back from its partition's
 * result file, where they come in spine order. Memory holds one partition's spine and join state at
 * a time. Spill files live in a fresh directory (under the configured temp directory) that is
 * deleted however the join ends.
 *
 * <pre>
 *  spine ─────────────────────► spine-b ────────┐
 *  view v's history, reader t ─► history-v-rt-b ─┴─► join b ─► result-b ─► output (spine order)
 * </pre>
 */
final class SpilledJoin {
  private final TrainingPlan plan;
  private final List<ViewPlan> views;
  private final HistoryScan history;
  private final int buckets;
  private final Path tempDir;
  private final Consumer<String> progress;

  /**
   * @param buckets partitions (and spill files per spine, view and reader)
   * @param tempDir where the spill directory goes; null: the system temp directory
   */
  SpilledJoin(
      TrainingPlan plan,
      List<ViewPlan> views,
      HistoryScan history,
      int buckets,
      Path tempDir,
      Consumer<String> progress) {
    this.plan = plan;
    this.views = views;
    this.history = history;
    this.buckets = buckets;
    this.tempDir = tempDir;
    this.progress = progress;
  }

  private int bucket(byte[] utf8, int off, int len) {
    return Math.floorMod(EntityIndex.hash(utf8, off, len), buckets);
  }

  private int bucket(String entity) {
    byte[] b = entity.getBytes(StandardCharsets.UTF_8);
    return bucket(b, 0, b.length);
  }

  private static DataOutputStream out(Path file) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
  }

  private static DataInputStream in(Path file) throws IOException {
    return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
  }

  private DataOutputStream[] open(Path dir, String prefix) throws IOException {
    DataOutputStream[] outs = new DataOutputStream[buckets];
    for (int b = 0; b < buckets; b++) {
      outs[b] = out(dir.resolve(prefix + "-" + b));
    }
    return outs;
  }

  void run(Path out) throws IOException {
    Path dir =
        tempDir == null
            ? Files.createTempDirectory("freshet-training-")
            : Files.createTempDirectory(tempDir, "freshet-training-");
    try {
      runIn(dir, out);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private void runIn(Path dir, Path out) throws IOException {
    // 1. Spine rows to their partitions (spine order is kept within each partition).
    long[] spineCounts = new long[buckets];
    DataOutputStream[] spineOut = open(dir, "spine");
    try (Spine s = plan.openSpine().readAhead(false)) {
      while (s.next()) {
        int b = bucket(s.entity());
        Values.writeString(spineOut[b], s.entity());
        spineOut[b].writeLong(s.timestamp());
        spineCounts[b]++;
      }
    } finally {
      for (DataOutputStream o : spineOut) {
        o.close();
      }
    }
    // 2. History rows of each view to their partitions.
    long[][][] historyCounts = new long[views.size()][HistoryScan.READERS][buckets];
    for (int v = 0; v < views.size(); v++) {
      ViewPlan p = views.get(v);
      List<DataOutputStream[]> outs = new ArrayList<>();
      for (int t = 0; t < HistoryScan.READERS; t++) {
        outs.add(open(dir, "history-" + v + "-r" + t));
      }
      long[][] counts = historyCounts[v];
      try {
        history.scan(
            p,
            this::bucket,
            t -> {
              DataOutputStream[] hOut = outs.get(t);
              long[] mine = counts[t];
              return batch -> {
                for (int r = 0; r < batch.size; r++) {
                  int b = batch.entity[r];
                  if (b < 0) {
                    continue;
                  }
                  writeHistoryRow(hOut[b], batch, r);
                  mine[b]++;
                }
              };
            });
      } finally {
        for (DataOutputStream[] hOut : outs) {
          for (DataOutputStream o : hOut) {
            o.close();
          }
        }
      }
      progress.accept(String.format("partitioned history of %s", p.view));
    }
    // 3. Join each partition; its results in its spine order.
    List<ValueType> slotTypes = new ArrayList<>();
    for (ViewPlan p : views) {
      slotTypes.addAll(p.types);
    }
    for (int b = 0; b < buckets; b++) {
      SpineRows spine = new SpineRows();
      try (DataInputStream in = in(dir.resolve("spine-" + b))) {
        for (long i = 0; i < spineCounts[b]; i++) {
          String e = Values.readString(in);
          spine.add(e, in.readLong());
        }
      }
      int[][] chosen = new int[views.size()][];
      FeatureColumns[] values = new FeatureColumns[views.size()];
      for (int v = 0; v < views.size(); v++) {
        ViewPlan p = views.get(v);
        StreamingAsOfJoin.State state =
            new StreamingAsOfJoin(spine, p.types, p.ttlMillis, plan.inclusive()).newState();
        HistoryBatch batch = new HistoryBatch(p.types);
        for (int t = 0; t < HistoryScan.READERS; t++) {
          Path file = dir.resolve("history-" + v + "-r" + t + "-" + b);
          try (DataInputStream in = in(file)) {
            for (long i = 0; i < historyCounts[v][t][b]; i++) {
              readHistoryRow(in, batch, spine.entities);
              if (batch.size == HistoryBatch.CAPACITY) {
                state.offer(batch);
                batch.size = 0;
              }
            }
          }
          Files.deleteIfExists(file);
        }
        state.offer(batch);
        chosen[v] = state.chosen();
        values[v] = state.values;
      }
      try (DataOutputStream o = out(dir.resolve("result-" + b))) {
        for (int i = 0; i < spine.size; i++) {
          for (int v = 0; v < views.size(); v++) {
            int c = chosen[v][i];
            for (int f = 0; f < values[v].features(); f++) {
              if (c < 0) {
                o.writeByte(0);
              } else {
                Values.write(o, values[v], f, c);
              }
            }
          }
        }
      }
      Files.deleteIfExists(dir.resolve("spine-" + b));
      progress.accept(String.format("joined partition %d of %d", b + 1, buckets));
    }
    // 4. The output in spine order: each row's results are next in its partition's file.
    DataInputStream[] results = new DataInputStream[buckets];
    for (int b = 0; b < buckets; b++) {
      results[b] = in(dir.resolve("result-" + b));
    }
    Object[] row = new Object[slotTypes.size()];
    try {
      new OutputPass(plan, progress) {
        @Override
        Object[] next(String entity, long rowIndex) throws IOException {
          DataInputStream in = results[bucket(entity)];
          for (int s = 0; s < row.length; s++) {
            row[s] = Values.read(in, slotTypes.get(s));
          }
          return row;
        }
      }.write(out);
    } finally {
      for (DataInputStream in : results) {
        in.close();
      }
    }
  }

  /** Row {@code r} of a batch to a history spill file, as {@link #readHistoryRow} reads it. */
  private static void writeHistoryRow(DataOutputStream o, HistoryBatch batch, int r)
      throws IOException {
    o.writeInt(batch.entityLength(r));
    o.write(batch.entityBytes, batch.entityOffset[r], batch.entityLength(r));
    o.writeLong(batch.key[r]);
    o.writeLong(batch.validFrom[r]);
    o.writeInt(batch.revision[r]);
    o.writeLong(batch.lastEventTime[r]);
    for (int f = 0; f < batch.values.features(); f++) {
      Values.write(o, batch.values, f, r);
    }
  }

  /**
   * Appends the next row of a history spill file to {@code batch}, its entity as an id of the
   * partition's spine entities (-1 for an entity no spine row of the partition asks for).
   */
  private static void readHistoryRow(DataInputStream in, HistoryBatch batch, EntityIndex entities)
      throws IOException {
    byte[] e = Values.readBytes(in);
    int n = batch.size;
    batch.entity[n] = entities.idOf(e, 0, e.length);
    batch.key[n] = in.readLong();
    batch.validFrom[n] = in.readLong();
    batch.revision[n] = in.readInt();
    batch.lastEventTime[n] = in.readLong();
    for (int f = 0; f < batch.values.features(); f++) {
      Values.read(in, batch.values, f, n);
    }
    batch.size = n + 1;
  }
}
