package io.freshet.operators.flink;

import java.util.Arrays;

/**
 * A min-heap of (event time, key) wake-ups on primitive arrays: the engine's own timer queue. It
 * may hold stale entries (a key re-armed earlier); the engine recognises and skips them when they
 * come out. Not thread-safe; not checkpointed (rebuilt from keyed state on restore).
 */
final class DueQueue {
  private long[] times = new long[64];
  private Object[] keys = new Object[64];
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

  /** The key of the earliest entry; the queue must not be empty. */
  Object peekKey() {
    return keys[0];
  }

  void push(long time, Object key) {
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      keys = Arrays.copyOf(keys, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (times[parent] <= time) {
        break;
      }
      times[i] = times[parent];
      keys[i] = keys[parent];
      i = parent;
    }
    times[i] = time;
    keys[i] = key;
  }

  /** Removes the earliest entry; the queue must not be empty. */
  void pop() {
    int last = --size;
    long time = times[last];
    Object key = keys[last];
    keys[last] = null;
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
      keys[i] = keys[child];
      i = child;
    }
    times[i] = time;
    keys[i] = key;
  }
}
