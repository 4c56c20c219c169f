package io.freshet.state.agg;

import static io.freshet.state.agg.PartialsForTests.HALF_LIFE;
import static io.freshet.state.agg.PartialsForTests.bytes;
import static io.freshet.state.agg.PartialsForTests.empty;
import static io.freshet.state.agg.PartialsForTests.events;
import static io.freshet.state.agg.PartialsForTests.fed;
import static io.freshet.state.agg.PartialsForTests.isSketch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.freshet.state.agg.PartialsForTests.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The maths of each partial aggregate: merging, empty values, ties, decay, sketch accuracy. */
class PartialMathTest {
  private static final long T0 = 1_767_225_600_000L;
  private static final long SPAN = 3_600_000L;

  static Stream<Arguments> mergeCases() {
    List<Arguments> cases = new ArrayList<>();
    for (PartialKind k : PartialKind.values()) {
      cases.add(Arguments.of(k, 50));
      cases.add(Arguments.of(k, 150));
    }
    cases.add(Arguments.of(PartialKind.DISTINCT, 20_000));
    cases.add(Arguments.of(PartialKind.PERCENTILE, 20_000));
    return cases.stream();
  }

  /** Splitting the events over several partials and merging them equals adding all to one. */
  @ParameterizedTest(name = "{0} with {1} values")
  @MethodSource("mergeCases")
  void mergeEqualsAddingAllToOnePartial(PartialKind kind, int n) {
    Random r = new Random(kind.ordinal() * 7919L + n);
    List<Event> all = events(kind, r, n, T0, SPAN);
    Partial one = fed(kind, all);

    for (int trial = 0; trial < 5; trial++) {
      List<Event> shuffled = new ArrayList<>(all);
      Collections.shuffle(shuffled, r);
      int parts = 1 + r.nextInt(6);
      List<Partial> pieces = new ArrayList<>();
      for (int i = 0; i < parts; i++) {
        pieces.add(empty(kind));
      }
      for (Event e : shuffled) {
        pieces.get(r.nextInt(parts)).add(e.value(), e.ts());
      }
      Partial merged = empty(kind);
      for (Partial p : pieces) {
        merged.merge(p);
      }
      for (long t : new long[] {T0 + SPAN, T0 + SPAN + HALF_LIFE}) {
        assertSameAggregate(kind, all, one.value(t), merged.value(t), t);
      }
    }
  }

  private static void assertSameAggregate(
      PartialKind kind, List<Event> all, Object expected, Object actual, long t) {
    String what = kind + " at " + t;
    switch (kind) {
      case SUM_DOUBLE, AVG, DECAYED_SUM ->
          // floating sums in another order differ in the last bits
          assertThat((Double) actual)
              .as(what)
              .isCloseTo(
                  (Double) expected, within(1e-9 * Math.max(1, Math.abs((Double) expected))));
      case DISTINCT -> {
        long exact = all.stream().map(Event::value).distinct().count();
        if (exact <= DistinctPartial.EXACT_LIMIT) {
          assertThat(actual).as(what).isEqualTo(exact).isEqualTo(expected);
        } else {
          // an HLL union estimates with a different estimator than a single sketch
          assertThat(((Long) actual).doubleValue())
              .as(what)
              .isCloseTo(exact, Percentage.withPercentage(5));
        }
      }
      case PERCENTILE -> {
        if (all.size() <= PercentilePartial.EXACT_LIMIT) {
          assertThat(actual).as(what).isEqualTo(expected);
        } else {
          assertRank(all.stream().mapToDouble(e -> (Double) e.value()).toArray(), 0.9, actual);
        }
      }
      default -> assertThat(actual).as(what).isEqualTo(expected);
    }
  }

  /** The rank of v in xs is within 3 standard errors of KLL k=200 (1.65%) of q. */
  private static void assertRank(double[] xs, double q, Object v) {
    double x = (Double) v;
    long below = java.util.Arrays.stream(xs).filter(y -> y < x).count();
    long atOrBelow = java.util.Arrays.stream(xs).filter(y -> y <= x).count();
    assertThat((double) below / xs.length).as("rank below %s", x).isLessThanOrEqualTo(q + 0.05);
    assertThat((double) atOrBelow / xs.length).as("rank at %s", x).isGreaterThanOrEqualTo(q - 0.05);
  }

