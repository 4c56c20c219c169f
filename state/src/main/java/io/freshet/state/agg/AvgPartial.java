package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Mean of the values; null when there is none. */
public final class AvgPartial implements Partial {
  double sum;
  long n;

  @Override
  public void add(Object value, long eventTime) {
    sum += ((Number) value).doubleValue();
    n++;
  }

  @Override
  public void merge(Partial other) {
    AvgPartial o = (AvgPartial) other;
    sum += o.sum;
    n += o.n;
  }

  @Override
  public Object value(long t) {
    return n == 0 ? null : sum / n;
  }

  @Override
  public Object valueMergedWith(Partial other, long t) {
    AvgPartial o = (AvgPartial) other;
    long count = n + o.n;
    return count == 0 ? null : (sum + o.sum) / count;
  }

  @Override
  public boolean reset() {
    sum = 0.0;
    n = 0;
    return true;
  }

  @Override
  public Partial copy() {
    AvgPartial c = new AvgPartial();
    c.sum = sum;
    c.n = n;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeDouble(sum);
    out.writeLong(n);
  }

  static AvgPartial read(DataInput in) throws IOException {
    AvgPartial a = new AvgPartial();
    a.sum = in.readDouble();
    a.n = in.readLong();
    return a;
  }

  @Override
  public PartialKind kind() {
    return PartialKind.AVG;
  }
}
