package io.freshet.operators.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed value state with a bounded write-back cache of decoded values in front of it, for state
 * backends that keep bytes (RocksDB): an entity woken again soon is neither read from RocksDB nor
 * decoded again, keeps its derived data (cached window merges) between wake-ups, and is encoded and
 * written once per checkpoint instead of once per change.
 *
 * <p>Changed values are written to the state when they leave the cache (least recently used first)
 * and by {@link #flush()}, which the operator calls before every snapshot of its keyed state: a
 * checkpoint sees exactly what it would see without the cache. Between checkpoints the state may be
 * behind the cache, as heap state would be behind nothing: a failure restores the last checkpoint
 * either way. The cache is never snapshotted and starts empty after a restore.
 *
 * <p>With capacity 0 (heap state, which already keeps the objects) every call passes through. The
 * operator must route every read, write and clear of the state through this class; values handed
 * out are the cached objects and may be changed in place before {@link #update}.
 */
final class DecodedStates<V> {
  private final ValueState<V> state;
  private final KeyContext keys;
  private final Map<Object, V> recent;
  private final Set<Object> dirty = new HashSet<>();

  DecodedStates(ValueState<V> state, int capacity, KeyContext keys) {
    this.state = state;
    this.keys = keys;
    this.recent =
        capacity <= 0
            ? null
            : new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, true) { // least recently used out
              @Override
              protected boolean removeEldestEntry(Map.Entry<Object, V> eldest) {
                if (size() <= capacity) {
                  return false;
                }
                if (dirty.remove(eldest.getKey())) {
                  writeBack(eldest.getKey(), eldest.getValue());
                }
                return true;
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

  /**
   * Sets the current key's value (written to the state now, or at the latest by the next flush).
   */
  void update(Object key, V v) throws IOException {
    if (recent == null) {
      state.update(v);
      return;
    }
    dirty.add(key);
    recent.put(key, v);
  }

  void clear(Object key) {
    state.clear();
    if (recent != null) {
      recent.remove(key);
      dirty.remove(key);
    }
  }

  /** Writes every changed value to the state; the current key is left as it was. */
  void flush() {
    if (dirty.isEmpty()) {
      return;
    }
    Object current = keys.getCurrentKey();
    for (Object key : dirty) {
      keys.setCurrentKey(key);
      try {
        state.update(recent.get(key));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    dirty.clear();
    keys.setCurrentKey(current);
  }

  private void writeBack(Object key, V v) {
    Object current = keys.getCurrentKey();
    keys.setCurrentKey(key);
    try {
      state.update(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      keys.setCurrentKey(current);
    }
  }

  /** Cached values (for tests). */
  int cached() {
    return recent == null ? 0 : recent.size();
  }

  /** Cached values not yet written to the state (for tests). */
  int unwritten() {
    return dirty.size();
  }
}
