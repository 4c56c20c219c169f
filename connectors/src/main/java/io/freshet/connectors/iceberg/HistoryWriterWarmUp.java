package io.freshet.connectors.iceberg;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestWriter;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.data.FlinkParquetWriters;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes, closes and deletes a small Parquet file and a manifest for a history table in a local
 * temporary directory, the way the history sink's writer will: when the history task opens, not
 * when its first rows arrive.
 *
 * <p>The first data file of a JVM loads and initialises Parquet's writer classes and its
 * compression codec, and the first checkpoint's close writes the first footer and manifest. In a
 * fresh live job that took the history task one to two seconds while both cores were needed for the
 * first updates; the features task, sharing the machine, fell behind and served its first seconds'
 * updates up to 1.5 s late (docs/benchmarks.md, "Start-up: the history writer's first file").
 * Nothing here touches the table: the file is local and deleted, no snapshot is made.
 */
final class HistoryWriterWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryWriterWarmUp.class);

  /** Rows written: enough for the JIT's first tier to compile the per-value writers. */
  static final int ROWS = 2_000;

  private HistoryWriterWarmUp() {}

  /**
   * Runs the warm-up; never fails the caller (a warm-up that cannot run only means a slower first
   * file). Returns the milliseconds it took, or -1 when it was skipped.
   */
  static long run(Schema schema, Map<String, String> tableProperties) {
    long start = System.nanoTime();
    File dir = null;
    try {
      dir = Files.createTempDirectory("freshet-history-warm-up").toFile();
      RowType rowType = FlinkSchemaUtil.convert(schema);
      File data = new File(dir, "warm-up.parquet");
      FileAppender<RowData> appender =
          Parquet.write(org.apache.iceberg.Files.localOutput(data))
              .schema(schema)
              .setAll(tableProperties)
              .createWriterFunc(type -> FlinkParquetWriters.buildWriter(rowType, type))
              .overwrite()
              .build();
      try (appender) {
        for (int i = 0; i < ROWS; i++) {
          appender.add(sampleRow(rowType, i));
        }
      }
      DataFile file =
          DataFiles.builder(PartitionSpec.unpartitioned())
              .withPath(data.getAbsolutePath())
              .withFormat(FileFormat.PARQUET)
              .withFileSizeInBytes(appender.length())
              .withMetrics(appender.metrics())
              .build();
      ManifestWriter<DataFile> manifest =
          ManifestFiles.write(
              PartitionSpec.unpartitioned(),
              org.apache.iceberg.Files.localOutput(new File(dir, "warm-up-manifest.avro")));
      try (manifest) {
        manifest.add(file);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      LOG.info("history writer warmed up in {} ms ({} rows to a local file, deleted)", ms, ROWS);
      return ms;
    } catch (IOException | RuntimeException | LinkageError e) {
      LOG.warn("history writer warm-up skipped ({}); the first data file will be slower", e, e);
      return -1;
    } finally {
      deleteAll(dir);
    }
  }

  /**
   * Row {@code i} of the warm-up: a value of each column's type (strings and numbers varying with
   * i), null where the type has no sample here and the column allows it.
   */
  static RowData sampleRow(RowType rowType, int i) {
    GenericRowData row = new GenericRowData(rowType.getFieldCount());
    for (int f = 0; f < rowType.getFieldCount(); f++) {
      LogicalType type = rowType.getTypeAt(f);
      Object value = sample(type, i);
      if (value == null && !type.isNullable()) {
        throw new IllegalArgumentException(
            "no warm-up value for the required column "
                + rowType.getFieldNames().get(f)
                + " of type "
                + type);
      }
      row.setField(f, value);
    }
    return row;
  }

  private static Object sample(LogicalType type, int i) {
    return switch (type.getTypeRoot()) {
      case CHAR, VARCHAR -> StringData.fromString("warm-up-" + (i % 100));
      case BOOLEAN -> i % 2 == 0;
      case INTEGER, DATE -> i;
      case BIGINT -> (long) i;
      case FLOAT -> (float) i;
      case DOUBLE -> i * 0.5;
      case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
          TimestampData.fromEpochMillis(i);
      case ARRAY -> {
        Object element = sample(((ArrayType) type).getElementType(), i);
        yield element == null ? null : new GenericArrayData(new Object[] {element});
      }
      default -> null;
    };
  }

  private static void deleteAll(File dir) {
    if (dir == null) {
      return;
    }
    File[] files = dir.listFiles();
    if (files != null) {
      for (File f : files) {
        if (!f.delete()) {
          f.deleteOnExit();
        }
      }
    }
    if (!dir.delete()) {
      dir.deleteOnExit();
    }
  }
}
