package io.freshet.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.PartialsForTests;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cached merge of a {@link TiledFeature} is derived data: whatever the history of adds, prunes
 * and reads, a value must equal, bit for bit, the value of a fresh copy (which has no cache and
 * merges every tile). Floating sums make any change of merge order show.
 */
class TiledFeatureTest {
  private static final long MIN = 60_000L;

  @ParameterizedTest
  @EnumSource(PartialKind.class)
  void cachedValueEqualsARebuiltOneBitForBit(PartialKind kind) {
    Supplier<Partial> empty = PartialsForTests.emptyOf(kind);
    Function<Random, Object> values = PartialsForTests.values(kind);
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      TiledFeature f = TiledFeature.create(60 * MIN, 5 * MIN, kind); // 12 tiles
      long now = 1_767_225_600_000L;
      List<Object[]> events = new ArrayList<>(); // (time, value) in the order added
      for (int step = 0; step < 400; step++) {
        double dice = r.nextDouble();
        if (dice < 0.55) {
          now += r.nextDouble() < 0.8 ? r.nextInt(3 * (int) MIN) : r.nextInt(90 * (int) MIN);
        }
        if (dice < 0.85) {
          // mostly on time; some late events, into older tiles still in the window
          long ts = r.nextDouble() < 0.9 ? now : now - r.nextInt(50 * (int) MIN);
          Object v = values.apply(r);
          f.add(v, ts, empty);
          events.add(new Object[] {ts, v});
        }
        f.prune(now);
        Object cached = f.value(now, empty);
        Object rebuilt = f.copy().value(now, empty);
        assertThat(cached)
            .as("%s, seed %d, step %d at %d", kind, seed, step, now)
            .isEqualTo(rebuilt);
        assertThat(cached)
            .as("%s from fresh partials, seed %d, step %d at %d", kind, seed, step, now)
            .isEqualTo(fromFreshPartials(events, f, now, empty));
        assertThat(f.tiles())
            .extracting(tile -> tile.start)
            .as("live tiles, seed %d, step %d at %d", seed, step, now)
            .isEqualTo(liveTileStarts(events, f, now));
      }
    }
  }

  /**
   * Number tiles keep a double's raw bits: -0.0 stays before 0.0 (docs/semantics.md) in one tile,
   * across tiles (the cached merge and the current tile) and in a rebuilt cache.
   */
  @ParameterizedTest
  @EnumSource(
      value = PartialKind.class,
      names = {"MIN_DOUBLE", "MAX_DOUBLE"})
  void minAndMaxTilesKeepTheSignOfZero(PartialKind kind) {
    Supplier<Partial> empty = PartialsForTests.emptyOf(kind);
    long want = Double.doubleToRawLongBits(kind == PartialKind.MAX_DOUBLE ? 0.0 : -0.0);
    long t0 = 1_767_225_600_000L;
    for (double[] order : new double[][] {{0.0, -0.0}, {-0.0, 0.0}}) {
      for (long apart : new long[] {1, 5 * MIN}) { // one tile, two tiles
        TiledFeature f = TiledFeature.create(60 * MIN, 5 * MIN, kind);
        f.add(order[0], t0, empty);
        f.value(t0, empty); // fills the cache before the second value comes
        f.add(order[1], t0 + apart, empty);
        long t = t0 + apart;
        String what = kind + " of " + java.util.Arrays.toString(order) + ", " + apart + " ms apart";
        assertThat(Double.doubleToRawLongBits((Double) f.value(t, empty))).as(what).isEqualTo(want);
        assertThat(Double.doubleToRawLongBits((Double) f.copy().value(t, empty)))
            .as(what + ", rebuilt")
            .isEqualTo(want);
        assertThat(Double.doubleToRawLongBits((Double) f.value(t + 5 * MIN, empty)))
            .as(what + ", later")
            .isEqualTo(want);
      }
    }
  }

  /** The starts of the tiles the events make that are still in the window at t, oldest first. */
  private static List<Long> liveTileStarts(List<Object[]> events, TiledFeature f, long t) {
    long from = f.tileStart(t) - f.windowMillis() + f.tileMillis();
    TreeMap<Long, Boolean> starts = new TreeMap<>();
    for (Object[] e : events) {
      long start = f.tileStart((Long) e[0]);
      if (start >= from) {
        starts.put(start, true);
      }
    }
    return new ArrayList<>(starts.keySet());
  }

  /**
   * The definition, on partials made for this read alone (so a tile reused after it left the window
   * cannot leak what it held): per tile in the window, a new partial fed that tile's events in the
   * order they came; the older tiles merged oldest first, then the current one.
   */
  private static Object fromFreshPartials(
      List<Object[]> events, TiledFeature f, long t, Supplier<Partial> empty) {
    long current = f.tileStart(t);
    long from = current - f.windowMillis() + f.tileMillis();
    TreeMap<Long, Partial> tiles = new TreeMap<>();
    for (Object[] e : events) {
      long ts = (Long) e[0];
      long start = f.tileStart(ts);
      if (start >= from && ts <= t) {
        tiles.computeIfAbsent(start, s -> empty.get()).add(e[1], ts);
      }
    }
    Partial older = empty.get();
    for (var tile : tiles.headMap(current).values()) {
      older.merge(tile);
    }
    Partial now = tiles.get(current);
    return now == null ? older.value(t) : older.valueMergedWith(now, t);
  }
}
