package io.freshet.state;

import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The tiles of one windowed feature for one entity: non-empty partial aggregates keyed by tile
 * start (a multiple of the tile size g), oldest first.
 *
 * <p>The value at event time t merges the tiles with start in {@code [floor(t/g)*g - W + g,
 * floor(t/g)*g]}. A tile starting at s is therefore in the window exactly while {@code t < s + W}:
 * it leaves at {@code s + W}. The merge of every tile but the current one is cached, so an event
 * costs one merge of two partials. When the current tile moves on, the tiles it passed are merged
 * into the cache in order, which is what a rebuild would do, bit for bit; the cache is rebuilt from
 * the oldest tile only when a tile left the window or an older tile changed (a late event). The
 * cache is derived data and is never serialized.
 *
 * <p>Two layouts, one behaviour ({@link #create}): {@link NumberTiles} keeps the partials that are
 * only numbers (count, sum, avg, min, max) in the tile array itself, next to each tile's start, so
 * that reading a tile touches no other object; {@link PartialTiles} keeps one {@link Partial}
 * object per tile for the others (first, last, sketches, decayed sums). This class keeps the tile
 * starts and does the window arithmetic; the layouts hold and merge the aggregates.
 */
public abstract class TiledFeature {
  final long windowMillis;
  final long tileMillis;
  final PartialKind kind;

  // Tile i (an absolute index) is data[i * stride] (its start) and, in NumberTiles, the numbers
  // after it. The live tiles are [head, size); the dead prefix is garbage. Pruning only moves
  // head; an insert into a full array first moves the live tiles to the front, so the array is at
  // most twice the most tiles ever live.
  final int stride;
  long[] data;
  int head;
  int size;
  // When the oldest live tile leaves the window (Long.MAX_VALUE with none): most instants read
  // this alone instead of the tiles.
  private long exit = Long.MAX_VALUE;

  // The layout's cache holds the merge of every live tile with start in [cacheFirst, cacheTo),
  // oldest first; valid (once cached is set) while the oldest live tile still starts at
  // cacheFirst (none has left) and no older tile changed (cacheTo is Long.MAX_VALUE once one did).
  private boolean cached;
  private long cacheFirst = Long.MIN_VALUE;
  private long cacheTo = Long.MIN_VALUE;

  /** One tile as a partial: its start and its aggregate (a view for codecs and tests). */
  public static final class Tile {
    public final long start;
    public final Partial partial;

    public Tile(long start, Partial partial) {
      this.start = start;
      this.partial = partial;
    }
  }

  TiledFeature(long windowMillis, long tileMillis, PartialKind kind, int stride) {
    this.windowMillis = windowMillis;
    this.tileMillis = tileMillis;
    this.kind = kind;
    this.stride = stride;
    this.data = new long[4 * stride];
  }

  /** An empty feature of window W and tile g whose tiles hold partials of this kind. */
  public static TiledFeature create(long windowMillis, long tileMillis, PartialKind kind) {
    return NumberTiles.op(kind) != NumberTiles.NOT_NUMBERS
        ? new NumberTiles(windowMillis, tileMillis, kind)
        : new PartialTiles(windowMillis, tileMillis, kind);
  }

  public long windowMillis() {
    return windowMillis;
  }

  public long tileMillis() {
    return tileMillis;
  }

  public PartialKind kind() {
    return kind;
  }

  /**
   * The live tiles, oldest first, as partials, to read only: a partial may be the tile's own (a
   * list of its own, made for the call).
   */
  public List<Tile> tiles() {
    List<Tile> out = new ArrayList<>(size - head);
    for (int i = head; i < size; i++) {
      out.add(new Tile(start(i), partial(i)));
    }
    return out;
  }

  /** Appends a tile newer than every other (for decoding). */
  void appendTile(Tile tile) {
    if (size > head && tile.start <= start(size - 1)) {
      throw new IllegalArgumentException(
          "tile at " + tile.start + " is not newer than the last one, at " + start(size - 1));
    }
    set(insert(size, tile.start), tile.partial);
    exit = start(head) + windowMillis;
  }

  final long start(int i) {
    return data[i * stride];
  }

  public long tileStart(long t) {
    return Math.floorDiv(t, tileMillis) * tileMillis;
  }

  /** Adds a value to the tile of {@code eventTime}, creating the tile if needed. */
  public void add(Object value, long eventTime, Supplier<Partial> empty) {
    long s = tileStart(eventTime);
    int n = size;
    if (n > head && start(n - 1) == s) {
      more(n - 1, value, eventTime);
    } else if (n == head || start(n - 1) < s) {
      first(insert(n, s), value, eventTime, empty);
    } else {
      int i = n - 1;
      while (i >= head && start(i) > s) {
        i--;
      }
      if (i >= head && start(i) == s) {
        more(i, value, eventTime);
      } else {
        first(insert(i + 1, s), value, eventTime, empty);
      }
    }
    if (s < cacheTo) {
      cacheTo = Long.MAX_VALUE; // an older tile changed: the cached merge no longer holds
    }
    exit = start(head) + windowMillis;
  }

  /**
   * Makes room for a tile starting at s at index i, shifting the later ones; returns its index
   * (lower than i if the live tiles moved to the front). The layout fills the tile next.
   */
  private int insert(int i, long s) {
    int w = stride;
    if (size * w == data.length) {
      if (head > 0) { // reuse the dead prefix before growing
        int live = size - head;
        System.arraycopy(data, head * w, data, 0, live * w);
        moved(head, 0, live);
        cleared(live, size);
        i -= head;
        size = live;
        head = 0;
      }
      if (size * w == data.length) {
        data = Arrays.copyOf(data, data.length * 2);
        grown(data.length / w);
      }
    }
    System.arraycopy(data, i * w, data, (i + 1) * w, (size - i) * w);
    moved(i, i + 1, size - i);
    data[i * w] = s;
    size++;
    return i;
  }

  /**
   * Drops the tiles that have left the window at time t (start + W <= t); returns whether any did.
   */
  public boolean prune(long t) {
    if (t < exit) {
      return false;
    }
    int n = size;
    int before = head;
    while (head < n && start(head) + windowMillis <= t) {
      left(head++);
    }
    boolean dropped = head != before;
    if (head == n) {
      head = 0;
      size = 0;
      exit = Long.MAX_VALUE;
    } else {
      exit = start(head) + windowMillis;
    }
    return dropped;
  }

  /** The time the oldest tile leaves the window, or Long.MAX_VALUE if there is none. */
  public long nextExit() {
    return exit;
  }

  /** The feature value at time t (after {@link #prune(long)} to t). */
  public Object value(long t, Supplier<Partial> empty) {
    long cs = tileStart(t);
    int n = size;
    long first = head == n ? Long.MAX_VALUE : start(head);
    int i;
    if (cached && first == cacheFirst && cs >= cacheTo) {
      // Only newer tiles to add: skip the ones already merged (they start before cacheTo).
      i = n;
      while (i > head && start(i - 1) >= cacheTo) {
        i--;
      }
    } else {
      clearCache(empty);
      cached = true;
      cacheFirst = first;
      i = head;
    }
    // After prune(t) every live tile is in the window: merge those before the current tile.
    for (; i < n && start(i) < cs; i++) {
      mergeIntoCache(i);
    }
    cacheTo = cs;
    if (head == n || start(n - 1) != cs) {
      return cacheValue(t);
    }
    return cacheValueWith(n - 1, t);
  }

  /** A deep copy, without the cache. */
  public final TiledFeature copy() {
    TiledFeature c = create(windowMillis, tileMillis, kind);
    int live = size - head;
    int w = stride;
    c.data = new long[Math.max(4, live) * w];
    System.arraycopy(data, head * w, c.data, 0, live * w);
    c.grown(c.data.length / w);
    c.size = live;
    c.exit = exit;
    for (int i = 0; i < live; i++) {
      c.copyTile(i, this, head + i);
    }
    return c;
  }

  // The layout: what a tile holds besides its start, and the cache.

  /** The array's tiles [from, from + n) moved to [to, to + n) (overlapping, as arraycopy). */
  abstract void moved(int from, int to, int n);

  /** Tiles [from, to) are no longer used. */
  abstract void cleared(int from, int to);

  /** The array now has room for this many tiles. */
  abstract void grown(int tiles);

  /** Tile i, just made, gets its first value. */
  abstract void first(int i, Object value, long eventTime, Supplier<Partial> empty);

  /** Tile i gets one more value. */
  abstract void more(int i, Object value, long eventTime);

  /** Tile i has left the window. */
  abstract void left(int i);

  /** Tile i becomes this partial (decoding). */
  abstract void set(int i, Partial p);

  /** Tile i as a partial, to read only (it may be the tile's own). */
  abstract Partial partial(int i);

  /** Tile i becomes a deep copy of tile j of {@code from}, a feature of the same layout. */
  abstract void copyTile(int i, TiledFeature from, int j);

  /** Empties the cache. */
  abstract void clearCache(Supplier<Partial> empty);

  /** Merges tile i into the cache. */
  abstract void mergeIntoCache(int i);

  /** The cache's value at t. */
  abstract Object cacheValue(long t);

  /** The value at t of the cache merged with tile i, leaving both unchanged. */
  abstract Object cacheValueWith(int i, long t);
}
