package io.freshet.training;

/**
 * One reader thread's way into a {@link StreamingAsOfJoin.State}: history rows are gathered by
 * entity partition (see {@link EntityIndex#partition}; the scan's {@link HistoryBatch.Entities}
 * gives each row its partition) and handed over a full batch of one partition at a time. A
 * partition's entity ids, index slots and join state are adjacent, so each batch's lookups and
 * updates stay within a few megabytes that the caches hold, instead of missing the cache twice per
 * row in an index and a state as large as the spine. Holds at most one batch per partition.
 */
final class PartitionedOffer implements ParquetHistoryReader.BatchSink {
  private final EntityIndex index;
  private final StreamingAsOfJoin.State state;
  private final HistoryBatch[] parts;
  private final java.util.List<io.freshet.spec.ValueType> types;
  private final int capacity;

  PartitionedOffer(
      EntityIndex index,
      int bits,
      StreamingAsOfJoin.State state,
      java.util.List<io.freshet.spec.ValueType> types) {
    this.index = index;
    this.state = state;
    this.parts = new HistoryBatch[1 << bits];
    this.types = types;
    this.capacity = capacity(bits);
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

  @Override
  public void accept(HistoryBatch batch) {
    for (int r = 0; r < batch.size; r++) {
      int q = batch.entity[r];
      if (q < 0) {
        continue;
      }
      HistoryBatch part = parts[q];
      if (part == null) {
        part = parts[q] = new HistoryBatch(types, capacity);
      }
      part.add(batch, r);
      if (part.size == capacity) {
        flush(part);
      }
    }
  }

  /** Hands over what is still gathered; call when the scan is over. */
  void finish() {
    for (HistoryBatch part : parts) {
      if (part != null && part.size > 0) {
        flush(part);
      }
    }
  }

  private void flush(HistoryBatch part) {
    for (int i = 0; i < part.size; i++) {
      part.entity[i] = index.idOf(part.entityBytes, part.entityOffset[i], part.entityLength(i));
    }
    state.offer(part);
    part.clear();
  }
}
