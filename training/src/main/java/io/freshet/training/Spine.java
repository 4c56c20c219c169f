package io.freshet.training;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * Reads a spine, row by row, in file order (every engine reads spines through this class): CSV with
 * a header (every column kept as text) or Parquet (columns kept with their types). Each row yields
 * its entity (as text) and its timestamp in epoch milliseconds; a missing or unparseable value
 * fails with the row number.
 */
public abstract class Spine implements Closeable {
  final Path path;
  final String entityColumn;
  final String timestampColumn;
  long row; // 1-based data row of the current record

  Spine(Path path, String entityColumn, String timestampColumn) {
    this.path = path;
    this.entityColumn = entityColumn;
    this.timestampColumn = timestampColumn;
  }

  public static Spine open(Path path, String entityColumn, String timestampColumn) {
    if (!Files.isRegularFile(path)) {
      throw new TrainingSetException("spine file " + path + " does not exist");
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      if (name.endsWith(".parquet") || name.endsWith(".pq")) {
        return new ParquetSpine(path, entityColumn, timestampColumn);
      }
      if (name.endsWith(".csv")) {
        return new CsvSpine(path, entityColumn, timestampColumn);
      }
    } catch (IOException e) {
      throw new TrainingSetException("cannot read spine " + path + ": " + e.getMessage(), e);
    }
    throw new TrainingSetException(
        "spine "
            + path
            + " is neither .csv nor .parquet: give a CSV file with a header or Parquet");
  }

  /** Number of data rows if the format knows it without a scan, else -1. */
  public abstract long knownRowCount();

  /** The spine's columns as an Avro record schema (what the output keeps). */
  public abstract Schema schema();

  /** Advances to the next row; false at the end. */
  public abstract boolean next() throws IOException;

  /** The current row's entity, as text. */
  public abstract String entity();

  /** The current row's timestamp in epoch milliseconds. */
  public abstract long timestamp();

  /** The current row's values in {@link #schema()} order. */
  public abstract Object[] values();

  /** The current row's 1-based data row number (for error messages). */
  public final long rowNumber() {
    return row;
  }

  void missingColumns(List<String> columns) {
    List<String> missing = new ArrayList<>();
    if (!columns.contains(entityColumn)) {
      missing.add(entityColumn + " (entity)");
    }
    if (!columns.contains(timestampColumn)) {
      missing.add(timestampColumn + " (timestamp)");
    }
    if (!missing.isEmpty()) {
      throw new TrainingSetException(
          "spine "
              + path
              + " has no column "
              + String.join(", no column ", missing)
              + "; its columns are "
              + columns
              + " (choose others with --entity-column / --timestamp-column)");
    }
  }

  TrainingSetException badTimestamp(Object value) {
    return new TrainingSetException(
        "spine "
            + path
            + " row "
            + row
            + ": timestamp column '"
            + timestampColumn
            + "' has "
            + (value == null ? "no value" : "'" + value + "'")
            + ", not a timestamp (epoch milliseconds, ISO-8601 such as 2026-01-01T10:00:00Z, or"
            + " 'yyyy-MM-dd HH:mm:ss[.SSS]' in UTC)");
  }

  TrainingSetException missingEntity() {
    return new TrainingSetException(
        "spine " + path + " row " + row + ": entity column '" + entityColumn + "' is empty");
  }

