package io.freshet.training;

import java.util.Arrays;

/** The (entity, timestamp) of the spine rows of one bucket, in spine order. */
final class SpineRows {
  final EntityIndex entities = new EntityIndex();
  int size;
  int[] entity = new int[1024];
  long[] timestamp = new long[1024];

  void add(String entityText, long ts) {
    if (size == entity.length) {
      entity = Arrays.copyOf(entity, size * 2);
      timestamp = Arrays.copyOf(timestamp, size * 2);
    }
    entity[size] = entities.add(entityText);
    timestamp[size] = ts;
    size++;
  }

  /** The entity's id in this bucket, or -1 when no spine row asks for it. */
  int idOf(String entityText) {
    return entities.idOf(entityText);
  }

  /**
   * Renumbers the entities so that each of {@code 1 << bits} partitions (by entity hash, see {@link
   * EntityIndex#partition}) has consecutive ids; call before sorting.
   */
  void groupByPartition(int bits) {
    int[] newId = entities.groupByPartition(bits);
    for (int i = 0; i < size; i++) {
      entity[i] = newId[entity[i]];
    }
  }

  /** Row order by (entity, timestamp). */
  int[] sorted() {
    return IntSort.groupSort(
        entity, size, entities.size(), (a, b) -> Long.compare(timestamp[a], timestamp[b]));
  }
}
