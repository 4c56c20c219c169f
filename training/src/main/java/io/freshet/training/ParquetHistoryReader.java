package io.freshet.training;

import io.freshet.spec.ValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads the columns the join needs straight from a local history data file into {@link
 * HistoryBatch}es, column by column, with no record objects and no boxing: the fast path of the
 * history scan. Entities go to {@link HistoryBatch.Entities} as UTF-8 bytes (no String per row);
 * string feature values share one String per distinct value seen recently. Columns are found by
 * Iceberg field id, so renamed or later-added columns resolve as Iceberg resolves them (a column
 * missing from an older file reads as null). Timestamps are Iceberg's microseconds, handed on as
 * millis. A row group is decoded {@link HistoryBatch#CAPACITY} rows at a time, so memory does not
 * grow with row groups.
 */
final class ParquetHistoryReader {
  private ParquetHistoryReader() {}

  /**
   * One Hadoop configuration for all files: a new one per file parses Hadoop's default XML
   * resources again (a few percent of the scan). Only read, never set.
   */
  private static final ParquetConfiguration CONFIGURATION =
      new HadoopParquetConfiguration(new Configuration());

  /** Receives each filled batch (valid until it returns). */
  interface BatchSink {
    void accept(HistoryBatch batch) throws IOException;
  }

  /**
   * @param fieldIds Iceberg field ids of entity, valid_from, revision, last_event_time, the key
   *     column (valid_from or written_at), then the features (in the batch's feature order; the
   *     warming_up column's for an indicator)
   * @param indicators which of the batch's features are {@link Indicators} indicators
   */
  static void read(
      Path file,
      int[] fieldIds,
      IndicatorColumns indicators,
      HistoryBatch.Entities entities,
      HistoryBatch batch,
      BatchSink sink)
      throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            new LocalInputFile(file), ParquetReadOptions.builder(CONFIGURATION).build())) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      ColumnDescriptor[] cols = new ColumnDescriptor[fieldIds.length];
      Listed listed = null;
      for (int i = 0; i < fieldIds.length; i++) {
        if (i >= 5 && indicators.values().holds()[i - 5] >= 0) {
          continue;
        }
        if (i >= 5 && indicators.values().warmingOf()[i - 5] != null) {
          if (listed == null) {
            listed =
                new Listed(
                    listColumn(schema, fieldIds[i]),
                    column(schema, indicators.versionFieldId),
                    indicators);
          }
          continue;
        }
        for (Type t : schema.getFields()) {
          if (t.getId() != null && t.getId().intValue() == fieldIds[i]) {
            cols[i] = schema.getColumnDescription(new String[] {t.getName()});
          }
        }
        if (cols[i] == null && i < 5) {
          throw new IOException(file + " has no column with field id " + fieldIds[i]);
        }
      }
      boolean separateKey = fieldIds[4] != fieldIds[1];
      FeatureColumns values = batch.values;
      int nf = values.features();
      StringCache strings = new StringCache();
      boolean bulk = true;
      for (int i = 0; i < cols.length; i++) {
        bulk &= cols[i] == null || bulkReads(cols[i], i, values.types);
      }
      PageReadStore rowGroup;
      while ((rowGroup = reader.readNextRowGroup()) != null) {
        ColumnReadStoreImpl store =
            new ColumnReadStoreImpl(
                rowGroup, new GroupRecordConverter(schema).getRootConverter(), schema, createdBy);
        if (listed != null) {
          listed.start(store);
        }
        if (bulk) {
          readBulk(rowGroup, cols, separateKey, entities, batch, indicators, listed, sink, strings);
          continue;
        }
        ColumnReader[] readers = new ColumnReader[cols.length];
        for (int i = 0; i < cols.length; i++) {
          if (cols[i] != null && (i != 4 || separateKey)) {
            readers[i] = store.getColumnReader(cols[i]);
          }
        }
        long rows = rowGroup.getRowCount();
        for (long done = 0; done < rows; ) {
          int n = (int) Math.min(HistoryBatch.CAPACITY, rows - done);
          readEntities(readers[0], n, entities, batch);
          readMicrosAsMillis(readers[1], n, batch.validFrom);
          readInts(readers[2], n, batch.revision);
          readMicrosAsMillis(readers[3], n, batch.lastEventTime);
          if (separateKey) {
            readMicrosAsMillis(readers[4], n, batch.key);
          } else {
            System.arraycopy(batch.validFrom, 0, batch.key, 0, n);
          }
          for (int f = 0; f < nf; f++) {
            ColumnReader cr = readers[5 + f];
            if (indicators.values().isIndicator(f)) {
              continue;
            } else if (cr == null) {
              for (int r = 0; r < n; r++) {
                values.setNull(f, r);
              }
            } else {
              readValues(cr, values, f, n, strings);
            }
          }
          if (listed != null) {
            listed.read(n, values);
          }
          indicators.setHeld(batch, n);
          batch.size = n;
          sink.accept(batch);
          done += n;
        }
      }
    }
  }

  /**
   * Whether column {@code i} (in {@link #read}'s field order) has a physical type {@link
   * BulkColumnReader} decodes into what the batch expects; otherwise the file is read value by
   * value.
   */
  private static boolean bulkReads(ColumnDescriptor c, int i, ValueType[] types) {
    if (!BulkColumnReader.supports(c)) {
      return false;
    }
    PrimitiveTypeName t = c.getPrimitiveType().getPrimitiveTypeName();
    return switch (i) {
      case 0 -> t == PrimitiveTypeName.BINARY;
      case 1, 3, 4 -> t == PrimitiveTypeName.INT64;
      case 2 -> t == PrimitiveTypeName.INT32;
      default ->
          switch (types[i - 5]) {
            case LONG -> t == PrimitiveTypeName.INT64 || t == PrimitiveTypeName.INT32;
            case DOUBLE -> t == PrimitiveTypeName.DOUBLE || t == PrimitiveTypeName.FLOAT;
            case STRING -> t == PrimitiveTypeName.BINARY;
            case BOOLEAN -> t == PrimitiveTypeName.BOOLEAN;
          };
    };
  }

  /** One row group through {@link BulkColumnReader}s: the usual path. */
  private static void readBulk(
      PageReadStore rowGroup,
      ColumnDescriptor[] cols,
      boolean separateKey,
      HistoryBatch.Entities entities,
      HistoryBatch batch,
      IndicatorColumns indicators,
      Listed listed,
      BatchSink sink,
      StringCache strings)
      throws IOException {
    BulkColumnReader[] readers = new BulkColumnReader[cols.length];
    for (int i = 0; i < cols.length; i++) {
      if (cols[i] != null && (i != 4 || separateKey)) {
        readers[i] = new BulkColumnReader(cols[i], rowGroup.getPageReader(cols[i]));
      }
    }
    FeatureColumns values = batch.values;
    int nf = values.features();
    long[] raw = new long[HistoryBatch.CAPACITY];
    boolean[] present = new boolean[HistoryBatch.CAPACITY];
    long rows = rowGroup.getRowCount();
    for (long done = 0; done < rows; ) {
      int n = (int) Math.min(HistoryBatch.CAPACITY, rows - done);
      batch.entityOffset[0] = 0;
      readers[0].readBinary(
          n,
          (r, b, off, len) -> {
            if (len >= 0) {
              batch.putEntity(r, b, off, len);
              batch.entity[r] = 0;
            } else {
              batch.entityOffset[r + 1] = batch.entityOffset[r];
              batch.entity[r] = -1;
            }
          });
      resolveEntities(n, entities, batch);
      readMicrosAsMillis(readers[1], n, raw, present, batch.validFrom);
      readers[2].read(n, raw, present);
      for (int r = 0; r < n; r++) {
        batch.revision[r] = (int) raw[r];
      }
      readMicrosAsMillis(readers[3], n, raw, present, batch.lastEventTime);
      if (separateKey) {
        readMicrosAsMillis(readers[4], n, raw, present, batch.key);
      } else {
        System.arraycopy(batch.validFrom, 0, batch.key, 0, n);
      }
      for (int f = 0; f < nf; f++) {
        BulkColumnReader cr = readers[5 + f];
        if (indicators.values().isIndicator(f)) {
          continue;
        } else if (cr == null) {
          for (int r = 0; r < n; r++) {
            values.setNull(f, r);
          }
        } else if (values.types[f] == ValueType.STRING) {
          int feature = f;
          cr.readBinary(
              n,
              (r, b, off, len) -> {
                if (len < 0) {
                  values.setNull(feature, r);
                } else {
                  values.setText(feature, r, strings.get(b, off, len));
                }
              });
        } else {
          cr.read(n, raw, present);
          for (int r = 0; r < n; r++) {
            if (present[r]) {
              values.setBits(f, r, raw[r]);
            } else {
              values.setNull(f, r);
            }
          }
        }
      }
      if (listed != null) {
        listed.read(n, values);
      }
      indicators.setHeld(batch, n);
      batch.size = n;
      sink.accept(batch);
      done += n;
    }
  }

  /**
   * Which features of a batch are {@link Indicators}, and the field id of spec_version, which the
   * warming-up indicators read.
   */
  record IndicatorColumns(Indicators.Values values, int versionFieldId) {

    /** Sets the held indicators of rows 0 to n - 1 from their valid_from and written_at (key). */
    void setHeld(HistoryBatch batch, int n) {
      long[] holds = values.holds();
      for (int f = 0; f < holds.length; f++) {
        if (holds[f] >= 0) {
          for (int r = 0; r < n; r++) {
            batch.values.setBits(f, r, values.held(f, batch.validFrom[r], batch.key[r]) ? 1 : 0);
          }
        }
      }
    }
  }

  /** The flat column with Iceberg field id {@code fieldId}, or null when the file has none. */
  private static ColumnDescriptor column(MessageType schema, int fieldId) {
    for (Type t : schema.getFields()) {
      if (t.getId() != null && t.getId().intValue() == fieldId) {
        return schema.getColumnDescription(new String[] {t.getName()});
      }
    }
    return null;
  }

  /**
   * The leaf column of the list with Iceberg field id {@code listFieldId} (warming_up's element),
   * or null when the file has no such column (written before the table had it).
   */
  private static ColumnDescriptor listColumn(MessageType schema, int listFieldId) {
    for (Type t : schema.getFields()) {
      if (t.getId() != null && t.getId().intValue() == listFieldId) {
        for (ColumnDescriptor c : schema.getColumns()) {
          if (c.getPath().length > 1 && c.getPath()[0].equals(t.getName())) {
            return c;
          }
        }
      }
    }
    return null;
  }

  /**
   * The warming_up list and spec_version of each row, turned into the batch's {@link Indicators}
   * indicators: true where the row lists the indicator's feature or its spec version did not
   * compute it, false otherwise. Read value by value with parquet's own readers (the list is a
   * repeated column); nearly every row's list is null, one value.
   */
  private static final class Listed {
    private final ColumnDescriptor column;
    private final ColumnDescriptor versionColumn;
    private final int[] slots; // the batch's feature slots that are indicators
    private final Binary[] names; // the feature each of them is the indicator of
    private final Binary[][] without; // per slot, the spec versions that did not compute it
    private final boolean[] found;
    private ColumnReader reader;
    private ColumnReader versions;
    private long left;

    Listed(ColumnDescriptor column, ColumnDescriptor versionColumn, IndicatorColumns indicators) {
      this.column = column;
      this.versionColumn = versionColumn;
      String[] of = indicators.values().warmingOf();
      int n = 0;
      for (String f : of) {
        n += f == null ? 0 : 1;
      }
      this.slots = new int[n];
      this.names = new Binary[n];
      this.without = new Binary[n][];
      this.found = new boolean[n];
      for (int f = 0, k = 0; f < of.length; f++) {
        if (of[f] != null) {
          slots[k] = f;
          names[k] = Binary.fromString(of[f]);
          without[k++] =
              indicators.values().versionsWithout().get(f).stream()
                  .map(Binary::fromString)
                  .toArray(Binary[]::new);
        }
      }
    }

    void start(ColumnReadStoreImpl store) {
      if (column != null) {
        reader = store.getColumnReader(column);
        left = reader.getTotalValueCount();
      }
      if (versionColumn != null) {
        versions = store.getColumnReader(versionColumn);
      }
    }

    /** Sets the indicators of the next {@code n} rows (rows 0 to n - 1 of {@code values}). */
    void read(int n, FeatureColumns values) {
      int maxDef = column == null ? 0 : column.getMaxDefinitionLevel();
      for (int r = 0; r < n; r++) {
        Arrays.fill(found, false);
        if (versions != null) {
          if (versions.getCurrentDefinitionLevel() == versionColumn.getMaxDefinitionLevel()) {
            Binary version = versions.getBinary();
            for (int k = 0; k < without.length; k++) {
              for (Binary w : without[k]) {
                found[k] |= w.equals(version);
              }
            }
          }
          versions.consume();
        }
        // a row's values: the first at repetition level 0, the rest of its list above 0
        for (boolean first = true;
            reader != null && left > 0 && (first || reader.getCurrentRepetitionLevel() > 0);
            first = false) {
          if (reader.getCurrentDefinitionLevel() == maxDef) {
            Binary name = reader.getBinary();
            for (int k = 0; k < names.length; k++) {
              found[k] |= names[k].equals(name);
            }
          }
          reader.consume();
          left--;
        }
        for (int k = 0; k < slots.length; k++) {
          values.setBits(slots[k], r, found[k] ? 1 : 0);
        }
      }
    }
  }

  private static void readMicrosAsMillis(
      BulkColumnReader cr, int n, long[] raw, boolean[] present, long[] out) throws IOException {
    cr.read(n, raw, present);
    for (int r = 0; r < n; r++) {
      out[r] = present[r] ? Math.floorDiv(raw[r], 1000L) : 0;
    }
  }

  private static void resolveEntities(int n, HistoryBatch.Entities entities, HistoryBatch batch) {
    byte[] bytes = batch.entityBytes;
    int[] offset = batch.entityOffset;
    for (int r = 0; r < n; r++) {
      if (batch.entity[r] == 0) {
        batch.entity[r] = entities.id(bytes, offset[r], offset[r + 1] - offset[r]);
      }
    }
  }

  /**
   * Copies the entities' bytes out first, then resolves them in a tight loop of independent
   * lookups, which the CPU overlaps.
   */
  private static void readEntities(
      ColumnReader cr, int n, HistoryBatch.Entities entities, HistoryBatch batch) {
    int max = cr.getDescriptor().getMaxDefinitionLevel();
    batch.entityOffset[0] = 0;
    for (int r = 0; r < n; r++) {
      if (cr.getCurrentDefinitionLevel() == max) {
        ByteBuffer b = cr.getBinary().toByteBuffer();
        if (b.hasArray()) {
          batch.putEntity(r, b.array(), b.arrayOffset() + b.position(), b.remaining());
        } else {
          byte[] a = new byte[b.remaining()];
          b.duplicate().get(a);
          batch.putEntity(r, a, 0, a.length);
        }
        batch.entity[r] = 0;
      } else {
        batch.entityOffset[r + 1] = batch.entityOffset[r];
        batch.entity[r] = -1;
      }
      cr.consume();
    }
    resolveEntities(n, entities, batch);
  }

  private static void readMicrosAsMillis(ColumnReader cr, int n, long[] out) {
    int max = cr.getDescriptor().getMaxDefinitionLevel();
    for (int r = 0; r < n; r++) {
      out[r] = cr.getCurrentDefinitionLevel() == max ? Math.floorDiv(cr.getLong(), 1000L) : 0;
      cr.consume();
    }
  }

  private static void readInts(ColumnReader cr, int n, int[] out) {
    int max = cr.getDescriptor().getMaxDefinitionLevel();
    for (int r = 0; r < n; r++) {
      out[r] = cr.getCurrentDefinitionLevel() == max ? cr.getInteger() : 0;
      cr.consume();
    }
  }

  private static void readValues(
      ColumnReader cr, FeatureColumns values, int f, int n, StringCache strings) {
    int max = cr.getDescriptor().getMaxDefinitionLevel();
    PrimitiveTypeName physical = cr.getDescriptor().getPrimitiveType().getPrimitiveTypeName();
    ValueType type = values.types[f];
    for (int r = 0; r < n; r++) {
      if (cr.getCurrentDefinitionLevel() != max) {
        values.setNull(f, r);
      } else {
        switch (type) {
          case LONG ->
              values.setBits(
                  f, r, physical == PrimitiveTypeName.INT32 ? cr.getInteger() : cr.getLong());
          case DOUBLE ->
              values.setBits(
                  f,
                  r,
                  Double.doubleToRawLongBits(
                      physical == PrimitiveTypeName.FLOAT ? cr.getFloat() : cr.getDouble()));
          case STRING -> values.setText(f, r, strings.get(cr.getBinary()));
          case BOOLEAN -> values.setBits(f, r, cr.getBoolean() ? 1 : 0);
        }
      }
      cr.consume();
    }
  }

  /**
   * Recently decoded strings by content, so that a low-cardinality column (a country) yields a
   * handful of String objects rather than one per row.
   */
  private static final class StringCache {
    private final byte[][] keys = new byte[256][];
    private final String[] strings = new String[256];

    String get(Binary value) {
      ByteBuffer b = value.toByteBuffer();
      if (!b.hasArray() || b.remaining() > 64) {
        return value.toStringUsingUTF8();
      }
      return get(b.array(), b.arrayOffset() + b.position(), b.remaining());
    }

    String get(byte[] a, int off, int len) {
      if (len > 64) {
        return new String(a, off, len, StandardCharsets.UTF_8);
      }
      int slot = EntityIndex.hash(a, off, len) & 255;
      byte[] k = keys[slot];
      if (k != null && Arrays.equals(k, 0, k.length, a, off, off + len)) {
        return strings[slot];
      }
      String s = new String(a, off, len, StandardCharsets.UTF_8);
      keys[slot] = Arrays.copyOfRange(a, off, off + len);
      strings[slot] = s;
      return s;
    }
  }
}
