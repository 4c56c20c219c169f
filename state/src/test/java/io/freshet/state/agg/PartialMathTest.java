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
      case SUM_DOUBLE, AVG, DECAYED_SUM, VARIANCE, STDDEV ->
          // floating sums in another order differ in the last bits (a variance's bound:
          // VariancePartialTest)
          assertThat((Double) actual)
              .as(what)
              .isCloseTo(
                  (Double) expected, within(1e-9 * Math.max(1, Math.abs((Double) expected))));
      case DISTINCT -> {
        long exact = all.stream().map(Event::value).distinct().count();
        if (exact <= DISTINCT_EXACT_UP_TO) {
          assertThat(actual).as(what).isEqualTo(exact).isEqualTo(expected);
        } else {
          // an HLL union estimates with a different estimator than a single sketch: each is
          // within a few standard errors (the aggregate bound is distinctEstimatesHaveTheir...)
          assertThat(((Long) actual).doubleValue())
              .as(what)
              .isCloseTo(exact, Percentage.withPercentage(5 * DISTINCT_RSE * 100));
        }
      }
      case PERCENTILE -> {
        // Exact, or bucket counts that add exactly: a merge answers what one partial does.
        assertThat(actual).as(what).isEqualTo(expected);
        if (all.size() > PERCENTILE_EXACT_UP_TO) {
          assertInTheExactQuantilesBucket(
              all.stream().mapToDouble(e -> (Double) e.value()).toArray(), 0.9, actual);
        }
      }
      default -> assertThat(actual).as(what).isEqualTo(expected);
    }
  }

  // The documented limits and accuracy (docs/semantics.md, Sketches), not the implementation's
  // constants, so that a change to them fails here.
  private static final int DISTINCT_EXACT_UP_TO = 64;
  private static final double DISTINCT_RSE = 0.016; // lgK = 12: 1.04 / sqrt(4096)
  private static final int PERCENTILE_EXACT_UP_TO = 200;
  private static final double GAMMA = 1.01 / 0.99;

  /**
   * The sketch's answer lies in the documented bucket of the exact quantile ({@code ceil(log_gamma
   * |x|)}, sign apart) and within 1% of it.
   */
  private static void assertInTheExactQuantilesBucket(double[] xs, double q, Object v) {
    double[] sorted = xs.clone();
    java.util.Arrays.sort(sorted);
    long k = (long) Math.ceil(q * sorted.length - 1e-9); // the documented rank, 1-based
    double exact = sorted[(int) Math.max(0, Math.min(sorted.length - 1, k - 1))];
    double x = (Double) v;
    assertThat(bucket(x)).as("bucket of %s, exact %s", x, exact).isEqualTo(bucket(exact));
    assertThat(x).isCloseTo(exact, Percentage.withPercentage(1 + 1e-9));
  }

  private static String bucket(double x) {
    if (Math.abs(x) < 1e-9) {
      return "zero";
    }
    return (x > 0 ? "+" : "-") + (long) Math.ceil(Math.log(Math.abs(x)) / Math.log(GAMMA));
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
            PartialKind.PERCENTILE,
            PartialKind.VARIANCE,
            PartialKind.STDDEV)) {
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
  void percentileSketchAnswersFromTheExactQuantilesBucket() {
    Random r = new Random(17);
    for (double q : new double[] {0.5, 0.9, 0.99}) {
      PercentilePartial p = new PercentilePartial(q);
      double[] xs = new double[50_000];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = r.nextGaussian() * 100;
        p.add(xs[i], T0);
      }
      assertThat(isSketch(p)).isTrue();
      assertInTheExactQuantilesBucket(xs, q, p.value(T0));
    }
  }

  @Test
  void distinctIsExactUpToItsLimitThenAnHllEstimate() {
    Partial d = empty(PartialKind.DISTINCT);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < DISTINCT_EXACT_UP_TO; i++) {
        d.add("m" + i, T0);
      }
    }
    assertThat(d.value(T0)).isEqualTo((long) DISTINCT_EXACT_UP_TO);
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
      // one estimate: within 5 standard errors (a one-in-a-million miss)
      assertThat(((Long) big.value(T0)).doubleValue())
          .as("estimate of %d", n)
          .isCloseTo(n, Percentage.withPercentage(5 * DISTINCT_RSE * 100));
    }
  }

  /**
   * The documented accuracy, about 1.6% relative standard error, held by the aggregate of many
   * independent estimates: their root mean square error within 1.3 standard errors (the sample RMS
   * of 64 errors has a spread of about 9%: 3.4 of them), their mean within 4 standard errors of a
   * mean of 64 (no bias).
   */
  @Test
  void distinctEstimatesHaveTheDocumentedStandardError() {
    int sketches = 64;
    int n = 10_000;
    double squares = 0;
    double sum = 0;
    for (int s = 0; s < sketches; s++) {
      Partial d = empty(PartialKind.DISTINCT);
      for (int i = 0; i < n; i++) {
        d.add("s" + s + "-" + i, T0);
      }
      double error = ((Long) d.value(T0) - n) / (double) n;
      squares += error * error;
      sum += error;
    }
    assertThat(Math.sqrt(squares / sketches))
        .as("root mean square relative error")
        .isLessThan(1.3 * DISTINCT_RSE);
    assertThat(Math.abs(sum / sketches))
        .as("mean relative error")
        .isLessThan(4 * DISTINCT_RSE / Math.sqrt(sketches));
  }

  /**
   * -0.0 is a value of its own, ordered before 0.0 (Double.compare, docs/semantics.md): min and max
   * keep its sign bit, whatever the order of adds and merges.
   */
  @Test
  void minAndMaxOrderMinusZeroBeforePlusZero() {
    long minusZero = Double.doubleToRawLongBits(-0.0);
    long plusZero = Double.doubleToRawLongBits(0.0);
    for (double[] order : new double[][] {{0.0, -0.0}, {-0.0, 0.0}, {0.0, -0.0, 0.0}}) {
      Partial min = empty(PartialKind.MIN_DOUBLE);
      Partial max = empty(PartialKind.MAX_DOUBLE);
      for (double x : order) {
        min.add(x, T0);
        max.add(x, T0);
      }
      String what = java.util.Arrays.toString(order);
      assertThat(Double.doubleToRawLongBits((Double) min.value(T0))).as(what).isEqualTo(minusZero);
      assertThat(Double.doubleToRawLongBits((Double) max.value(T0))).as(what).isEqualTo(plusZero);
    }
    for (boolean maxKind : new boolean[] {false, true}) {
      PartialKind kind = maxKind ? PartialKind.MAX_DOUBLE : PartialKind.MIN_DOUBLE;
      long want = maxKind ? plusZero : minusZero;
      Partial neg = empty(kind);
      neg.add(-0.0, T0);
      Partial pos = empty(kind);
      pos.add(0.0, T0);
      Partial negThenPos = neg.copy();
      negThenPos.merge(pos);
      Partial posThenNeg = pos.copy();
      posThenNeg.merge(neg);
      for (Object v :
          List.of(
              negThenPos.value(T0),
              posThenNeg.value(T0),
              neg.valueMergedWith(pos, T0),
              pos.valueMergedWith(neg, T0))) {
        assertThat(Double.doubleToRawLongBits((Double) v)).as("%s of merges", kind).isEqualTo(want);
      }
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
