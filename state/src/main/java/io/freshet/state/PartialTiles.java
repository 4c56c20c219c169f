package io.freshet.state;

import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The tiles of any aggregation as one {@link Partial} per tile, in an array parallel to the tile
 * starts; used for those that are more than numbers (first, last, sketches, decayed sums). The
 * cache is a partial rebuilt in place where it can be emptied.
 */
final class PartialTiles extends TiledFeature {
  private Partial[] partials = new Partial[4];
  private Partial cache;

  // A tile's partial that left the window, kept to serve the next new tile (emptied) instead of
  // allocating one: in steady state an entity's tiles come and go at the same rate.
  private Partial spare;

  PartialTiles(long windowMillis, long tileMillis, PartialKind kind) {
    super(windowMillis, tileMillis, kind, 1);
  }

  @Override
  void moved(int from, int to, int n) {
    System.arraycopy(partials, from, partials, to, n);
  }

  @Override
  void cleared(int from, int to) {
    Arrays.fill(partials, from, to, null);
  }

  @Override
  void grown(int tiles) {
    partials = Arrays.copyOf(partials, tiles);
  }

  @Override
  void first(int i, Object value, long eventTime, Supplier<Partial> empty) {
    Partial p = spare;
    spare = null;
    if (p == null || !p.reset()) {
      p = empty.get();
    }
    p.add(value, eventTime);
    partials[i] = p;
  }

  @Override
  void more(int i, Object value, long eventTime) {
    partials[i].add(value, eventTime);
  }

  @Override
  void left(int i) {
    spare = partials[i];
    partials[i] = null;
  }

  @Override
  void set(int i, Partial p) {
    if (p.kind() != kind) {
      throw new IllegalArgumentException("a tile of " + p.kind() + " in a feature of " + kind);
    }
    partials[i] = p;
  }

  @Override
  Partial partial(int i) {
    return partials[i];
  }

  @Override
  void copyTile(int i, TiledFeature from, int j) {
    partials[i] = ((PartialTiles) from).partials[j].copy();
  }

  @Override
  void clearCache(Supplier<Partial> empty) {
    if (cache == null || !cache.reset()) {
      cache = empty.get();
    }
  }

  @Override
  void mergeIntoCache(int i) {
    cache.merge(partials[i]);
  }

  @Override
  Object cacheValue(long t) {
    return cache.value(t);
  }

  @Override
  Object cacheValueWith(int i, long t) {
    return cache.valueMergedWith(partials[i], t);
  }
}
