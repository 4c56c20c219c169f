package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Sum of floating values; 0.0 when there is none. */
public final class SumDoublePartial implements Partial {
  double sum;

  @Override
  public void add(Object value, long eventTime) {
    sum += ((Number) value).doubleValue();
  }

  @Override
  public void merge(Partial other) {
    sum += ((SumDoublePartial) other).sum;
  }

  @Override
  public Object value(long t) {
    return sum;
  }

  @Override
  public Object valueMergedWith(Partial other, long t) {
    return sum + ((SumDoublePartial) other).sum;
  }

  @Override
  public boolean reset() {
    sum = 0.0;
    return true;
  }

  @Override
  public Partial copy() {
    SumDoublePartial c = new SumDoublePartial();
    c.sum = sum;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeDouble(sum);
  }

  static SumDoublePartial read(DataInput in) throws IOException {
    SumDoublePartial s = new SumDoublePartial();
    s.sum = in.readDouble();
    return s;
  }

  @Override
  public PartialKind kind() {
    return PartialKind.SUM_DOUBLE;
  }
}
