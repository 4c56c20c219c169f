package io.freshet.store.iceberg;

import io.freshet.store.StoreColumn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases entities from a history table (a person's right to be forgotten): every data file that may
 * hold one of their rows (by the files' column bounds) is read, and, if it holds any, replaced by a
 * file of its other rows (or by nothing), in one overwrite commit. Copy on write, so readers need
 * no delete files; the commit fails, and writes nothing, if a concurrent commit added rows of the
 * entities or removed a file being replaced (the feature job's appends of other entities do not
 * conflict), and is then tried again on the new snapshot, up to {@link #ATTEMPTS} times.
 *
 * <p>Older snapshots still read the erased rows until they expire ({@code freshet maintain}).
 */
public final class HistoryErasure {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryErasure.class);

  /** The snapshot summary value of {@link HistoryCompaction#SUMMARY_MAINTENANCE} it commits. */
  public static final String SUMMARY_VALUE = "erasure";

  static final int ATTEMPTS = 5;

  private HistoryErasure() {}

  /**
   * What an erasure did: the rows it removed, the files it replaced and wrote, the snapshot it
   * committed (null when there was nothing to erase) and the older snapshots, which still read the
   * rows until they expire.
   */
  public record Result(
      long rowsErased, int filesReplaced, int filesWritten, Long snapshotId, int olderSnapshots) {}

  /** Erases every row whose entity is one of {@code entities}. */
  public static Result erase(Table table, Set<String> entities) {
    return erase(table, entities, () -> {});
  }

  /** As {@link #erase(Table, Set)}, running {@code beforeCommit} (tests) before each commit. */
  static Result erase(Table table, Set<String> entities, Runnable beforeCommit) {
    if (entities.isEmpty()) {
      throw new IllegalArgumentException("no entity to erase");
    }
    ValidationException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        return eraseOnce(table, entities, beforeCommit);
      } catch (ValidationException e) {
        // a concurrent commit touched what this one replaces: plan again on the new snapshot
        LOG.info(
            "erasure in {} met a concurrent commit ({}); trying again",
            table.name(),
            e.getMessage());
        last = e;
      }
    }
    throw new IllegalStateException(
        "could not erase from "
            + table.name()
            + " in "
            + ATTEMPTS
            + " attempts, each met a concurrent commit; nothing was erased: "
            + last.getMessage(),
        last);
  }

  private static Result eraseOnce(Table table, Set<String> entities, Runnable beforeCommit) {
    table.refresh();
    Snapshot start = table.currentSnapshot();
    if (start == null) {
      return new Result(0, 0, 0, null, 0);
    }
    String column = StoreColumn.ENTITY.column();
    Expression filter = Expressions.in(column, entities.toArray());
    List<DataFile> candidates = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(start.snapshotId()).filter(filter).planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty() || task.file().format() != FileFormat.PARQUET) {
          throw new IllegalStateException(
              "history table "
                  + table.name()
                  + " has a data file with delete files or not in Parquet ("
                  + task.file().location()
                  + "), which Freshet never writes: nothing was erased");
        }
        candidates.add(task.file().copyWithoutStats());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot plan the data files of " + table.name(), e);
    }
    Writer writer = new Writer(table);
    long erased = 0;
    List<DataFile> replaced = new ArrayList<>();
    List<DataFile> written = new ArrayList<>();
    boolean committed = false;
    try {
      for (DataFile file : candidates) {
        Writer.Outcome o = writer.withoutEntities(file, entities);
        if (o.erased() > 0) {
          erased += o.erased();
          replaced.add(file);
          if (o.kept() != null) {
            written.add(o.kept());
          }
        }
      }
      if (replaced.isEmpty()) {
        return new Result(0, 0, 0, null, olderSnapshots(table));
      }
      OverwriteFiles overwrite =
          table
              .newOverwrite()
              .validateFromSnapshot(start.snapshotId())
              .conflictDetectionFilter(filter)
              .validateNoConflictingData()
              .validateNoConflictingDeletes();
      replaced.forEach(overwrite::deleteFile);
      written.forEach(overwrite::addFile);
      overwrite.set(HistoryCompaction.SUMMARY_MAINTENANCE, SUMMARY_VALUE);
      beforeCommit.run();
      overwrite.commit();
      committed = true;
    } catch (CommitStateUnknownException e) {
      committed = true; // the files may be in the table: never delete them
      throw e;
    } finally {
      if (!committed) {
        writer.deleteWritten();
      }
    }
    table.refresh();
    LOG.info(
        "erased {} rows of {} entities from {}: {} files replaced by {}",
        erased,
        entities.size(),
        table.name(),
        replaced.size(),
        written.size());
    return new Result(
        erased,
        replaced.size(),
        written.size(),
        table.currentSnapshot().snapshotId(),
        olderSnapshots(table));
  }

  private static int olderSnapshots(Table table) {
    int n = 0;
    for (Snapshot ignored : table.snapshots()) {
      n++;
    }
    return Math.max(0, n - 1);
  }

  /** Copies a data file's rows but the erased entities' into a new file of its partition. */
  private static final class Writer {
    record Outcome(long erased, DataFile kept) {}

    private final Table table;
    private final Schema schema;
    private final String runId = UUID.randomUUID().toString();
    private final List<String> written = new ArrayList<>();

    Writer(Table table) {
      this.table = table;
      this.schema = table.schema();
    }

    /**
     * Two streaming passes, so that a large (compacted) file is never held in memory: the entity
     * column alone counts the erased rows; only a file that holds some is read whole and its other
     * rows written.
     */
    Outcome withoutEntities(DataFile file, Set<String> entities) {
      Schema entityOnly = schema.select(StoreColumn.ENTITY.column());
      long erased = 0;
      long rows = 0;
      try (CloseableIterable<Record> records = read(file, entityOnly)) {
        for (Record r : records) {
          rows++;
          if (erasedEntity(r, entities)) {
            erased++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file.location() + ": " + e.getMessage(), e);
      }
      checkCount(file, rows);
      if (erased == 0 || erased == rows) {
        return new Outcome(erased, null);
      }
      PartitionSpec spec = table.specs().get(file.specId());
      String name = FileFormat.PARQUET.addExtension("erased-" + runId + "-" + written.size());
      String location = table.locationProvider().newDataLocation(spec, file.partition(), name);
      written.add(location);
      long read = 0;
      long erasedAgain = 0;
      DataWriter<Record> w;
      try {
        w = HistoryCompaction.parquetWriter(table, spec, file.partition(), location);
        try (w;
            CloseableIterable<Record> records = read(file, schema)) {
          for (Record r : records) {
            read++;
            if (erasedEntity(r, entities)) {
              erasedAgain++;
            } else {
              w.write(r);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot rewrite " + file.location() + " as " + location + ": " + e.getMessage(), e);
      }
      checkCount(file, read);
      if (erasedAgain != erased || w.toDataFile().recordCount() != rows - erased) {
        throw new IllegalStateException(
            "the two passes over "
                + file.location()
                + " disagree ("
                + erased
                + " and "
                + erasedAgain
                + " rows to erase, "
                + w.toDataFile().recordCount()
                + " written of "
                + (rows - erased)
                + "): nothing erased");
      }
      return new Outcome(erased, w.toDataFile());
    }

    private CloseableIterable<Record> read(DataFile file, Schema projection) {
      return Parquet.read(table.io().newInputFile(file))
          .project(projection)
          .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
          .build();
    }

    private static boolean erasedEntity(Record r, Set<String> entities) {
      Object entity = r.getField(StoreColumn.ENTITY.column());
      return entity != null && entities.contains(entity.toString());
    }

    private static void checkCount(DataFile file, long read) {
      if (read != file.recordCount()) {
        throw new IllegalStateException(
            "read "
                + read
                + " rows of "
                + file.location()
                + ", which holds "
                + file.recordCount()
                + ": nothing erased");
      }
    }

    void deleteWritten() {
      for (String location : written) {
        try {
          table.io().deleteFile(location);
        } catch (RuntimeException e) {
          LOG.warn("could not delete the uncommitted erasure file {}", location, e);
        }
      }
    }
  }
}
