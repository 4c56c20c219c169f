package io.freshet.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * The last pass of the in-process joins: reads the spine again and writes the output through {@link
 * TrainingOutput}, one row per spine row in spine order, the spine's values then the row's feature
 * values. A join says where each row's values are: {@link #next} one row at a time, or {@link
 * #views} and {@link #rowsOf} when it holds them all (then no Avro record is made per row).
 */
abstract class OutputPass {
  private final TrainingPlan plan;
  private final Consumer<String> progress;

  OutputPass(TrainingPlan plan, Consumer<String> progress) {
    this.plan = plan;
    this.progress = progress;
  }

  /** The feature values of the next spine row (in spine order), given its entity. */
  abstract Object[] next(String entity, long rowIndex) throws IOException;

  /**
   * The feature values of all spine rows, one {@link FeatureColumns} per view, when they are held:
   * then the output is written without Avro records ({@link TrainingOutput#openRows}), each row's
   * values found by {@link #rowsOf}. Null (the default): {@link #next} gives them.
   */
  FeatureColumns[] views() {
    return null;
  }

  /** For each view, the row of {@link #views} that holds spine row {@code rowIndex}, or -1. */
  void rowsOf(long rowIndex, int[] rows) {
    throw new UnsupportedOperationException();
  }

  void write(Path file) throws IOException {
    FeatureColumns[] views = views();
    if (views != null && writeRows(file, views)) {
      return;
    }
    Schema outSchema = plan.outputSchema();
    long total = 0;
    long t0 = System.nanoTime();
    try (Spine spine = plan.openSpine().readAhead(true);
        ParquetWriter<GenericRecord> writer = TrainingOutput.open(file, outSchema)) {
      int spineCols = spine.schema().getFields().size();
      while (spine.next()) {
        Object[] in = spine.values();
        Object[] features = next(spine.entity(), total);
        GenericData.Record rec = new GenericData.Record(outSchema);
        for (int i = 0; i < spineCols; i++) {
          rec.put(i, in[i]);
        }
        for (int i = 0; i < features.length; i++) {
          rec.put(spineCols + i, features[i]);
        }
        writer.write(rec);
        reportEveryMillion(++total, t0);
      }
    }
  }

  /**
   * The direct path of {@link #write}; false (nothing written) when the spine's types need Avro.
   */
  private boolean writeRows(Path file, FeatureColumns[] views) throws IOException {
    long total = 0;
    long t0 = System.nanoTime();
    try (Spine spine = plan.openSpine().readAhead(true)) {
      int spineCols = spine.schema().getFields().size();
      try (ParquetWriter<TrainingOutput.Row> writer =
          TrainingOutput.openRows(file, plan.outputSchema(), spineCols)) {
        if (writer == null) {
          return false;
        }
        TrainingOutput.Row row = new TrainingOutput.Row(views);
        while (spine.next()) {
          row.spine = spine.values();
          rowsOf(total, row.rows);
          writer.write(row);
          reportEveryMillion(++total, t0);
        }
      }
    }
    return true;
  }

  private void reportEveryMillion(long total, long t0) {
    if (total % 1_000_000 == 0) {
      progress.accept(
          String.format(
              "output: %,d rows (%,.0f rows/s)", total, total / ((System.nanoTime() - t0) / 1e9)));
    }
  }
}
