package io.freshet.state.agg;

import java.util.Arrays;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Approximate q-quantile of numeric values; null when there is none. Up to {@link #EXACT_LIMIT}
 * values are kept exactly and the quantile is exact; beyond that a KLL sketch with k = {@value #K}
 * (normalized rank error about 1.65%) takes over. Both use the same definition: the smallest value
 * v such that at least a fraction q of the values are {@code <= v}.
 */
public final class PercentilePartial implements Partial {
  public static final int K = 200;
  public static final int EXACT_LIMIT = 200;

  final double q;
  double[] exact = new double[0]; // unsorted, while sketch == null
  int n;
  KllDoublesSketch sketch;

  public PercentilePartial(double q) {
    this.q = q;
  }

  @Override
  public void add(Object value, long eventTime) {
    offer(((Number) value).doubleValue());
  }

  private void offer(double x) {
    if (sketch != null) {
      sketch.update(x);
      return;
    }
    if (n == exact.length) {
      exact = Arrays.copyOf(exact, Math.max(4, n * 2));
    }
    exact[n++] = x;
    if (n > EXACT_LIMIT) {
      sketch = KllDoublesSketch.newHeapInstance(K);
      for (int i = 0; i < n; i++) {
        sketch.update(exact[i]);
      }
      exact = new double[0];
      n = 0;
    }
  }

  @Override
  public void merge(Partial other) {
    PercentilePartial o = (PercentilePartial) other;
    if (o.sketch == null) {
      for (int i = 0; i < o.n; i++) {
        offer(o.exact[i]);
      }
      return;
    }
    if (sketch == null) {
      KllDoublesSketch s = KllDoublesSketch.newHeapInstance(K);
      for (int i = 0; i < n; i++) {
        s.update(exact[i]);
      }
      sketch = s;
      exact = new double[0];
      n = 0;
    }
    sketch.merge(o.sketch);
  }

  @Override
  public Object value(long t) {
    if (sketch != null) {
      return sketch.getQuantile(q, QuantileSearchCriteria.INCLUSIVE);
    }
    if (n == 0) {
      return null;
    }
    double[] sorted = Arrays.copyOf(exact, n);
    Arrays.sort(sorted);
    return sorted[exactIndex(q, n)];
  }

  /** Index of the q-quantile in a sorted array of n values (the smallest with rank >= q). */
  public static int exactIndex(double q, int n) {
    int i = (int) Math.ceil(q * n) - 1;
    return Math.max(0, Math.min(n - 1, i));
  }

  @Override
  public Partial copy() {
    PercentilePartial c = new PercentilePartial(q);
    c.exact = Arrays.copyOf(exact, Math.max(n, 0));
    c.n = n;
    c.sketch =
        sketch == null
            ? null
            : KllDoublesSketch.heapify(
                org.apache.datasketches.memory.Memory.wrap(sketch.toByteArray()));
    return c;
  }

  @Override
  public PartialKind kind() {
    return PartialKind.PERCENTILE;
  }
}
