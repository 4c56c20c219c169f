package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Population variance ({@code m2 / n}) or standard deviation (its square root) of numeric values;
 * null when there is none, 0.0 for one value or for values that are all equal.
 *
 * <p>Kept as the count, the mean and {@code m2}, the sum of squared deviations from the mean, so
 * that no sum of squares can cancel: a value is added by Welford's update and two partials merge by
 * Chan et al.'s pairwise formula ({@code m2 = m2a + m2b + delta^2 * na * nb / n}). The variance is
 * within a relative {@code n * kappa * 2^-52} of the exact one, kappa = sqrt(1 + mean^2 / variance)
 * being the data's condition number (docs/semantics.md, Variance and standard deviation); like a
 * floating sum, its last bits depend on the order of adds and merges.
 */
public final class VariancePartial implements Partial {
  final boolean stddev;
  long n;
  double mean;
  double m2;

  public VariancePartial(boolean stddev) {
    this.stddev = stddev;
  }

  @Override
  public void add(Object value, long eventTime) {
    double x = ((Number) value).doubleValue();
    n++;
    double delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean); // both factors have delta's sign: m2 never decreases
  }

  @Override
  public void merge(Partial other) {
    VariancePartial o = (VariancePartial) other;
    if (o.n == 0) {
      return;
    }
    if (n == 0) {
      n = o.n;
      mean = o.mean;
      m2 = o.m2;
      return;
    }
    long total = n + o.n;
    double delta = o.mean - mean;
    mean += delta * ((double) o.n / total);
    m2 = mergedM2(this, o, delta, total);
    n = total;
  }

  /** The m2 of a and b merged (both non-empty): the one formula merge and valueMergedWith use. */
  private static double mergedM2(VariancePartial a, VariancePartial b, double delta, long total) {
    return a.m2 + b.m2 + delta * delta * ((double) a.n * b.n / total);
  }

  private Object result(long count, double sumOfSquares) {
    if (count == 0) {
      return null;
    }
    double variance = sumOfSquares / count;
    return stddev ? Math.sqrt(variance) : variance;
  }

  @Override
  public Object value(long t) {
    return result(n, m2);
  }

  @Override
  public Object valueMergedWith(Partial other, long t) {
    VariancePartial o = (VariancePartial) other;
    if (o.n == 0) {
      return result(n, m2);
    }
    if (n == 0) {
      return result(o.n, o.m2);
    }
    long total = n + o.n;
    return result(total, mergedM2(this, o, o.mean - mean, total));
  }

  @Override
  public boolean reset() {
    n = 0;
    mean = 0.0;
    m2 = 0.0;
    return true;
  }

  @Override
  public Partial copy() {
    VariancePartial c = new VariancePartial(stddev);
    c.n = n;
    c.mean = mean;
    c.m2 = m2;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeLong(n);
    out.writeDouble(mean);
    out.writeDouble(m2);
  }

  static VariancePartial read(DataInput in, boolean stddev) throws IOException {
    VariancePartial v = new VariancePartial(stddev);
    v.n = in.readLong();
    v.mean = in.readDouble();
    v.m2 = in.readDouble();
    return v;
  }

  @Override
  public PartialKind kind() {
    return stddev ? PartialKind.STDDEV : PartialKind.VARIANCE;
  }
}
