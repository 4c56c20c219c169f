package io.freshet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Every row of an Iceberg table (a view's history table), read back with Iceberg's generic reader
 * after a refresh, so that a test sees the newest commit; at the current snapshot or, time
 * travelling, at an older one.
 */
public final class HistoryRows {
  private HistoryRows() {}

  /** Every row of the table's current snapshot, in no particular order. */
  public static List<Record> read(Table table) {
    table.refresh();
    return all(IcebergGenerics.read(table).build());
  }

  /** Every row of the table at snapshot {@code snapshotId}, in no particular order. */
  public static List<Record> read(Table table, long snapshotId) {
    table.refresh();
    return all(IcebergGenerics.read(table).useSnapshot(snapshotId).build());
  }

  /**
   * Every row of the table's current snapshot as the text of all its columns in schema order
   * (doubles by their bits, so that {@code -0.0} and NaNs differ as stored), sorted: two tables
   * hold the same multiset of rows exactly when these lists are equal.
   */
  public static List<String> sortedText(Table table) {
    return sortedText(read(table));
  }

  /** As {@link #sortedText(Table)}, at snapshot {@code snapshotId} (time travel). */
  public static List<String> sortedText(Table table, long snapshotId) {
    return sortedText(read(table, snapshotId));
  }

  private static List<String> sortedText(List<Record> records) {
    List<String> out = new ArrayList<>();
    for (Record r : records) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        Object v = r.get(i);
        b.append(i == 0 ? "" : "|")
            .append(v instanceof Double d ? Double.doubleToRawLongBits(d) + "d" : v);
      }
      out.add(b.toString());
    }
    out.sort(null);
    return out;
  }

  private static List<Record> all(CloseableIterable<Record> records) {
    List<Record> out = new ArrayList<>();
    try (records) {
      records.forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
