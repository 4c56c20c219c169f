package io.freshet.training;

import java.util.Arrays;

/**
 * The history rows of one view (or of one entity bucket of it) in memory, column by column: what
 * the join needs and nothing else. {@code key} is valid_from, or written_at for as-served joins.
 */
final class HistoryRows {
  final int features;
  int size;
  int[] entity = new int[1024];
  long[] key = new long[1024];
  long[] validFrom = new long[1024];
  int[] revision = new int[1024];
  long[] lastEventTime = new long[1024];
  Object[][] values;

  HistoryRows(int features) {
    this.features = features;
    this.values = new Object[features][1024];
  }

  void add(int entityId, long k, long vf, int rev, long last, Object[] vals) {
    if (size == key.length) {
      int n = size * 2;
      entity = Arrays.copyOf(entity, n);
      key = Arrays.copyOf(key, n);
      validFrom = Arrays.copyOf(validFrom, n);
      revision = Arrays.copyOf(revision, n);
      lastEventTime = Arrays.copyOf(lastEventTime, n);
      for (int f = 0; f < features; f++) {
        values[f] = Arrays.copyOf(values[f], n);
      }
    }
    entity[size] = entityId;
    key[size] = k;
    validFrom[size] = vf;
    revision[size] = rev;
    lastEventTime[size] = last;
    for (int f = 0; f < features; f++) {
      values[f][size] = vals[f];
    }
    size++;
  }

  /** Row order by entity (ids 0..entities-1), then {@link AsOfJoin#compareHistory}. */
  int[] sorted(int entities) {
    return IntSort.groupSort(
        entity,
        size,
        entities,
        (a, b) ->
            AsOfJoin.compareHistory(
                key[a], validFrom[a], revision[a], key[b], validFrom[b], revision[b]));
  }

  /** Appends another part's rows (a second reader thread's). */
  void addAll(HistoryRows other) {
    int n = size + other.size;
    if (n > key.length) {
      entity = Arrays.copyOf(entity, n);
      key = Arrays.copyOf(key, n);
      validFrom = Arrays.copyOf(validFrom, n);
      revision = Arrays.copyOf(revision, n);
      lastEventTime = Arrays.copyOf(lastEventTime, n);
      for (int f = 0; f < features; f++) {
        values[f] = Arrays.copyOf(values[f], n);
      }
    }
    System.arraycopy(other.entity, 0, entity, size, other.size);
    System.arraycopy(other.key, 0, key, size, other.size);
    System.arraycopy(other.validFrom, 0, validFrom, size, other.size);
    System.arraycopy(other.revision, 0, revision, size, other.size);
    System.arraycopy(other.lastEventTime, 0, lastEventTime, size, other.size);
    for (int f = 0; f < features; f++) {
      System.arraycopy(other.values[f], 0, values[f], size, other.size);
    }
    size = n;
  }
}
