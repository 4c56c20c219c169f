package io.freshet.store.iceberg;

import io.freshet.store.StoreColumn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * A history table as a job that commits on every checkpoint leaves it: many commits of a few rows
 * each, one small Parquet file per partition per commit (written with Iceberg's generic Parquet
 * writer, no Flink), and its data files (rows are read back with {@link
 * io.freshet.testing.HistoryRows}).
 */
final class CheckpointCommits {
  static final long DAY = 86_400_000L;
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z

  /** Summary properties Iceberg's Flink committer writes on each checkpoint commit. */
  static Map<String, String> flinkCommit(String jobId, long checkpointId) {
    return Map.of(
        "flink.job-id",
        jobId,
        "flink.operator-id",
        "op-1",
        SnapshotExpiry.FLINK_MAX_COMMITTED_CHECKPOINT_ID,
        Long.toString(checkpointId));
  }

  private final Table table;
  private final Random rnd;

  CheckpointCommits(Table table, long seed) {
    this.table = table;
    this.rnd = new Random(seed);
  }

  /**
   * One commit of {@code rows} random rows spread over {@code days} day partitions from {@link
   * #T0}, every current column filled (features null one time in five); returns the snapshot id.
   */
  long commit(int rows, int days, Map<String, String> summary) {
    table.refresh();
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      records.add(randomRow(T0 + rnd.nextInt(days) * DAY + rnd.nextInt((int) DAY)));
    }
    return append(table, records, summary);
  }

  long commit(int rows, int days) {
    return commit(rows, days, Map.of());
  }

  private Record randomRow(long validFrom) {
    GenericRecord r = GenericRecord.create(table.schema());
    for (Types.NestedField f : table.schema().columns()) {
      r.setField(f.name(), value(f, validFrom));
    }
    return r;
  }

  private Object value(Types.NestedField f, long validFrom) {
    int fixed = StoreColumn.NAMES.indexOf(f.name());
    if (fixed >= 0) {
      return switch (StoreColumn.ALL.get(fixed)) {
        case ENTITY -> "c" + rnd.nextInt(50);
        case VALID_FROM -> ts(validFrom);
        case LAST_EVENT_TIME -> ts(validFrom - rnd.nextInt(60_000));
        case WRITTEN_AT -> ts(validFrom + rnd.nextInt(5_000));
        case SPEC_VERSION -> "v" + rnd.nextInt(3);
        case CORRECTION -> rnd.nextInt(10) == 0;
        case REVISION -> rnd.nextInt(3);
        case WARMING_UP -> rnd.nextInt(10) == 0 ? java.util.List.of("f" + rnd.nextInt(3)) : null;
      };
    }
    if (rnd.nextInt(5) == 0) {
      return null;
    }
    return switch (f.type().typeId()) {
      case LONG -> rnd.nextLong();
      case DOUBLE -> rnd.nextInt(20) == 0 ? Double.NaN : rnd.nextGaussian() * 1e6;
      case STRING -> List.of("FR", "DE", "", "日本").get(rnd.nextInt(4));
      case BOOLEAN -> rnd.nextBoolean();
      default -> throw new IllegalArgumentException(f.toString());
    };
  }

  static OffsetDateTime ts(long millis) {
    return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
  }

  /** Appends rows in one commit, one file per partition; returns the new snapshot id. */
  static long append(Table table, List<Record> rows, Map<String, String> summary) {
    InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    Map<PartitionKey, DataWriter<Record>> writers = new LinkedHashMap<>();
    try {
      for (Record r : rows) {
        key.partition(wrapper.wrap(r));
        DataWriter<Record> w = writers.get(key);
        if (w == null) {
          PartitionKey pk = key.copy();
          String location =
              table
                  .locationProvider()
                  .newDataLocation(table.spec(), pk, UUID.randomUUID() + ".parquet");
          w =
              Parquet.writeData(table.io().newOutputFile(location))
                  .forTable(table)
                  .withPartition(pk)
                  .createWriterFunc(mt -> GenericParquetWriter.create(table.schema(), mt))
                  .build();
          writers.put(pk, w);
        }
        w.write(r);
      }
      AppendFiles append = table.newAppend();
      for (DataWriter<Record> w : writers.values()) {
        w.close();
        append.appendFile(w.toDataFile());
      }
      summary.forEach(append::set);
      append.commit();
      table.refresh();
      return table.currentSnapshot().snapshotId();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The data files of the table's current snapshot, with their column metrics. */
  static List<DataFile> dataFiles(Table table) {
    table.refresh();
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().includeColumnStats().planFiles()) {
      tasks.forEach(t -> files.add(t.file().copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Parquet files under the table's data directory (on disk, referenced or not). */
  static List<Path> filesOnDisk(Table table) {
    Path data = Path.of(java.net.URI.create(table.location())).resolve("data");
    if (!Files.isDirectory(data)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(data)) {
      return walk.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
