package io.freshet.state.agg;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Population variance and standard deviation against an exact two-pass reference in BigDecimal,
 * held to the bound docs/semantics.md states: relative error at most {@code n * kappa * 2^-52},
 * kappa = sqrt(1 + mean^2 / variance), however the values are split into tiles and merged.
 */
class VariancePartialTest {
  private static final double U = Math.ulp(1.0); // 2^-52
  private static final MathContext MC = new MathContext(80);

  /** The exact population variance of the doubles (each taken at its exact binary value). */
  static BigDecimal exactVariance(double[] xs) {
    BigDecimal sum = BigDecimal.ZERO;
    for (double x : xs) {
      sum = sum.add(new BigDecimal(x));
    }
    BigDecimal n = BigDecimal.valueOf(xs.length);
    BigDecimal mean = sum.divide(n, MC);
    BigDecimal squares = BigDecimal.ZERO;
    for (double x : xs) {
      BigDecimal d = new BigDecimal(x).subtract(mean);
      squares = squares.add(d.multiply(d));
    }
    return squares.divide(n, MC);
  }

  private static double exactMean(double[] xs) {
    BigDecimal sum = BigDecimal.ZERO;
    for (double x : xs) {
      sum = sum.add(new BigDecimal(x));
    }
    return sum.divide(BigDecimal.valueOf(xs.length), MC).doubleValue();
  }

  /** The values added in order to consecutive pieces of random sizes (tiles), merged in order. */
  private static VariancePartial tiled(double[] xs, boolean stddev, Random r) {
    VariancePartial all = new VariancePartial(stddev);
    int i = 0;
    while (i < xs.length) {
      VariancePartial tile = new VariancePartial(stddev);
      int size = 1 + r.nextInt(r.nextBoolean() ? 5 : 200);
      for (int j = 0; j < size && i < xs.length; j++, i++) {
        tile.add(xs[i], 0L);
      }
      all.merge(tile);
    }
    return all;
  }

  private static VariancePartial fed(double[] xs, boolean stddev) {
    VariancePartial p = new VariancePartial(stddev);
    for (double x : xs) {
      p.add(x, 0L);
    }
    return p;
  }

  @Test
  void withinTheDocumentedBoundOfTheExactVariance() {
    Random r = new Random(18);
    // (mean, spread): well conditioned, shifted far from 0 (kappa up to 1e9), huge and tiny
    double[][] shapes = {
      {0, 1}, {1e6, 1}, {1e9, 1}, {-5e3, 1e4}, {1e12, 1e3}, {3e-7, 1e-9}, {0, 1e150}
    };
    double worst = 0;
    for (double[] shape : shapes) {
      for (int n : new int[] {2, 3, 10, 1_000, 20_000}) {
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
          double g = r.nextInt(10) == 0 ? r.nextGaussian() * 20 : r.nextGaussian(); // tails
          xs[i] = shape[0] + shape[1] * g;
        }
        BigDecimal exact = exactVariance(xs);
        double v = exact.doubleValue();
        double mean = exactMean(xs);
        double kappa = Math.sqrt(1 + mean / v * mean); // as written, no overflow for 1e150
        double bound = n * kappa * U;
        for (VariancePartial p : List.of(fed(xs, false), tiled(xs, false, r))) {
          double got = (Double) p.value(0L);
          double error = new BigDecimal(got).subtract(exact).abs().divide(exact, MC).doubleValue();
          assertThat(error)
              .as("variance of %d values, mean %s, spread %s", n, shape[0], shape[1])
              .isLessThanOrEqualTo(bound);
          worst = Math.max(worst, error / bound);
        }
        for (VariancePartial p : List.of(fed(xs, true), tiled(xs, true, r))) {
          double got = (Double) p.value(0L);
          double sd = exact.sqrt(MC).doubleValue();
          assertThat(Math.abs(got - sd) / sd)
              .as("stddev of %d values, mean %s, spread %s", n, shape[0], shape[1])
              .isLessThanOrEqualTo(bound);
        }
      }
    }
    // the bound is not vacuous: the errors seen use a fair part of it (sqrt(n)-like growth)
    assertThat(worst).isGreaterThan(1e-4).isLessThanOrEqualTo(1);
  }

  /**
   * The textbook case a sum of squares gets wrong: 1e9 + {4, 7, 13, 16} (a double's sum of squares
   * near 4e18 has an ulp of 512). Welford's update is exact on it.
   */
  @Test
  void noCancellationFarFromZero() {
    double[] xs = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
    assertThat(fed(xs, false).value(0L)).isEqualTo(22.5);
    assertThat(fed(xs, true).value(0L)).isEqualTo(Math.sqrt(22.5));
    VariancePartial a = fed(new double[] {xs[0], xs[1]}, false);
    a.merge(fed(new double[] {xs[2], xs[3]}, false));
    assertThat(a.value(0L)).isEqualTo(22.5);
  }

  @Test
  void emptyIsNullOneValueOrEqualValuesAreExactlyZero() {
    for (boolean stddev : new boolean[] {false, true}) {
      assertThat(new VariancePartial(stddev).value(0L)).isNull();
      assertThat(fed(new double[] {-3.7e5}, stddev).value(0L)).isEqualTo(0.0);
      double[] same = new double[1_000];
      java.util.Arrays.fill(same, 0.1);
      assertThat(fed(same, stddev).value(0L)).isEqualTo(0.0);
      assertThat(tiled(same, stddev, new Random(1)).value(0L)).isEqualTo(0.0);
    }
  }

  @Test
  void integerValuesAreReadAsDoubles() {
    VariancePartial p = new VariancePartial(false);
    for (long x : new long[] {2, 4, 4, 4, 5, 5, 7, 9}) {
      p.add(x, 0L);
    }
    assertThat(p.value(0L)).isEqualTo(4.0); // the classic example: stddev 2
    VariancePartial s = new VariancePartial(true);
    s.merge(p);
    assertThat(s.value(0L)).isEqualTo(2.0);
  }

  @Test
  void stddevIsTheSquareRootOfTheVarianceBitForBit() {
    Random r = new Random(7);
    VariancePartial v = new VariancePartial(false);
    VariancePartial s = new VariancePartial(true);
    for (int i = 0; i < 500; i++) {
      double x = r.nextGaussian() * 1e3 + 42;
      v.add(x, 0L);
      s.add(x, 0L);
      assertThat(s.value(0L)).isEqualTo(Math.sqrt((Double) v.value(0L)));
    }
  }
}
