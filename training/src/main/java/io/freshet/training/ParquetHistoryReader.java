package io.freshet.training;

import io.freshet.spec.ValueType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads the columns the join needs straight from a local history data file, column chunk by column
 * chunk, with no record objects: the fast path of the history scan. Columns are found by Iceberg
 * field id, so renamed or later-added columns resolve as Iceberg resolves them (a column missing
 * from an older file reads as null). Timestamps are Iceberg's microseconds, handed on as millis.
 */
final class ParquetHistoryReader {
  private ParquetHistoryReader() {}

  /** Receives one row. */
  interface RowSink {
    void accept(String entity, long key, long validFrom, int revision, long last, Object[] values)
        throws IOException;
  }

  /**
   * @param fieldIds Iceberg field ids of entity, valid_from, revision, last_event_time, the key
   *     column (valid_from or written_at), then the features
   */
  static void read(Path file, int[] fieldIds, List<ValueType> types, RowSink sink)
      throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      ColumnDescriptor[] cols = new ColumnDescriptor[fieldIds.length];
      for (int i = 0; i < fieldIds.length; i++) {
        for (Type t : schema.getFields()) {
          if (t.getId() != null && t.getId().intValue() == fieldIds[i]) {
            cols[i] = schema.getColumnDescription(new String[] {t.getName()});
          }
        }
        if (cols[i] == null && i < 5) {
          throw new IOException(file + " has no column with field id " + fieldIds[i]);
        }
      }
      int nf = types.size();
      Object[] values = new Object[nf];
      PageReadStore rowGroup;
      while ((rowGroup = reader.readNextRowGroup()) != null) {
        int rows = (int) rowGroup.getRowCount();
        ColumnReadStoreImpl store =
            new ColumnReadStoreImpl(
                rowGroup, new GroupRecordConverter(schema).getRootConverter(), schema, createdBy);
        String[] entity = readStrings(store, cols[0], rows);
        long[] validFrom = readMicrosAsMillis(store, cols[1], rows);
        int[] revision = readInts(store, cols[2], rows);
        long[] last = readMicrosAsMillis(store, cols[3], rows);
        long[] key =
            fieldIds[4] == fieldIds[1] ? validFrom : readMicrosAsMillis(store, cols[4], rows);
        Object[][] features = new Object[nf][];
        for (int f = 0; f < nf; f++) {
          features[f] =
              cols[5 + f] == null
                  ? new Object[rows]
                  : readValues(store, cols[5 + f], types.get(f), rows);
        }
        for (int r = 0; r < rows; r++) {
          for (int f = 0; f < nf; f++) {
            values[f] = features[f][r];
          }
          sink.accept(entity[r], key[r], validFrom[r], revision[r], last[r], values);
        }
      }
    }
  }

  private static String[] readStrings(ColumnReadStoreImpl store, ColumnDescriptor d, int rows) {
    ColumnReader cr = store.getColumnReader(d);
    int max = d.getMaxDefinitionLevel();
    String[] out = new String[rows];
    org.apache.parquet.io.api.Binary prev = null;
    String prevString = null;
    for (int r = 0; r < rows; r++) {
      if (cr.getCurrentDefinitionLevel() == max) {
        org.apache.parquet.io.api.Binary b = cr.getBinary();
        if (!b.equals(prev)) {
          prev = b.copy();
          prevString = b.toStringUsingUTF8();
        }
        out[r] = prevString;
      }
      cr.consume();
    }
    return out;
  }

  private static long[] readMicrosAsMillis(
      ColumnReadStoreImpl store, ColumnDescriptor d, int rows) {
    ColumnReader cr = store.getColumnReader(d);
    int max = d.getMaxDefinitionLevel();
    long[] out = new long[rows];
    for (int r = 0; r < rows; r++) {
      if (cr.getCurrentDefinitionLevel() == max) {
        out[r] = Math.floorDiv(cr.getLong(), 1000L);
      }
      cr.consume();
    }
    return out;
  }

  private static int[] readInts(ColumnReadStoreImpl store, ColumnDescriptor d, int rows) {
    ColumnReader cr = store.getColumnReader(d);
    int max = d.getMaxDefinitionLevel();
    int[] out = new int[rows];
    for (int r = 0; r < rows; r++) {
      if (cr.getCurrentDefinitionLevel() == max) {
        out[r] = cr.getInteger();
      }
      cr.consume();
    }
    return out;
  }

  private static Object[] readValues(
      ColumnReadStoreImpl store, ColumnDescriptor d, ValueType type, int rows) {
    ColumnReader cr = store.getColumnReader(d);
    int max = d.getMaxDefinitionLevel();
    Object[] out = new Object[rows];
    for (int r = 0; r < rows; r++) {
      if (cr.getCurrentDefinitionLevel() == max) {
        out[r] =
            switch (type) {
              case LONG -> cr.getLong();
              case DOUBLE -> cr.getDouble();
              case STRING -> cr.getBinary().toStringUsingUTF8();
              case BOOLEAN -> cr.getBoolean();
            };
      }
      cr.consume();
    }
    return out;
  }
}
