package io.freshet.training;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.parquet.io.api.Binary;

/**
 * Dense ids (0, 1, 2, ... in the order added) of the entities of one spine bucket, keyed by their
 * UTF-8 bytes: history rows find their entity straight from a Parquet {@link Binary}, without
 * decoding a String per row. Open addressing over one byte arena, so a lookup touches two or three
 * cache lines instead of a HashMap's chain of node, String and byte array. Not thread-safe for
 * {@link #add}; lookups may run on several threads once adding is over.
 */
final class EntityIndex {
  private byte[] arena = new byte[1 << 12];
  private int arenaSize;
  private int[] start = new int[1025]; // id -> offset in arena; start[size] is the end
  private int[] hash = new int[1024];
  // two longs a slot: (hash << 32 | id + 1), 0 when empty; then (arena offset << 32 | length)
  private long[] slots = new long[2 * 2048];
  private int shift = 32 - 11; // a slot is the top bits of the hash: partitions own slot ranges
  private int size;

  int size() {
    return size;
  }

  /** The entity's id, added if new. */
  int add(String entity) {
    byte[] b = entity.getBytes(StandardCharsets.UTF_8);
    int id = idOf(b, 0, b.length);
    return id >= 0 ? id : insert(hash(b, 0, b.length), b);
  }

  /** The entity's id, or -1 when it was not added. */
  int idOf(String entity) {
    byte[] b = entity.getBytes(StandardCharsets.UTF_8);
    return idOf(b, 0, b.length);
  }

  int idOf(byte[] b, int off, int len) {
    int h = hash(b, off, len);
    int mask = (slots.length >>> 1) - 1;
    for (int s = h >>> shift; ; s = (s + 1) & mask) {
      long head = slots[2 * s];
      if (head == 0) {
        return -1;
      }
      if ((int) (head >>> 32) == h) {
        long where = slots[2 * s + 1];
        int from = (int) (where >>> 32);
        if ((int) where == len && Arrays.equals(arena, from, from + len, b, off, off + len)) {
          return (int) head - 1;
        }
      }
    }
  }

  /** The id of an entity as Parquet hands it over, or -1. */
  int idOf(Binary entity) {
    ByteBuffer buf = entity.toByteBuffer();
    if (buf.hasArray()) {
      return idOf(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
    }
    byte[] b = new byte[buf.remaining()];
    buf.duplicate().get(b);
    return idOf(b, 0, b.length);
  }

  /**
   * An entity's partition, of {@code 1 << bits}: the top bits of its {@link #hash}. After {@link
   * #groupByPartition} a partition's entities have consecutive ids, and their slots and bytes are
   * adjacent, so the lookups of one partition's rows stay in a small part of memory.
   */
  static int partition(int hash, int bits) {
    return bits == 0 ? 0 : hash >>> (32 - bits);
  }

  /**
   * Renumbers the entities so that each partition's ids are consecutive (in their old order within
   * a partition), and lays the bytes out in that order.
   *
   * @return the new id of each old id
   */
  int[] groupByPartition(int bits) {
    int parts = 1 << bits;
    int[] first = new int[parts + 1];
    for (int id = 0; id < size; id++) {
      first[partition(hash[id], bits) + 1]++;
    }
    for (int q = 0; q < parts; q++) {
      first[q + 1] += first[q];
    }
    int[] newId = new int[size];
    for (int id = 0; id < size; id++) {
      newId[id] = first[partition(hash[id], bits)]++;
    }
    byte[] newArena = new byte[arenaSize];
    int[] newStart = new int[size + 1];
    int[] newHash = new int[size];
    int[] length = new int[size];
    for (int id = 0; id < size; id++) {
      length[newId[id]] = start[id + 1] - start[id];
      newHash[newId[id]] = hash[id];
    }
    for (int id = 0; id < size; id++) {
      newStart[id + 1] = newStart[id] + length[id];
    }
    for (int id = 0; id < size; id++) {
      System.arraycopy(arena, start[id], newArena, newStart[newId[id]], length[newId[id]]);
    }
    arena = newArena;
    start = newStart;
    hash = newHash;
    java.util.Arrays.fill(slots, 0);
    for (int id = 0; id < size; id++) {
      place(id);
    }
    return newId;
  }

  /** The entity of an id, as text. */
  String text(int id) {
    return new String(arena, start[id], start[id + 1] - start[id], StandardCharsets.UTF_8);
  }

  /** FNV-1a, finished with a multiply so that the low bits (the slot) mix all bytes. */
  static int hash(byte[] b, int off, int len) {
    int h = 0x811C9DC5;
    for (int i = off, end = off + len; i < end; i++) {
      h = (h ^ b[i]) * 0x01000193;
    }
    h *= 0x9E3779B1;
    return h ^ (h >>> 15);
  }

  private int insert(int h, byte[] b) {
    int id = size;
    if (arenaSize + b.length > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + b.length));
    }
    System.arraycopy(b, 0, arena, arenaSize, b.length);
    if (id == hash.length) {
      hash = Arrays.copyOf(hash, hash.length * 2);
      start = Arrays.copyOf(start, hash.length + 1);
    }
    start[id] = arenaSize;
    arenaSize += b.length;
    start[id + 1] = arenaSize;
    hash[id] = h;
    size++;
    if (size * 2 > slots.length >>> 1) {
      slots = new long[slots.length * 2];
      shift--;
      for (int i = 0; i < size; i++) {
        place(i);
      }
    } else {
      place(id);
    }
    return id;
  }

  private void place(int id) {
    int mask = (slots.length >>> 1) - 1;
    int s = hash[id] >>> shift;
    while (slots[2 * s] != 0) {
      s = (s + 1) & mask;
    }
    slots[2 * s] = ((long) hash[id] << 32) | (id + 1);
    slots[2 * s + 1] = ((long) start[id] << 32) | (start[id + 1] - start[id]);
  }
}
