package io.freshet.training;

import io.freshet.store.StoreColumn;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * Reads a view's history table at its pinned snapshot for the in-process joins, projected to the
 * columns the join needs, in {@link HistoryBatch}es. Data files are read by up to {@link #READERS}
 * threads, newest first (by the upper bound of the key column: the streaming join then replaces few
 * values); each reader thread feeds its own sink, one batch at a time, so sinks need not be
 * thread-safe. Local whole Parquet files are decoded column by column by {@link
 * ParquetHistoryReader}; others (remote, split) go through Iceberg's Parquet reader. Freshet's
 * history is append-only; a table with delete files (or a single data file) is read through
 * Iceberg's generic reader on one thread, which applies the deletes.
 */
final class HistoryScan {
  /** Reader threads for the history scan: one per core. */
  static final int READERS = Math.max(1, Runtime.getRuntime().availableProcessors());

  private final boolean asServed;
  private final Consumer<String> progress;

  /**
   * @param asServed key rows by written_at (else valid_from)
   * @param progress receives a line every few million rows read through Iceberg's readers
   */
  HistoryScan(boolean asServed, Consumer<String> progress) {
    this.asServed = asServed;
    this.progress = progress;
  }

  /**
   * Scans view {@code p}'s history; reader {@code t} feeds {@code sinks.apply(t)}.
   *
   * @param entities what each batch row's entity becomes (rows it maps to -1 are skipped by sinks)
   * @return the number of readers used (sinks asked for)
   */
  int scan(
      ViewPlan p, HistoryBatch.Entities entities, IntFunction<ParquetHistoryReader.BatchSink> sinks)
      throws IOException {
    if (p.snapshotId == null) {
      return 0;
    }
    List<String> cols = new ArrayList<>();
    cols.add(StoreColumn.ENTITY.column());
    cols.add(StoreColumn.VALID_FROM.column());
    cols.add(StoreColumn.REVISION.column());
    cols.add(StoreColumn.LAST_EVENT_TIME.column());
    if (asServed) {
      cols.add(StoreColumn.WRITTEN_AT.column());
    }
    cols.addAll(Indicators.historyColumns(p.features));
    Snapshot snapshot = p.table.snapshot(p.snapshotId);
    Schema schema =
        snapshot.schemaId() != null && p.table.schemas().containsKey(snapshot.schemaId())
            ? p.table.schemas().get(snapshot.schemaId())
            : p.table.schema();
    Schema projected = schema.select(cols);
    List<FileScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<FileScanTask> planned =
        p.table
            .newScan()
            .useSnapshot(p.snapshotId)
            .select(cols)
            .includeColumnStats(
                List.of(
                    asServed ? StoreColumn.WRITTEN_AT.column() : StoreColumn.VALID_FROM.column()))
            .planFiles()) {
      planned.forEach(tasks::add);
    }
    boolean simple =
        tasks.stream()
            .allMatch(t -> t.deletes().isEmpty() && t.file().format() == FileFormat.PARQUET);
    AtomicLong rows = new AtomicLong();
    if (!simple || tasks.size() < 2 || READERS == 1) {
      ParquetHistoryReader.BatchSink sink = sinks.apply(0);
      try (CloseableIterable<Record> records =
          IcebergGenerics.read(p.table).useSnapshot(p.snapshotId).select(cols).build()) {
        feed(p, cols, records, entities, new HistoryBatch(p.types), sink, rows);
      }
      return 1;
    }
    // Local whole files: read columns directly (no record objects); else Iceberg's reader.
    boolean fast =
        tasks.stream()
            .allMatch(
                t ->
                    t.file().location().startsWith("file:")
                        && t.start() == 0
                        && t.length() == t.file().fileSizeInBytes());
    int[] fieldIds = new int[5 + p.features.size()];
    fieldIds[0] = schema.findField(StoreColumn.ENTITY.column()).fieldId();
    fieldIds[1] = schema.findField(StoreColumn.VALID_FROM.column()).fieldId();
    fieldIds[2] = schema.findField(StoreColumn.REVISION.column()).fieldId();
    fieldIds[3] = schema.findField(StoreColumn.LAST_EVENT_TIME.column()).fieldId();
    fieldIds[4] =
        asServed ? schema.findField(StoreColumn.WRITTEN_AT.column()).fieldId() : fieldIds[1];
    Indicators.Values values = Indicators.Values.of(p.table, p.features);
    for (int f = 0; f < p.features.size(); f++) {
      String column = values.column(f);
      fieldIds[5 + f] = column == null ? -1 : schema.findField(column).fieldId();
    }
    ParquetHistoryReader.IndicatorColumns indicators =
        new ParquetHistoryReader.IndicatorColumns(
            values, schema.findField(StoreColumn.SPEC_VERSION.column()).fieldId());
    newestFirst(tasks, fieldIds[4]);
    int readers = Math.min(READERS, tasks.size());
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            readers,
            r -> {
              Thread t = new Thread(r, "freshet-history-reader");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < readers; t++) {
        ParquetHistoryReader.BatchSink sink = sinks.apply(t);
        running.add(
            pool.submit(
                () -> {
                  HistoryBatch batch = new HistoryBatch(p.types);
                  for (int i; (i = next.getAndIncrement()) < tasks.size(); ) {
                    FileScanTask task = tasks.get(i);
                    if (fast) {
                      ParquetHistoryReader.read(
                          Path.of(URI.create(task.file().location())),
                          fieldIds,
                          indicators,
                          entities,
                          batch,
                          b -> {
                            sink.accept(b);
                            rows.addAndGet(b.size);
                          });
                      continue;
                    }
                    try (CloseableIterable<Record> records =
                        Parquet.read(p.table.io().newInputFile(task.file()))
                            .project(projected)
                            .split(task.start(), task.length())
                            .createReaderFunc(
                                fileSchema ->
                                    GenericParquetReaders.buildReader(projected, fileSchema))
                            .build()) {
                      feed(p, cols, records, entities, batch, sink, rows);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while reading the history", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return readers;
  }

  /**
   * Orders data files by the upper bound of the key column, newest first (files without bounds
   * last). Only a speed-up: the streaming join's result does not depend on the order.
   */
  private static void newestFirst(List<FileScanTask> tasks, int keyFieldId) {
    Map<FileScanTask, Long> upper = new IdentityHashMap<>();
    for (FileScanTask t : tasks) {
      Map<Integer, ByteBuffer> bounds = t.file().upperBounds();
      ByteBuffer b = bounds == null ? null : bounds.get(keyFieldId);
      upper.put(
          t,
          b == null || b.remaining() != 8
              ? Long.MIN_VALUE
              : b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong());
    }
    tasks.sort(Comparator.comparing(upper::get, Comparator.reverseOrder()));
  }

  /** Iceberg records to batches (the generic path: delete files, remote or split files). */
  private void feed(
      ViewPlan p,
      List<String> cols,
      CloseableIterable<Record> records,
      HistoryBatch.Entities entities,
      HistoryBatch batch,
      ParquetHistoryReader.BatchSink sink,
      AtomicLong rows)
      throws IOException {
    int nf = p.features.size();
    Indicators.Values values = Indicators.Values.of(p.table, p.features);
    int[] pos = null;
    int warmingPos = -1;
    int versionPos = -1;
    batch.size = 0;
    for (Record r : records) {
      if (pos == null) {
        List<Types.NestedField> fields = r.struct().fields();
        int base = asServed ? 5 : 4;
        pos = new int[base + nf];
        for (int i = 0; i < pos.length; i++) {
          String col = i < base ? cols.get(i) : p.features.get(i - base);
          pos[i] = -1;
          for (int j = 0; j < fields.size(); j++) {
            if (fields.get(j).name().equals(col)) {
              pos[i] = j;
            }
            if (fields.get(j).name().equals(StoreColumn.WARMING_UP.column())) {
              warmingPos = j;
            }
            if (fields.get(j).name().equals(StoreColumn.SPEC_VERSION.column())) {
              versionPos = j;
            }
          }
        }
      }
      int n = batch.size;
      byte[] entity = ((String) r.get(pos[0])).getBytes(StandardCharsets.UTF_8);
      batch.entity[n] = entities.id(entity, 0, entity.length);
      batch.putEntity(n, entity, 0, entity.length);
      batch.validFrom[n] = millis(r.get(pos[1]));
      batch.revision[n] = (Integer) r.get(pos[2]);
      batch.lastEventTime[n] = millis(r.get(pos[3]));
      int base = 4;
      batch.key[n] = batch.validFrom[n];
      if (asServed) {
        batch.key[n] = millis(r.get(pos[4]));
        base = 5;
      }
      for (int f = 0; f < nf; f++) {
        batch.values.set(
            f,
            n,
            values.warmingOf()[f] != null
                ? values.notComputed(f, (Iterable<?>) r.get(warmingPos), r.get(versionPos))
                : values.holds()[f] >= 0
                    ? values.held(f, batch.validFrom[n], batch.key[n])
                    : r.get(pos[base + f]));
      }
      batch.size = n + 1;
      if (batch.size == HistoryBatch.CAPACITY) {
        sink.accept(batch);
        batch.size = 0;
      }
      long read = rows.incrementAndGet();
      if (read % 5_000_000 == 0) {
        progress.accept(String.format("history %s: %,d rows read", p.view, read));
      }
    }
    if (batch.size > 0) {
      sink.accept(batch);
      batch.size = 0;
    }
  }

  /** An Iceberg timestamp as the generic reader gives it, in epoch millis. */
  private static long millis(Object ts) {
    if (ts instanceof OffsetDateTime odt) {
      return odt.toEpochSecond() * 1000 + odt.getNano() / 1_000_000;
    }
    if (ts instanceof LocalDateTime ldt) {
      return ldt.toInstant(ZoneOffset.UTC).toEpochMilli();
    }
    return ((Number) ts).longValue();
  }
}
