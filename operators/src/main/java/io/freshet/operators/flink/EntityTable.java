package io.freshet.operators.flink;

import io.freshet.operators.flink.DecodedEntities.Entity;
import java.util.Arrays;

/**
 * The decoded entities held by {@link DecodedEntities}, by key: an open-addressing hash table
 * (linear probing, at most half full) with the entities also linked oldest first, in insertion
 * order or, for a least-recently-used bound, in access order.
 *
 * <p>Why not {@code java.util.HashMap}: the operator looks up an entity for every event and every
 * wake-up, about five times per event, and that lookup was 13% of the heap job's time in a profile
 * (JFR, docs/benchmarks.md). HashMap's code is compiled once for the whole JVM with the key types
 * every other user of HashMap showed it (the benchmark's recording has its type checks there
 * deoptimized and recompiled). Here the probe compares cached hashes in an int array first and
 * calls {@code equals} only on a hash match, from a call site that sees this operator's keys alone,
 * and the entity carries its own links, so the LRU order needs no entry objects.
 */
final class EntityTable {
  private final boolean accessOrder;
  private Entity[] slots;
  private int[] hashes;
  private int mask;
  private int shift;
  private int size;
  // Oldest (least recently used) first.
  private Entity head;
  private Entity tail;

  /**
   * @param expected entities expected (the table grows beyond it)
   * @param accessOrder whether {@link #get} moves an entity to the newest end (for LRU eviction)
   */
  EntityTable(int expected, boolean accessOrder) {
    this.accessOrder = accessOrder;
    int capacity = Integer.highestOneBit(Math.max(16, Math.min(expected, 1 << 28) * 2 - 1)) << 1;
    allocate(capacity);
  }

  private void allocate(int capacity) {
    slots = new Entity[capacity];
    hashes = new int[capacity];
    mask = capacity - 1;
    shift = Integer.numberOfLeadingZeros(capacity) + 1;
  }

  /** The home slot of a hash (Fibonacci hashing: the top bits of hash times 2^32/phi). */
  private int home(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  int size() {
    return size;
  }

  /** The oldest entity (least recently used with access order), or null when empty. */
  Entity eldest() {
    return head;
  }

  /** The entity after {@code e}, towards the newest, or null. */
  static Entity newer(Entity e) {
    return e.after;
  }

  /** The entity of the key, or null; with access order it becomes the newest. */
  Entity get(Object key) {
    int h = key.hashCode();
    Entity[] s = slots;
    int[] hs = hashes;
    int m = mask;
    for (int i = home(h); ; i = (i + 1) & m) {
      Entity e = s[i];
      if (e == null) {
        return null;
      }
      if (hs[i] == h && key.equals(e.key)) {
        touch(e);
        return e;
      }
    }
  }

  /** With access order, makes a held entity the newest, as {@link #get} of its key would. */
  void touch(Entity e) {
    if (accessOrder && e != tail) {
      unlink(e);
      link(e);
    }
  }

  /** Adds an entity whose key is not in the table, as the newest. */
  void put(Entity e) {
    if ((size + 1) * 2 > slots.length) {
      grow();
    }
    insert(e);
    link(e);
    size++;
  }

  private void insert(Entity e) {
    int h = e.key.hashCode();
    int i = home(h);
    while (slots[i] != null) {
      i = (i + 1) & mask;
    }
    slots[i] = e;
    hashes[i] = h;
  }

  private void grow() {
    Entity[] old = slots;
    allocate(old.length * 2);
    for (Entity e : old) {
      if (e != null) {
        insert(e);
      }
    }
  }

  /** Removes an entity that is in the table. */
  void remove(Entity e) {
    int i = home(e.key.hashCode());
    while (slots[i] != e) {
      if (slots[i] == null) {
        throw new IllegalStateException("entity " + e.key + " is not in the table");
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: move up every later entry of the run that may not sit past the gap.
    int gap = i;
    for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
      if (((j - home(hashes[j])) & mask) >= ((j - gap) & mask)) {
        slots[gap] = slots[j];
        hashes[gap] = hashes[j];
        gap = j;
      }
    }
    slots[gap] = null;
    unlink(e);
    size--;
  }

  /** Removes every entity. */
  void clear() {
    Arrays.fill(slots, null);
    for (Entity e = head; e != null; ) {
      Entity next = e.after;
      e.before = null;
      e.after = null;
      e = next;
    }
    head = null;
    tail = null;
    size = 0;
  }

  private void link(Entity e) {
    e.before = tail;
    e.after = null;
    if (tail == null) {
      head = e;
    } else {
      tail.after = e;
    }
    tail = e;
  }

  private void unlink(Entity e) {
    if (e.before == null) {
      head = e.after;
    } else {
      e.before.after = e.after;
    }
    if (e.after == null) {
      tail = e.before;
    } else {
      e.after.before = e.before;
    }
    e.before = null;
    e.after = null;
  }
}
