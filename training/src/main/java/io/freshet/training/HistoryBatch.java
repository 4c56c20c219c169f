package io.freshet.training;

import io.freshet.spec.ValueType;
import java.util.List;

/**
 * A few thousand history rows of one view, column by column: what the join needs and nothing else.
 * {@code key} is valid_from, or written_at for as-served joins. {@code entity} is what the scan's
 * {@link Entities} made of each row's entity (an id in the spine bucket, or a partition), -1 for
 * rows no spine row asks for. Reused batch after batch by one reader thread.
 */
final class HistoryBatch {
  /** Turns an entity's UTF-8 bytes into the int the batch carries; -1 drops the row. */
  interface Entities {
    int id(byte[] utf8, int off, int len);
  }

  static final int CAPACITY = 4096;

  int size;
  final int[] entity = new int[CAPACITY];
  final long[] key = new long[CAPACITY];
  final long[] validFrom = new long[CAPACITY];
  final int[] revision = new int[CAPACITY];
  final long[] lastEventTime = new long[CAPACITY];
  final FeatureColumns values;

  /** The batch's entity bytes while a reader resolves them: row r's at entityOffset[r]. */
  byte[] entityScratch = new byte[CAPACITY * 24];

  final int[] entityOffset = new int[CAPACITY + 1];

  /** Each row's entity bytes (copies), when the batch was made to keep them; else null. */
  final byte[][] entityBytes;

  HistoryBatch(List<ValueType> types, boolean keepEntityBytes) {
    this.values = new FeatureColumns(types, CAPACITY);
    this.entityBytes = keepEntityBytes ? new byte[CAPACITY][] : null;
  }
}