  @ParameterizedTest
  @EnumSource(PartialKind.class)
  void valueMergedWithEqualsCopyMergeValueAndChangesNeither(PartialKind kind) {
    Random r = new Random(kind.ordinal());
    for (int[] sizes : new int[][] {{0, 0}, {0, 4}, {4, 0}, {5, 7}, {120, 300}}) {
      Partial a = fed(kind, events(kind, r, sizes[0], T0, SPAN));
      Partial b = fed(kind, events(kind, r, sizes[1], T0, SPAN));
      byte[] aBefore = bytes(a);
      byte[] bBefore = bytes(b);
      long t = T0 + SPAN + r.nextInt(1000);
      Partial merged = a.copy();
      merged.merge(b);
      assertThat(a.valueMergedWith(b, t)).as("%s %s", kind, sizes).isEqualTo(merged.value(t));
      PartialsForTests.assertSameBytes(bytes(a), aBefore, "this partial");
      PartialsForTests.assertSameBytes(bytes(b), bBefore, "the other partial");
    }
  }

  @ParameterizedTest
  @EnumSource(PartialKind.class)
  void mergingAnEmptyPartialChangesNothing(PartialKind kind) {
    for (int n : new int[] {0, 3, 300}) {
      Partial p = fed(kind, events(kind, new Random(n), n, T0, SPAN));
      byte[] before = bytes(p);
      p.merge(empty(kind));
      PartialsForTests.assertSameBytes(bytes(p), before, "bytes");
    }
  }

  @Test
  void emptyPartialValues() {
    long t = T0;
    assertThat(empty(PartialKind.COUNT).value(t)).isEqualTo(0L);
    assertThat(empty(PartialKind.SUM_LONG).value(t)).isEqualTo(0L);
    assertThat(empty(PartialKind.SUM_DOUBLE).value(t)).isEqualTo(0.0);
    assertThat(empty(PartialKind.DISTINCT).value(t)).isEqualTo(0L);
    assertThat(empty(PartialKind.DECAYED_SUM).value(t)).isEqualTo(0.0);
    for (PartialKind k :
        List.of(
            PartialKind.AVG,
            PartialKind.MIN_LONG,
            PartialKind.MAX_LONG,
            PartialKind.MIN_DOUBLE,
            PartialKind.MAX_DOUBLE,
            PartialKind.FIRST,
            PartialKind.LAST,
            PartialKind.PERCENTILE)) {
      assertThat(empty(k).value(t)).as(k.toString()).isNull();
    }
  }

  @Test
  void simpleAggregates() {
    Partial count = empty(PartialKind.COUNT);
    Partial sumL = empty(PartialKind.SUM_LONG);
    Partial sumD = empty(PartialKind.SUM_DOUBLE);
    Partial avg = empty(PartialKind.AVG);
    Partial minL = empty(PartialKind.MIN_LONG);
    Partial maxL = empty(PartialKind.MAX_LONG);
    Partial minD = empty(PartialKind.MIN_DOUBLE);
    Partial maxD = empty(PartialKind.MAX_DOUBLE);
    long[] ls = {5, -3, 12, 0};
    double[] ds = {2.5, -1.25, 10.0, 0.75};
    for (int i = 0; i < ls.length; i++) {
      count.add(Boolean.TRUE, T0 + i);
      sumL.add(ls[i], T0 + i);
      minL.add(ls[i], T0 + i);
      maxL.add(ls[i], T0 + i);
      sumD.add(ds[i], T0 + i);
      avg.add(ds[i], T0 + i);
      minD.add(ds[i], T0 + i);
      maxD.add(ds[i], T0 + i);
    }
    assertThat(count.value(T0)).isEqualTo(4L);
    assertThat(sumL.value(T0)).isEqualTo(14L);
    assertThat(minL.value(T0)).isEqualTo(-3L);
    assertThat(maxL.value(T0)).isEqualTo(12L);
    assertThat(sumD.value(T0)).isEqualTo(12.0);
    assertThat(avg.value(T0)).isEqualTo(3.0);
    assertThat(minD.value(T0)).isEqualTo(-1.25);
    assertThat(maxD.value(T0)).isEqualTo(10.0);

    Partial avgOfLongs = empty(PartialKind.AVG);
    avgOfLongs.add(1L, T0);
    avgOfLongs.add(2L, T0);
    assertThat(avgOfLongs.value(T0)).isEqualTo(1.5);
  }

