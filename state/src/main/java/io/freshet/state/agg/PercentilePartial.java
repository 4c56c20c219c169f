package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Approximate q-quantile of numeric values; null when there is none. Up to {@link #EXACT_LIMIT}
 * values are kept exactly and the quantile is exact; beyond that a {@link LogHistogram} takes over,
 * whose answer is within 1% (relative) of the exact one. Both use the same definition: the smallest
 * value v such that at least a fraction q of the values are {@code <= v}. Deterministic and
 * independent of the order in which values and tiles are merged.
 */
public final class PercentilePartial implements Partial {
  public static final int EXACT_LIMIT = 200;

  final double q;
  double[] exact = new double[0]; // unsorted, while sketch == null
  int n;
  LogHistogram sketch;

  public PercentilePartial(double q) {
    this.q = q;
  }

  @Override
  public void add(Object value, long eventTime) {
    offer(((Number) value).doubleValue());
  }

  private void offer(double x) {
    if (sketch != null) {
      sketch.add(x);
      return;
    }
    if (n == exact.length) {
      exact = Arrays.copyOf(exact, Math.max(4, n * 2));
    }
    exact[n++] = x;
    if (n > EXACT_LIMIT) {
      toSketch();
    }
  }

  private void toSketch() {
    LogHistogram s = new LogHistogram();
    for (int i = 0; i < n; i++) {
      s.add(exact[i]);
    }
    sketch = s;
    exact = new double[0];
    n = 0;
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
      toSketch();
    }
    sketch.merge(o.sketch);
  }

  @Override
  public Object value(long t) {
    if (sketch != null) {
      return sketch.quantile(q);
    }
    if (n == 0) {
      return null;
    }
    double[] sorted = Arrays.copyOf(exact, n);
    Arrays.sort(sorted);
    return sorted[exactIndex(q, n)];
  }

  /**
   * Index of the q-quantile in a sorted array of n values: the smallest index i with (i + 1) / n
   * {@code >= q}. The 1e-9 slack keeps q * n = 7.000000000000001 (q = 0.28, n = 25) at rank 7.
   */
  public static int exactIndex(double q, long n) {
    long i = (long) Math.ceil(q * n - 1e-9) - 1;
    return (int) Math.max(0, Math.min(n - 1, i));
  }

  @Override
  public Partial copy() {
    PercentilePartial c = new PercentilePartial(q);
    c.exact = Arrays.copyOf(exact, n);
    c.n = n;
    c.sketch = sketch == null ? null : sketch.copy();
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeDouble(q);
    if (sketch == null) {
      out.writeBoolean(false);
      out.writeInt(n);
      for (int i = 0; i < n; i++) {
        out.writeDouble(exact[i]);
      }
    } else {
      out.writeBoolean(true);
      sketch.write(out);
    }
  }

  static PercentilePartial read(DataInput in) throws IOException {
    PercentilePartial p = new PercentilePartial(in.readDouble());
    if (in.readBoolean()) {
      p.sketch = LogHistogram.read(in);
    } else {
      p.n = in.readInt();
      p.exact = new double[p.n];
      for (int i = 0; i < p.n; i++) {
        p.exact[i] = in.readDouble();
      }
    }
    return p;
  }

  @Override
  public PartialKind kind() {
    return PartialKind.PERCENTILE;
  }
}
