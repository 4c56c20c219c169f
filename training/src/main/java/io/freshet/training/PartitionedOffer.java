package io.freshet.training;

import io.freshet.spec.ValueType;
import java.util.Arrays;
import java.util.List;

/**
 * One reader thread's way into a {@link StreamingAsOfJoin.State}: history rows are gathered by
 * entity partition (see {@link EntityIndex#partition}; the scan's {@link HistoryBatch.Entities}
 * gives each row its partition) and handed over a full buffer of one partition at a time. A
 * partition's entity ids, index slots and join state are adjacent, so each buffer's lookups and
 * updates stay within a few megabytes that the caches hold, instead of missing the cache twice per
 * row in an index and a state as large as the spine. Holds at most one buffer per partition.
 *
 * <p>A partition's buffer is row-major (a row's times, revision, values and presence adjacent in
 * one {@code long[]}, its entity bytes in one arena), so routing a row writes to two or three
 * places, not to a dozen arrays per partition that would compete for the cache.
 */
final class PartitionedOffer implements ParquetHistoryReader.BatchSink {
  private final EntityIndex index;
  private final StreamingAsOfJoin.State state;
  private final Part[] parts;
  private final int capacity;
  private final int stride; // longs per row
  private final int strings; // strings per row

  PartitionedOffer(
      EntityIndex index, int bits, StreamingAsOfJoin.State state, List<ValueType> types) {
    this.index = index;
    this.state = state;
    this.parts = new Part[1 << bits];
    this.capacity = capacity(bits);
    FeatureColumns shape = new FeatureColumns(types, 0);
    this.stride = StreamingAsOfJoin.ROW_VALUES + shape.rowLongs();
    this.strings = shape.rowStrings();
  }

  /** Partitions per spine: about {@code rows / 4096}, so that one partition's state is ~0.5 MB. */
  static int bits(int spineRows) {
    int parts = Integer.highestOneBit(Math.max(1, spineRows / 4096));
    return Math.min(Integer.numberOfTrailingZeros(parts), 10);
  }

  /** Rows gathered per partition: at most 2^18 rows (some 30 MB) a reader thread, in all. */
  static int capacity(int bits) {
    return Math.max(512, Math.min(HistoryBatch.CAPACITY, (1 << 18) >> bits));
  }

  /** One partition's gathered rows. */
  private final class Part {
    final long[] rows = new long[capacity * stride];
    final String[] text = new String[capacity * strings];
    final int[] entity = new int[capacity];
    final int[] entityEnd = new int[capacity]; // row r's bytes: [entityEnd[r - 1], entityEnd[r])
    byte[] bytes = new byte[capacity * 16];
    int size;
  }

  @Override
  public void accept(HistoryBatch batch) {
    FeatureColumns values = batch.values;
    int n = batch.size;
    for (int r = 0; r < n; r++) {
      int q = batch.entity[r];
      if (q < 0) {
        continue;
      }
      Part part = parts[q];
      if (part == null) {
        part = parts[q] = new Part();
      }
      int i = part.size;
      long[] d = part.rows;
      int at = i * stride;
      d[at + StreamingAsOfJoin.ROW_KEY] = batch.key[r];
      d[at + StreamingAsOfJoin.ROW_VALID_FROM] = batch.validFrom[r];
      d[at + StreamingAsOfJoin.ROW_LAST] = batch.lastEventTime[r];
      d[at + StreamingAsOfJoin.ROW_REVISION] = batch.revision[r];
      values.exportRow(r, d, at + StreamingAsOfJoin.ROW_VALUES, part.text, i * strings);
      int from = batch.entityOffset[r];
      int len = batch.entityOffset[r + 1] - from;
      int start = i == 0 ? 0 : part.entityEnd[i - 1];
      if (start + len > part.bytes.length) {
        part.bytes = Arrays.copyOf(part.bytes, Math.max(part.bytes.length * 2, start + len));
      }
      System.arraycopy(batch.entityBytes, from, part.bytes, start, len);
      part.entityEnd[i] = start + len;
      part.size = i + 1;
      if (part.size == capacity) {
        flush(part);
      }
    }
  }

  /** Hands over what is still gathered; call when the scan is over. */
  void finish() {
    for (Part part : parts) {
      if (part != null && part.size > 0) {
        flush(part);
      }
    }
  }

  private void flush(Part part) {
    int start = 0;
    for (int i = 0; i < part.size; i++) {
      int end = part.entityEnd[i];
      part.entity[i] = index.idOf(part.bytes, start, end - start);
      start = end;
    }
    state.offerRows(part.size, part.entity, part.rows, stride, part.text);
    part.size = 0;
  }
}