  @Test
  void firstAndLastFollowEventTimeNotArrival() {
    Partial first = empty(PartialKind.FIRST);
    Partial last = empty(PartialKind.LAST);
    long[] ts = {T0 + 30, T0 + 10, T0 + 50, T0 + 20};
    String[] vs = {"c", "a", "e", "b"};
    for (int i = 0; i < ts.length; i++) {
      first.add(vs[i], ts[i]);
      last.add(vs[i], ts[i]);
    }
    assertThat(first.value(T0)).isEqualTo("a");
    assertThat(last.value(T0)).isEqualTo("e");
  }

  @Test
  void firstAndLastBreakTiesByValueOrder() {
    // Values.compare: null < booleans < longs < doubles < strings, each in natural order.
    List<Object> tied = List.of("b", "a", 2.5, 3L, -7L, true, false, "c");
    Random r = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      List<Object> order = new ArrayList<>(tied);
      Collections.shuffle(order, r);
      Partial first = empty(PartialKind.FIRST);
      Partial last = empty(PartialKind.LAST);
      // earlier and later events with other values, so the tie is at the extremes
      first.add("z", T0 + 100);
      last.add("a", T0 - 100);
      for (Object v : order) {
        first.add(v, T0);
        last.add(v, T0);
      }
      assertThat(first.value(T0)).as("first of %s", order).isEqualTo(false);
      assertThat(last.value(T0)).as("last of %s", order).isEqualTo("c");

      // The same through merges, in either order.
      Partial a = empty(PartialKind.LAST);
      Partial b = empty(PartialKind.LAST);
      a.add(order.get(0), T0);
      b.add(order.get(1), T0);
      Partial ab = a.copy();
      ab.merge(b);
      Partial ba = b.copy();
      ba.merge(a);
      Object expected =
          Values.compare(order.get(0), order.get(1)) > 0 ? order.get(0) : order.get(1);
      assertThat(ab.value(T0)).isEqualTo(expected).isEqualTo(ba.value(T0));
    }
  }

  @Test
  void valueOrderIsTotal() {
    List<Object> ascending = List.of(false, true, Long.MIN_VALUE, 0L, 1L, -0.0, 0.0, 1.5, "", "a");
    assertThat(Values.compare(null, false)).isNegative();
    for (int i = 0; i < ascending.size(); i++) {
      for (int j = 0; j < ascending.size(); j++) {
        assertThat(Integer.signum(Values.compare(ascending.get(i), ascending.get(j))))
            .as("%s vs %s", ascending.get(i), ascending.get(j))
            .isEqualTo(Integer.compare(i, j));
      }
    }
  }

  @Test
  void decayedSumHalvesAfterOneHalfLife() {
    Partial d = empty(PartialKind.DECAYED_SUM);
    d.add(8.0, T0);
    assertThat(d.value(T0)).isEqualTo(8.0);
    assertThat((Double) d.value(T0 + HALF_LIFE)).isCloseTo(4.0, within(1e-12));
    assertThat((Double) d.value(T0 + 2 * HALF_LIFE)).isCloseTo(2.0, within(1e-12));
    assertThat((Double) d.value(T0 + HALF_LIFE / 2)).isCloseTo(8 / Math.sqrt(2), within(1e-12));
    // Read before its newest event, the sum is undecayed forwards (the engine reads at or after).
    assertThat((Double) d.value(T0 - HALF_LIFE)).isCloseTo(16.0, within(1e-12));
  }

  @Test
  void decayedSumIsTheSumOfDecayedValuesInAnyOrder() {
    Random r = new Random(11);
    List<Event> evs = events(PartialKind.DECAYED_SUM, r, 200, T0, 10 * HALF_LIFE);
    long t = T0 + 12 * HALF_LIFE;
    double expected = 0;
    for (Event e : evs) {
      expected += (Double) e.value() * Math.pow(2.0, -(double) (t - e.ts()) / HALF_LIFE);
    }
    for (int trial = 0; trial < 5; trial++) {
      List<Event> order = new ArrayList<>(evs);
      Collections.shuffle(order, r);
      assertThat((Double) fed(PartialKind.DECAYED_SUM, order).value(t))
          .isCloseTo(expected, within(1e-9 * Math.max(1, Math.abs(expected))));
    }
  }

  @Test
  void percentileIsTheSmallestValueWithAtLeastQOfTheValuesAtOrBelowIt() {
    double[][] cases = {
      {0.0, 1}, {0.05, 1}, {0.1, 1}, {0.11, 2}, {0.5, 5}, {0.9, 9}, {0.95, 10}, {1.0, 10}
    };
    for (double[] c : cases) {
      PercentilePartial p = new PercentilePartial(c[0]);
      for (int i : new int[] {7, 3, 10, 1, 5, 9, 2, 8, 6, 4}) {
        p.add((double) i, T0);
      }
      assertThat(p.value(T0)).as("q=%s", c[0]).isEqualTo(c[1]);
    }
    assertThat(PercentilePartial.exactIndex(0.9, 10)).isEqualTo(8);
    assertThat(PercentilePartial.exactIndex(0.0, 10)).isEqualTo(0);
    assertThat(PercentilePartial.exactIndex(1.0, 1)).isEqualTo(0);
  }

  @Test
  void percentileIndexIsExactWhenQTimesNIsAWholeNumber() {
    PercentilePartial p = new PercentilePartial(0.28);
    for (int i = 1; i <= 25; i++) {
      p.add((double) i, T0);
    }
    // 7 of the 25 values (28%) are <= 7.0, so 7.0 is the smallest value with rank >= 0.28.
    assertThat(p.value(T0)).isEqualTo(7.0);
    assertThat(PercentilePartial.exactIndex(0.07, 100)).isEqualTo(6);
  }

  @Test
  void percentileSketchStaysWithinItsRankError() {
    Random r = new Random(17);
    for (double q : new double[] {0.5, 0.9, 0.99}) {
      PercentilePartial p = new PercentilePartial(q);
      double[] xs = new double[50_000];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = r.nextGaussian() * 100;
        p.add(xs[i], T0);
      }
      assertThat(isSketch(p)).isTrue();
      assertRank(xs, q, p.value(T0));
    }
  }

  @Test
  void distinctIsExactUpToItsLimitThenAnHllEstimate() {
    Partial d = empty(PartialKind.DISTINCT);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < DistinctPartial.EXACT_LIMIT; i++) {
        d.add("m" + i, T0);
      }
    }
    assertThat(d.value(T0)).isEqualTo((long) DistinctPartial.EXACT_LIMIT);
    assertThat(isSketch(d)).isFalse();

    Partial types = empty(PartialKind.DISTINCT);
    for (Object v : List.of("1", 1L, 1.0, true, "1", 1L)) {
      types.add(v, T0);
    }
    assertThat(types.value(T0)).as("values of different types are different").isEqualTo(4L);

    for (int n : new int[] {100, 1_000, 10_000, 100_000}) {
      Partial big = empty(PartialKind.DISTINCT);
      for (int i = 0; i < n; i++) {
        big.add("user-" + i, T0);
        big.add("user-" + (i / 2), T0); // duplicates
      }
      assertThat(isSketch(big)).isTrue();
      // lgK = 12: relative standard error about 1.6%; allow 3 of them
      assertThat(((Long) big.value(T0)).doubleValue())
          .as("estimate of %d", n)
          .isCloseTo(n, Percentage.withPercentage(4.9));
    }
  }

  @Test
  void distinctHashIsStable() {
    // Persisted in exact-form state: a hash change would corrupt restored distinct counts.
    assertThat(DistinctPartial.hash("a")).isEqualTo(DistinctPartial.hash(new String("a")));
    assertThat(DistinctPartial.hash(1L)).isNotEqualTo(DistinctPartial.hash(1.0));
    assertThat(DistinctPartial.hash(true)).isNotEqualTo(DistinctPartial.hash(false));
    long[] golden = {
      DistinctPartial.hash("merchant-42"),
      DistinctPartial.hash(42L),
      DistinctPartial.hash(4.2),
      DistinctPartial.hash(true)
    };
    assertThat(golden).containsExactly(GOLDEN);
  }

  private static final long[] GOLDEN = {
    6913040356578472468L, 5695472266747893962L, 7664925756107286661L, 2185194620014831856L
  };
}
