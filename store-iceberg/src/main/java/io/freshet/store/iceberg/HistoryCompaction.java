package io.freshet.store.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.util.PropertyUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction of a history table's small data files: the history sink commits on every checkpoint,
 * one small Parquet file per writer, partition and checkpoint, so a table that runs for months
 * holds hundreds of thousands of them and every scan opens them all.
 *
 * <p>Per partition (of the file's own partition spec), the small Parquet files of the current
 * snapshot (below 75% of the target size, as Iceberg's {@code rewrite_data_files}) are read with
 * the table's current schema and written again, in file order, into files of up to the target size
 * (the table's {@code write.target-file-size-bytes} unless given), with the table's writer
 * properties and column metrics; one {@code replace} snapshot swaps them in. Guarantees:
 *
 * <ul>
 *   <li>Every row is kept exactly (same multiset of rows, every column; a column added after a file
 *       was written reads null in it, as it did before): the rows read and written per partition
 *       must equal the input files' record counts, or nothing is committed.
 *   <li>Safe beside a running job: the rewrite only replaces files that exist in the snapshot it
 *       planned from ({@code validateFromSnapshot}); the job's appends in the meantime stay as they
 *       are, and Iceberg retries the commit on top of them. New files take the planned snapshot's
 *       data sequence number, so a delete committed meanwhile still applies to them.
 *   <li>Files with delete files, and non-Parquet files, are left alone (Freshet's history is
 *       append-only and has none).
 *   <li>Older snapshots still reference the replaced files: a time-travel read (a training-set
 *       manifest) reads the same rows, and the files are deleted only when {@link SnapshotExpiry}
 *       expires the last snapshot that references them.
 * </ul>
 *
 * <p>Rows are not sorted: the new files hold the rows of the files they replace, file after file.
 */
public final class HistoryCompaction {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryCompaction.class);

  /** Files below this share of the target size are small (Iceberg's min-file-size default). */
  static final double SMALL_SHARE = 0.75;

  /** Snapshot summary property marking Freshet's maintenance commits. */
  public static final String SUMMARY_MAINTENANCE = "freshet.maintenance";

  /** How often (rows) the writer's length is checked against the target size. */
  private static final int LENGTH_CHECK_ROWS = 1_000;

  private HistoryCompaction() {}

  /**
   * What to compact.
   *
   * @param targetFileBytes size of the files written (and 75% of it, the size under which a file is
   *     small); 0 takes the table's {@code write.target-file-size-bytes} (Iceberg's default 512 MB)
   * @param minInputFiles a partition is rewritten only when it has at least this many small files
   */
  public record Options(long targetFileBytes, int minInputFiles) {
    /** The table's target size, partitions with at least two small files. */
    public static final Options DEFAULTS = new Options(0, 2);

    public Options {
      if (targetFileBytes < 0) {
        throw new IllegalArgumentException(
            "the target file size is at least 1 byte (or 0 for the table's), not "
                + targetFileBytes);
      }
      if (minInputFiles < 2) {
        throw new IllegalArgumentException(
            "compaction rewrites at least 2 files of a partition, not " + minInputFiles);
      }
    }
  }

  /**
   * What a compaction did, or would do.
   *
   * @param dryRun nothing was written; {@code filesWritten} is an estimate
   * @param filesBefore data files of the snapshot compacted
   * @param partitions partitions rewritten
   * @param filesRewritten small files replaced
   * @param filesWritten files that replace them
   * @param bytesRewritten size of the replaced files
   * @param rowsRewritten rows of the replaced files (and of the new ones)
   * @param filesWithDeletes files left alone because delete files apply to them
   * @param filesNotParquet files left alone because they are not Parquet
   * @param targetFileBytes the target size used
   * @param minInputFiles the small files a partition needed to be rewritten
   * @param snapshotId the replace snapshot committed, or null (nothing to do, or a dry run)
   */
  public record Result(
      boolean dryRun,
      int filesBefore,
      int partitions,
      int filesRewritten,
      int filesWritten,
      long bytesRewritten,
      long rowsRewritten,
      int filesWithDeletes,
      int filesNotParquet,
      long targetFileBytes,
      int minInputFiles,
      Long snapshotId) {
    /** Data files after the compaction (not counting files appended meanwhile). */
    public int filesAfter() {
      return filesBefore - filesRewritten + filesWritten;
    }
  }

  /** The small files of one partition (of one partition spec). */
  private record Group(PartitionSpec spec, StructLike partition, List<DataFile> files) {
    long bytes() {
      return files.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    }

    long rows() {
      return files.stream().mapToLong(DataFile::recordCount).sum();
    }
  }

  /**
   * Compacts the small files of the table's current snapshot, or (dry run) says what it would do.
   *
   * @throws IllegalStateException when rows read or written differ from the input files' counts
   *     (nothing is committed and the files written are deleted)
   * @throws UncheckedIOException when a data file cannot be read or written (likewise)
   */
  public static Result compact(Table table, Options options, boolean dryRun) {
    return compact(table, options, dryRun, () -> {});
  }

  /** As {@link #compact(Table, Options, boolean)}, running {@code beforeCommit} (tests) first. */
  static Result compact(Table table, Options options, boolean dryRun, Runnable beforeCommit) {
    table.refresh();
    long target =
        options.targetFileBytes() > 0
            ? options.targetFileBytes()
            : PropertyUtil.propertyAsLong(
                table.properties(),
                TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
                TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    Snapshot start = table.currentSnapshot();
    if (start == null) {
      return new Result(dryRun, 0, 0, 0, 0, 0, 0, 0, 0, target, options.minInputFiles(), null);
    }
    long small = (long) (target * SMALL_SHARE);
    Map<String, Group> byPartition = new LinkedHashMap<>();
    int files = 0;
    int withDeletes = 0;
    int notParquet = 0;
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(start.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        files++;
        DataFile file = task.file();
        if (!task.deletes().isEmpty()) {
          withDeletes++;
        } else if (file.format() != FileFormat.PARQUET) {
          notParquet++;
        } else if (file.fileSizeInBytes() < small) {
          PartitionSpec spec = table.specs().get(file.specId());
          DataFile copy = file.copyWithoutStats();
          byPartition
              .computeIfAbsent(
                  file.specId() + "/" + spec.partitionToPath(copy.partition()),
                  k -> new Group(spec, copy.partition(), new ArrayList<>()))
              .files()
              .add(copy);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot plan the data files of " + table.name(), e);
    }
    List<Group> groups =
        byPartition.values().stream()
            .filter(g -> g.files().size() >= options.minInputFiles())
            .toList();
    int rewritten = groups.stream().mapToInt(g -> g.files().size()).sum();
    long bytes = groups.stream().mapToLong(Group::bytes).sum();
    long rows = groups.stream().mapToLong(Group::rows).sum();
    if (groups.isEmpty() || dryRun) {
      int estimate =
          groups.stream().mapToInt(g -> (int) Math.max(1, (g.bytes() + target - 1) / target)).sum();
      return new Result(
          dryRun,
          files,
          groups.size(),
          rewritten,
          estimate,
          bytes,
          rows,
          withDeletes,
          notParquet,
          target,
          options.minInputFiles(),
          null);
    }

    Rewriter rewriter = new Rewriter(table, target);
    List<DataFile> added = new ArrayList<>();
    boolean committed = false;
    try {
      for (Group g : groups) {
        added.addAll(rewriter.rewrite(g));
      }
      beforeCommit.run();
      RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(start.snapshotId());
      if (start.sequenceNumber() > 0) {
        rewrite.dataSequenceNumber(start.sequenceNumber());
      }
      groups.forEach(g -> g.files().forEach(rewrite::deleteFile));
      added.forEach(rewrite::addFile);
      rewrite.set(SUMMARY_MAINTENANCE, "compaction");
      rewrite.commit();
      committed = true;
    } catch (CommitStateUnknownException e) {
      committed = true; // the files may be in the table: never delete them
      throw e;
    } finally {
      if (!committed) {
        rewriter.deleteWritten();
      }
    }
    table.refresh();
    LOG.info(
        "compacted {}: {} files in {} partitions into {} ({} rows)",
        table.name(),
        rewritten,
        groups.size(),
        added.size(),
        rows);
    return new Result(
        false,
        files,
        groups.size(),
        rewritten,
        added.size(),
        bytes,
        rows,
        withDeletes,
        notParquet,
        target,
        options.minInputFiles(),
        table.currentSnapshot().snapshotId());
  }

  /** A writer of generic records into a new Parquet data file of the table's partition. */
  static DataWriter<Record> parquetWriter(
      Table table, PartitionSpec spec, StructLike partition, String location) throws IOException {
    Schema schema = table.schema();
    return Parquet.writeData(table.io().newOutputFile(location))
        .forTable(table)
        .withSpec(spec)
        .withPartition(partition)
        .createWriterFunc(type -> GenericParquetWriter.create(schema, type))
        .build();
  }

  /** Writes the rows of a group's files into new files of up to the target size. */
  private static final class Rewriter {
    private final Table table;
    private final Schema schema;
    private final long target;
    private final String runId = UUID.randomUUID().toString();
    private final List<String> written = new ArrayList<>();

    Rewriter(Table table, long target) {
      this.table = table;
      this.schema = table.schema();
      this.target = target;
    }

    List<DataFile> rewrite(Group g) {
      List<DataFile> out = new ArrayList<>();
      DataWriter<Record> writer = null;
      long read = 0;
      long sinceCheck = 0;
      try {
        for (DataFile file : g.files()) {
          try (CloseableIterable<Record> records =
              Parquet.read(table.io().newInputFile(file))
                  .project(schema)
                  .createReaderFunc(
                      fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
                  .build()) {
            for (Record r : records) {
              if (writer == null) {
                writer = open(g);
              }
              writer.write(r);
              read++;
              if (++sinceCheck >= LENGTH_CHECK_ROWS) {
                sinceCheck = 0;
                if (writer.length() >= target) {
                  writer.close();
                  out.add(writer.toDataFile());
                  writer = null;
                }
              }
            }
          }
        }
        if (writer != null) {
          writer.close();
          out.add(writer.toDataFile());
          writer = null;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot compact " + table.name() + ": " + e.getMessage(), e);
      } finally {
        if (writer != null) {
          try {
            writer.close();
          } catch (IOException | RuntimeException e) {
            LOG.debug("closing an abandoned compaction file", e);
          }
        }
      }
      long expected = g.rows();
      long wrote = out.stream().mapToLong(DataFile::recordCount).sum();
      if (read != expected || wrote != expected) {
        throw new IllegalStateException(
            "compaction of "
                + table.name()
                + " partition "
                + g.spec().partitionToPath(g.partition())
                + " read "
                + read
                + " rows and wrote "
                + wrote
                + " from files that hold "
                + expected
                + ": nothing committed");
      }
      return out;
    }

    private DataWriter<Record> open(Group g) throws IOException {
      String name = FileFormat.PARQUET.addExtension("compacted-" + runId + "-" + written.size());
      String location = table.locationProvider().newDataLocation(g.spec(), g.partition(), name);
      written.add(location);
      return parquetWriter(table, g.spec(), g.partition(), location);
    }

    /** Deletes the files written so far (best effort): they were never committed. */
    void deleteWritten() {
      for (String location : written) {
        try {
          table.io().deleteFile(location);
        } catch (RuntimeException e) {
          LOG.warn("could not delete the uncommitted compaction file {}", location, e);
        }
      }
    }
  }
}
