package io.freshet.state;

import io.freshet.state.agg.Partial;
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
 */
public final class TiledFeature {
  final long windowMillis;
  final long tileMillis;
  // Tiles oldest first; the live ones are tiles[head, size), the dead prefix is nulled. Pruning
  // only moves head (no shifting); an insert into a full array first moves the live tiles to the
  // front, so the array is at most twice the most tiles ever live. An array of its own, not an
  // ArrayList: one object less to reach on every access.
  private Tile[] tiles = new Tile[4];
  private int head;
  private int size;
  // When the oldest live tile leaves the window (Long.MAX_VALUE with none): most instants read
  // this alone instead of the tiles.
  private long exit = Long.MAX_VALUE;

  // The merge of every live tile with start in [cacheFirst, cacheTo), oldest first; valid while
  // the oldest live tile still starts at cacheFirst (none has left) and no older tile changed
  // (cacheTo is Long.MAX_VALUE once one did). Rebuilt in place where the partial can be emptied.
  private Partial cached;
  private long cacheFirst = Long.MIN_VALUE;
  private long cacheTo = Long.MIN_VALUE;

  // A tile that left the window, kept to serve the next new tile (its partial emptied) instead
  // of allocating one: in steady state an entity's tiles come and go at the same rate.
  private Tile spare;

  /** One tile: its start and its partial. A tile that left the window may be reused. */
  public static final class Tile {
    public long start;
    public final Partial partial;

    public Tile(long start, Partial partial) {
      this.start = start;
      this.partial = partial;
    }
  }

  public TiledFeature(long windowMillis, long tileMillis) {
    this.windowMillis = windowMillis;
    this.tileMillis = tileMillis;
  }

  public long windowMillis() {
    return windowMillis;
  }

  public long tileMillis() {
    return tileMillis;
  }

  /** The live tiles, oldest first (a view). */
  public List<Tile> tiles() {
    return Arrays.asList(tiles).subList(head, size);
  }

  /** Appends a tile newer than every other (for decoding). */
  void appendTile(Tile tile) {
    insert(size, tile);
    exit = tiles[head].start + windowMillis;
  }

  /** Inserts a tile at index i of the array, shifting the later ones. */
  private void insert(int i, Tile tile) {
    if (size == tiles.length) {
      if (head > 0) { // reuse the dead prefix before growing
        System.arraycopy(tiles, head, tiles, 0, size - head);
        Arrays.fill(tiles, size - head, size, null);
        i -= head;
        size -= head;
        head = 0;
      }
      if (size == tiles.length) {
        tiles = Arrays.copyOf(tiles, size * 2);
      }
    }
    System.arraycopy(tiles, i, tiles, i + 1, size - i);
    tiles[i] = tile;
    size++;
  }

  public long tileStart(long t) {
    return Math.floorDiv(t, tileMillis) * tileMillis;
  }

  /** Adds a value to the tile of {@code eventTime}, creating the tile if needed. */
  public void add(Object value, long eventTime, Supplier<Partial> empty) {
    long s = tileStart(eventTime);
    int n = size;
    Tile tile;
    if (n > head && tiles[n - 1].start == s) {
      tile = tiles[n - 1];
    } else if (n == head || tiles[n - 1].start < s) {
      tile = newTile(s, empty);
      insert(n, tile);
    } else {
      int i = n - 1;
      while (i >= head && tiles[i].start > s) {
        i--;
      }
      if (i >= head && tiles[i].start == s) {
        tile = tiles[i];
      } else {
        tile = newTile(s, empty);
        insert(i + 1, tile);
      }
    }
    if (s < cacheTo) {
      cacheTo = Long.MAX_VALUE; // an older tile changed: the cached merge no longer holds
    }
    tile.partial.add(value, eventTime);
    exit = tiles[head].start + windowMillis;
  }

  private Tile newTile(long start, Supplier<Partial> empty) {
    Tile t = spare;
    spare = null;
    if (t != null && t.partial.reset()) {
      t.start = start;
      return t;
    }
    return new Tile(start, empty.get());
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
    while (head < n && tiles[head].start + windowMillis <= t) {
      spare = tiles[head];
      tiles[head++] = null;
    }
    boolean dropped = head != before;
    if (head == n) {
      head = 0;
      size = 0;
      exit = Long.MAX_VALUE;
    } else {
      exit = tiles[head].start + windowMillis;
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
    Tile[] tiles = this.tiles;
    long first = head == n ? Long.MAX_VALUE : tiles[head].start;
    int i;
    if (cached != null && first == cacheFirst && cs >= cacheTo) {
      // Only newer tiles to add: skip the ones already merged (they start before cacheTo).
      i = n;
      while (i > head && tiles[i - 1].start >= cacheTo) {
        i--;
      }
    } else {
      if (cached == null || !cached.reset()) {
        cached = empty.get();
      }
      cacheFirst = first;
      i = head;
    }
    // After prune(t) every live tile is in the window: merge those before the current tile.
    for (; i < n; i++) {
      Tile tile = tiles[i];
      if (tile.start >= cs) {
        break;
      }
      cached.merge(tile.partial);
    }
    cacheTo = cs;
    Tile last = head == n ? null : tiles[n - 1];
    if (last == null || last.start != cs) {
      return cached.value(t);
    }
    return cached.valueMergedWith(last.partial, t);
  }

  public TiledFeature copy() {
    TiledFeature c = new TiledFeature(windowMillis, tileMillis);
    for (Tile tile : tiles()) {
      c.insert(c.size, new Tile(tile.start, tile.partial.copy()));
    }
    c.exit = exit;
    return c;
  }
}
