package io.freshet.training;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The (entity, timestamp) of the spine rows of one bucket, in spine order. */
final class SpineRows {
  final Map<String, Integer> entityIds = new HashMap<>();
  int size;
  int[] entity = new int[1024];
  long[] timestamp = new long[1024];

  void add(String entityText, long ts) {
    if (size == entity.length) {
      entity = Arrays.copyOf(entity, size * 2);
      timestamp = Arrays.copyOf(timestamp, size * 2);
    }
    Integer id = entityIds.get(entityText);
    if (id == null) {
      id = entityIds.size();
      entityIds.put(entityText, id);
    }
    entity[size] = id;
    timestamp[size] = ts;
    size++;
  }

  /** The entity's id in this bucket, or -1 when no spine row asks for it. */
  int idOf(String entityText) {
    Integer id = entityIds.get(entityText);
    return id == null ? -1 : id;
  }

  /** Row order by (entity, timestamp). */
  int[] sorted() {
    return IntSort.groupSort(
        entity, size, entityIds.size(), (a, b) -> Long.compare(timestamp[a], timestamp[b]));
  }
}
