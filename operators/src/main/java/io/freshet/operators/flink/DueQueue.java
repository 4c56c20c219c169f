package io.freshet.operators.flink;

import java.util.Arrays;

/**
 * A min-heap of (event time, entity) wake-ups on arrays: the engine's own timer queue. It may hold
 * stale entries (an entity re-armed earlier, or no longer held: see {@link
 * DecodedEntities#resolve}); the engine recognises them when they come out. Not thread-safe; not
 * checkpointed (rebuilt from keyed state on restore).
 */
final class DueQueue {
  private long[] times = new long[64];
  private DecodedEntities.Entity[] entities = new DecodedEntities.Entity[64];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The earliest time in the queue; the queue must not be empty. */
  long peekTime() {
    return times[0];
  }

  /** The entity of the earliest entry; the queue must not be empty. */
  DecodedEntities.Entity peekEntity() {
    return entities[0];
  }

  void push(long time, DecodedEntities.Entity entity) {
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      entities = Arrays.copyOf(entities, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (times[parent] <= time) {
        break;
      }
      times[i] = times[parent];
      entities[i] = entities[parent];
      i = parent;
    }
    times[i] = time;
    entities[i] = entity;
  }

  /** Removes the earliest entry; the queue must not be empty. */
  void pop() {
    int last = --size;
    long time = times[last];
    DecodedEntities.Entity entity = entities[last];
    entities[last] = null;
    if (last == 0) {
      return;
    }
    int i = 0;
    int half = last >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      if (child + 1 < last && times[child + 1] < times[child]) {
        child++;
      }
      if (time <= times[child]) {
        break;
      }
      times[i] = times[child];
      entities[i] = entities[child];
      i = child;
    }
    times[i] = time;
    entities[i] = entity;
  }
}
