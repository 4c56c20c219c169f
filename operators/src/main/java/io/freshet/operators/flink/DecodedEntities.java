package io.freshet.operators.flink;

import io.freshet.state.PendingEvents;
import io.freshet.state.ViewLayout;
import io.freshet.state.ViewState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The entities the operator works on, decoded and in memory, in front of its two keyed states (view
 * state and pending events): one lookup finds both, an entity woken again is not read from the
 * backend again, and its derived data (cached window merges) survives between wake-ups.
 *
 * <p>Changes reach the keyed state by {@link #flush()}, which the operator calls before every
 * snapshot of its keyed state, so a checkpoint sees exactly what it would see without this class;
 * between checkpoints the keyed state may be behind, and a failure restores the last checkpoint
 * either way. Nothing here is snapshotted; it starts empty after a restore.
 *
 * <ul>
 *   <li>Heap state (unbounded): every entity touched since the last snapshot is held. The flush
 *       writes them all and then forgets them, because the heap backend's snapshot keeps references
 *       to the very objects and serializes them asynchronously: the next access goes through the
 *       backend, whose copy-on-write hands out a copy while a snapshot needs the original.
 *   <li>State kept as bytes (RocksDB, bounded): the least recently used entities leave first, and a
 *       changed one is written back as it leaves; the flush writes the changed ones and keeps all.
 *       {@link #writeBack()} writes the changed ones at any other time (a live job does so at each
 *       watermark, so that a checkpoint finds few left to write: the task processes nothing while
 *       the flush runs).
 * </ul>
 *
 * <p>The operator must route every read, write and removal of the two states through this class,
 * and report each change with {@link #changed}.
 */
final class DecodedEntities {
  /** One entity: its view state and its pending events, either null if it has none. */
  static final class Entity {
    final Object key;
    ViewState view;
    PendingEvents pending;
    boolean held;
    // Bounded only: changed since last written to the keyed state (then it is queued in
    // changedOrder), and whether its view state is among the changes (else only its pending
    // events are).
    boolean dirty;
    boolean viewDirty;
    // EntityTable's order, oldest first.
    Entity before;
    Entity after;

    Entity(Object key) {
      this.key = key;
    }
  }

  private final ValueState<ViewState> viewState;
  private final ValueState<PendingEvents> pendingState;
  private final KeyContext keys;
  private final boolean heap;
  private final int capacity;
  private final EntityTable entities;
  // Bounded only: every dirty entity, in the order it became dirty; an entry whose entity has
  // been written or removed since is skipped (an entity is queued again when changed again).
  private final ArrayDeque<Entity> changedOrder = new ArrayDeque<>();
  private final ViewLayout layout;
  private final List<String> fields;

  /**
   * @param heap whether the keyed state is heap state (unbounded, forgotten at each flush)
   * @param capacity entities held on state kept as bytes (ignored on heap state)
   */
  DecodedEntities(
      ValueState<ViewState> viewState,
      ValueState<PendingEvents> pendingState,
      KeyContext keys,
      boolean heap,
      int capacity,
      ViewLayout layout,
      List<String> fields) {
    if (!heap && capacity < 1) {
      throw new IllegalArgumentException("decoded entities must be at least 1, got " + capacity);
    }
    this.viewState = viewState;
    this.pendingState = pendingState;
    this.keys = keys;
    this.heap = heap;
    this.capacity = capacity;
    this.layout = layout;
    this.fields = List.copyOf(fields);
    // least recently used out, on state kept as bytes
    this.entities = heap ? new EntityTable(1024, false) : new EntityTable(capacity + 1, true);
  }

  /**
   * The entity of {@code key}, read from the keyed state if it is not held (then the current key is
   * set to it). One with neither a view state nor pending events is held only once changed.
   */
  Entity get(Object key) throws IOException {
    Entity e = entities.get(key);
    if (e == null) {
      keys.setCurrentKey(key);
      e = new Entity(key);
      ViewState view = viewState.value();
      PendingEvents pending = pendingState.value();
      // Restored under a changed spec (heap state is not migrated): matched by name on first read.
      e.view = layout.adopt(view);
      e.pending = pending == null ? null : pending.adopt(fields);
      if (e.view != view || e.pending != pending) {
        changed(e);
      } else if (e.view != null || e.pending != null) {
        hold(e);
      }
    }
    return e;
  }

  /**
   * The entity a queued wake-up stands for: the very one while it is held (no lookup); otherwise
   * (forgotten at a flush, evicted, removed, or queued by key at a restore) the entity of its key
   * now, as {@link #get} finds it.
   */
  Entity resolve(Entity queued) throws IOException {
    if (queued.held) {
      entities.touch(queued);
      return queued;
    }
    return get(queued.key);
  }

  private void hold(Entity e) {
    e.held = true;
    entities.put(e);
    if (!heap && entities.size() > capacity) {
      Entity eldest = entities.eldest();
      entities.remove(eldest);
      eldest.held = false;
      if (eldest.dirty) {
        Object current = keys.getCurrentKey();
        write(eldest);
        keys.setCurrentKey(current);
      }
    }
  }

  /** Records that the entity changed (its view state, its pending events or both). */
  void changed(Entity e) {
    changedPending(e);
    e.viewDirty = !heap;
  }

  /** Records that the entity's pending events changed and its view state did not. */
  void changedPending(Entity e) {
    if (!e.held) {
      hold(e);
    }
    if (!heap && !e.dirty) {
      e.dirty = true;
      changedOrder.add(e);
      if (changedOrder.size() > 2 * capacity + 16) {
        // Dirty entities are held, at most capacity of them: the rest are stale entries, which
        // would keep entities that left alive until the next write-back.
        changedOrder.removeIf(x -> !x.dirty);
      }
    }
  }

  /** Drops the entity, held and in the keyed state: it has no view state and no pending events. */
  void remove(Entity e) {
    if (e.held) {
      entities.remove(e);
      e.held = false;
    }
    e.dirty = false;
    e.viewDirty = false;
    keys.setCurrentKey(e.key);
    viewState.clear();
    pendingState.clear();
  }

  /**
   * Writes every changed entity to the keyed state (on heap state also forgets them all); the
   * current key is left as it was.
   *
   * @return the entities written
   */
  int flush() {
    if (!heap) {
      return writeBack();
    }
    Object current = keys.getCurrentKey();
    int written = 0;
    for (Entity e = entities.eldest(); e != null; e = EntityTable.newer(e)) {
      write(e);
      written++;
      e.held = false;
    }
    entities.clear();
    if (current != null) {
      keys.setCurrentKey(current);
    }
    return written;
  }

  /**
   * On state kept as bytes: writes every changed entity to the keyed state and keeps holding it
   * (nothing to do on heap state, whose entities are written only by {@link #flush}); the current
   * key is left as it was.
   *
   * @return the entities written
   */
  int writeBack() {
    if (heap || changedOrder.isEmpty()) {
      return 0;
    }
    Object current = keys.getCurrentKey();
    int written = 0;
    for (Entity e; (e = changedOrder.poll()) != null; ) {
      if (e.dirty) { // else written as it left, or removed, since it was queued
        write(e);
        written++;
      }
    }
    if (current != null) {
      keys.setCurrentKey(current);
    }
    return written;
  }

  /**
   * Writes the entity to the keyed state: on heap state all of it; on state kept as bytes what
   * changed since it was last written (its view state is left alone if only its pending events
   * changed: encoding a view's tiles is the larger cost).
   */
  private void write(Entity e) {
    keys.setCurrentKey(e.key);
    try {
      if (heap || e.viewDirty) {
        if (e.view == null) {
          viewState.clear();
        } else {
          viewState.update(e.view);
        }
      }
      if (e.pending == null) {
        pendingState.clear();
      } else {
        pendingState.update(e.pending);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    e.dirty = false;
    e.viewDirty = false;
  }

  /** Entities held (for tests). */
  int held() {
    return entities.size();
  }

  /** Entries in the queue of changed entities, stale ones included (for tests). */
  int changedQueued() {
    return changedOrder.size();
  }

  /** Entities held whose changes the keyed state does not have yet (for tests). */
  int unwritten() {
    if (heap) {
      return entities.size();
    }
    int n = 0;
    for (Entity e = entities.eldest(); e != null; e = EntityTable.newer(e)) {
      n += e.dirty ? 1 : 0;
    }
    return n;
  }
}
