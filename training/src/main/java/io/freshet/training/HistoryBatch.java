package io.freshet.training;

import io.freshet.spec.ValueType;
import java.util.Arrays;
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

  final int capacity;
  int size;
  final int[] entity;
  final long[] key;
  final long[] validFrom;
  final int[] revision;
  final long[] lastEventTime;
  final FeatureColumns values;

  /** Row r's entity as UTF-8 bytes: entityBytes[entityOffset[r] .. entityOffset[r + 1]). */
  byte[] entityBytes;

  final int[] entityOffset;

  HistoryBatch(List<ValueType> types) {
    this(types, CAPACITY);
  }

  HistoryBatch(List<ValueType> types, int capacity) {
    this.capacity = capacity;
    this.entity = new int[capacity];
    this.key = new long[capacity];
    this.validFrom = new long[capacity];
    this.revision = new int[capacity];
    this.lastEventTime = new long[capacity];
    this.values = new FeatureColumns(types, capacity);
    this.entityBytes = new byte[capacity * 24];
    this.entityOffset = new int[capacity + 1];
  }

  /** Sets row {@code row}'s entity bytes; rows are set in order from 0. */
  void putEntity(int row, byte[] b, int off, int len) {
    int at = entityOffset[row];
    if (at + len > entityBytes.length) {
      entityBytes = Arrays.copyOf(entityBytes, Math.max(entityBytes.length * 2, at + len));
    }
    System.arraycopy(b, off, entityBytes, at, len);
    entityOffset[row + 1] = at + len;
  }

  int entityLength(int row) {
    return entityOffset[row + 1] - entityOffset[row];
  }

  /** Appends row {@code r} of another batch (same types), entity bytes included. */
  void add(HistoryBatch src, int r) {
    int n = size;
    entity[n] = src.entity[r];
    key[n] = src.key[r];
    validFrom[n] = src.validFrom[r];
    revision[n] = src.revision[r];
    lastEventTime[n] = src.lastEventTime[r];
    values.copy(src.values, r, n);
    putEntity(n, src.entityBytes, src.entityOffset[r], src.entityLength(r));
    size = n + 1;
  }

  void clear() {
    size = 0;
  }
}
