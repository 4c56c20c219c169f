package io.freshet.operators.flink;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;

/**
 * A keyed value state with a bounded, write-through cache of decoded values in front of it, for
 * state backends that keep bytes (RocksDB): an entity woken again soon is neither read from RocksDB
 * nor decoded again, and keeps its derived data (cached window merges) between wake-ups. Every
 * change is still written to the state at once, so checkpoints see exactly what they would see
 * without the cache; the cache is never snapshotted and starts empty after a restore.
 *
 * <p>With capacity 0 (heap state, which already keeps the objects) it passes every call through.
 * The operator must route every read, write and clear of the state through this class; values
 * handed out are the cached objects and may be changed in place before {@link #update}.
 */
final class DecodedStates<V> {
  private final ValueState<V> state;
  private final Map<Object, V> recent;

  DecodedStates(ValueState<V> state, int capacity) {
    this.state = state;
    this.recent =
        capacity <= 0
            ? null
            : new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, true) { // least recently used out
              @Override
              protected boolean removeEldestEntry(Map.Entry<Object, V> eldest) {
                return size() > capacity;
              }
            };
  }

  /** The current key's value, or null. */
  V value(Object key) throws IOException {
    if (recent == null) {
      return state.value();
    }
    V v = recent.get(key);
    if (v == null) {
      v = state.value();
      if (v != null) {
        recent.put(key, v);
      }
    }
    return v;
  }

  void update(Object key, V v) throws IOException {
    state.update(v);
    if (recent != null) {
      recent.put(key, v);
    }
  }

  void clear(Object key) {
    state.clear();
    if (recent != null) {
      recent.remove(key);
    }
  }

  /** Cached values (for tests). */
  int cached() {
    return recent == null ? 0 : recent.size();
  }
}