  /** Avro field names allow [A-Za-z_][A-Za-z0-9_]*: other characters become '_'. */
  static String avroName(String column) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < column.length(); i++) {
      char c = column.charAt(i);
      boolean ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      ok |= i > 0 && c >= '0' && c <= '9';
      sb.append(ok ? c : '_');
    }
    return sb.length() == 0 ? "_" : sb.toString();
  }

  /**
   * A CSV spine: RFC 4180 through Apache Commons CSV, a header row, blank lines skipped, values
   * kept as text (an empty value is null). A malformed record (an unterminated quote, text after a
   * closing quote) fails with its row number.
   */
  static final class CsvSpine extends Spine {
    private static final CSVFormat FORMAT =
        CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).build();

    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> header;
    private final Schema schema;
    private final int entityIdx;
    private final int tsIdx;
    private Object[] current;
    private String entity;
    private long ts;

    CsvSpine(Path path, String entityColumn, String timestampColumn) throws IOException {
      super(path, entityColumn, timestampColumn);
      this.parser = FORMAT.parse(Files.newBufferedReader(path, StandardCharsets.UTF_8));
      try {
        this.records = parser.iterator();
        CSVRecord first = read("the header");
        if (first == null) {
          throw new TrainingSetException("spine " + path + " is empty: it needs a header row");
        }
        List<String> h = new ArrayList<>(first.toList());
        if (!h.isEmpty() && h.get(0).startsWith("\uFEFF")) {
          h.set(0, h.get(0).substring(1));
        }
        this.header = h;
        missingColumns(h);
        this.entityIdx = h.indexOf(entityColumn);
        this.tsIdx = h.indexOf(timestampColumn);
      } catch (RuntimeException e) {
        parser.close();
        throw e;
      }
      List<Schema.Field> fields = new ArrayList<>();
      Schema text =
          Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
      for (String c : header) {
        fields.add(new Schema.Field(avroName(c), text, null, Schema.Field.NULL_DEFAULT_VALUE));
      }
      this.schema = Schema.createRecord("spine", null, "io.freshet.training", false, fields);
    }

    @Override
    public long knownRowCount() {
      return -1;
    }

    @Override
    public Schema schema() {
      return schema;
    }

    @Override
    public boolean next() {
      CSVRecord record = read("row " + (row + 1));
      if (record == null) {
        return false;
      }
      row++;
      if (record.size() != header.size()) {
        throw new TrainingSetException(
            "spine "
                + path
                + " row "
                + row
                + " has "
                + record.size()
                + " values but the header has "
                + header.size()
                + " columns");
      }
      String[] cells = record.values();
      current = Arrays.copyOf(cells, cells.length, Object[].class);
      for (int i = 0; i < current.length; i++) {
        if (cells[i].isEmpty()) {
          current[i] = null;
        }
      }
      entity = cells[entityIdx];
      if (entity.isEmpty()) {
        throw missingEntity();
      }
      ts = Timestamps.parse(cells[tsIdx]);
      if (ts == Long.MIN_VALUE) {
        throw badTimestamp(cells[tsIdx].isEmpty() ? null : cells[tsIdx]);
      }
      return true;
    }

    /** The next record, or null at the end; a malformed one fails naming {@code what}. */
    private CSVRecord read(String what) {
      try {
        return records.hasNext() ? records.next() : null;
      } catch (UncheckedIOException e) {
        throw new TrainingSetException(
            "spine " + path + " " + what + " is not valid CSV: " + e.getCause().getMessage(), e);
      }
    }

    @Override
    public String entity() {
      return entity;
    }

    @Override
    public long timestamp() {
      return ts;
    }

    @Override
    public Object[] values() {
      return current;
    }

    @Override
    public void close() throws IOException {
      parser.close();
    }
  }

  /** A Parquet spine read through parquet-avro; columns keep their types. */
  static final class ParquetSpine extends Spine {
    private final ParquetReader<GenericRecord> reader;
    private final Schema schema;
    private final long rows;
    private final int entityIdx;
    private final int tsIdx;
    private final long tsDivisor;
    private final long tsMultiplier;
    private final boolean tsText;
    private GenericRecord current;
    private long ts;

    ParquetSpine(Path path, String entityColumn, String timestampColumn) throws IOException {
      super(path, entityColumn, timestampColumn);
      LocalInputFile file = new LocalInputFile(path);
      try (ParquetFileReader footer = ParquetFileReader.open(file)) {
        this.rows = footer.getRecordCount();
      }
      this.reader =
          AvroParquetReader.<GenericRecord>builder(file).withDataModel(GenericData.get()).build();
      this.current = reader.read();
      if (current == null) {
        reader.close();
        throw new TrainingSetException("spine " + path + " has no rows");
      }
      this.schema = current.getSchema();
      List<String> names = new ArrayList<>();
      for (Schema.Field f : schema.getFields()) {
        names.add(f.name());
      }
      missingColumns(names);
      this.entityIdx = schema.getField(entityColumn).pos();
      this.tsIdx = schema.getField(timestampColumn).pos();
      Schema ts = TrainingOutput.nonNull(schema.getField(timestampColumn).schema());
      LogicalType lt = ts.getLogicalType();
      long div = 1;
      long mul = 1;
      boolean text = false;
      if (lt instanceof LogicalTypes.TimestampMicros
          || lt instanceof LogicalTypes.LocalTimestampMicros) {
        div = 1000;
      } else if (lt instanceof LogicalTypes.TimestampNanos
          || lt instanceof LogicalTypes.LocalTimestampNanos) {
        div = 1_000_000;
      } else if (lt instanceof LogicalTypes.Date) {
        mul = 86_400_000L;
      } else if (ts.getType() == Schema.Type.STRING) {
        text = true;
      } else if (ts.getType() != Schema.Type.LONG && ts.getType() != Schema.Type.INT) {
        throw new TrainingSetException(
            "spine "
                + path
                + ": timestamp column '"
                + timestampColumn
                + "' is "
                + ts
                + "; it must be a timestamp, epoch milliseconds or text");
      }
      this.tsDivisor = div;
      this.tsMultiplier = mul;
      this.tsText = text;
      this.row = 0;
      this.pending = true;
    }

    private boolean pending;

    @Override
    public long knownRowCount() {
      return rows;
    }

    @Override
    public Schema schema() {
      return schema;
    }

    @Override
    public boolean next() throws IOException {
      if (pending) {
        pending = false;
      } else {
        current = reader.read();
      }
      if (current == null) {
        return false;
      }
      row++;
      if (current.get(entityIdx) == null) {
        throw missingEntity();
      }
      Object t = current.get(tsIdx);
      if (t == null) {
        throw badTimestamp(null);
      }
      if (tsText) {
        ts = Timestamps.parse(t.toString());
        if (ts == Long.MIN_VALUE) {
          throw badTimestamp(t);
        }
      } else {
        ts = Math.floorDiv(((Number) t).longValue(), tsDivisor) * tsMultiplier;
      }
      return true;
    }

    @Override
    public String entity() {
      return current.get(entityIdx).toString();
    }

    @Override
    public long timestamp() {
      return ts;
    }

    @Override
    public Object[] values() {
      int n = schema.getFields().size();
      Object[] v = new Object[n];
      for (int i = 0; i < n; i++) {
        v[i] = current.get(i);
      }
      return v;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /**
   * This spine read ahead by a background thread, a few thousand rows at a time, so that decoding
   * the file overlaps the caller's work on the other core. Rows, values and failures (with their
   * row numbers) come exactly as from this spine, in file order; closing the result closes this
   * spine.
   *
   * @param withValues whether {@link #values()} is wanted (else only entity and timestamp)
   */
  public Spine readAhead(boolean withValues) {
    return new ReadAhead(this, withValues);
  }

  private static final class ReadAhead extends Spine {
    private static final int CHUNK = 4096;

    private static final class Chunk {
      int size;
      final String[] entity = new String[CHUNK];
      final long[] timestamp = new long[CHUNK];
      Object[][] values;
      Throwable failure; // after the rows of this chunk
      boolean last;
    }

    private final Spine source;
    private final java.util.concurrent.BlockingQueue<Chunk> queue =
        new java.util.concurrent.ArrayBlockingQueue<>(4);
    private final Thread thread;
    private volatile boolean closed;
    private Chunk chunk;
    private int at;

    ReadAhead(Spine source, boolean withValues) {
      super(source.path, source.entityColumn, source.timestampColumn);
      this.source = source;
      this.thread =
          new Thread(
              () -> {
                try {
                  boolean more = true;
                  while (more && !closed) {
                    Chunk c = new Chunk();
                    if (withValues) {
                      c.values = new Object[CHUNK][];
                    }
                    try {
                      while (c.size < CHUNK && (more = source.next())) {
                        c.entity[c.size] = source.entity();
                        c.timestamp[c.size] = source.timestamp();
                        if (withValues) {
                          c.values[c.size] = source.values();
                        }
                        c.size++;
                      }
                    } catch (Throwable t) {
                      c.failure = t;
                      more = false;
                    }
                    c.last = !more;
                    queue.put(c);
                  }
                } catch (InterruptedException e) {
                  // closed early
                }
              },
              "freshet-spine-reader");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public long knownRowCount() {
      return source.knownRowCount();
    }

    @Override
    public Schema schema() {
      return source.schema();
    }

    @Override
    public boolean next() throws IOException {
      while (chunk == null || at + 1 >= chunk.size) {
        if (chunk != null && chunk.last) {
          Throwable t = chunk.failure;
          if (t == null) {
            return false;
          }
          chunk.failure = null;
          chunk.size = 0;
          if (t instanceof IOException io) {
            throw io;
          }
          if (t instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(t);
        }
        try {
          chunk = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while reading spine " + path);
        }
        at = -1;
      }
      at++;
      row++;
      return true;
    }

    @Override
    public String entity() {
      return chunk.entity[at];
    }

    @Override
    public long timestamp() {
      return chunk.timestamp[at];
    }

    @Override
    public Object[] values() {
      return chunk.values[at];
    }

    @Override
    public void close() throws IOException {
      closed = true;
      queue.clear();
      thread.interrupt();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      source.close();
    }
  }

  static UncheckedIOException unchecked(IOException e) {
    return new UncheckedIOException(e);
  }
}
