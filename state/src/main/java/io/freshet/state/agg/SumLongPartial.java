package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Exact sum of integer values; 0 when there is none. */
public final class SumLongPartial implements Partial {
  long sum;

  @Override
  public void add(Object value, long eventTime) {
    sum += ((Number) value).longValue();
  }

  @Override
  public void merge(Partial other) {
    sum += ((SumLongPartial) other).sum;
  }

  @Override
  public Object value(long t) {
    return sum;
  }

  @Override
  public Object valueMergedWith(Partial other, long t) {
    return sum + ((SumLongPartial) other).sum;
  }

  @Override
  public boolean reset() {
    sum = 0;
    return true;
  }

  @Override
  public Partial copy() {
    SumLongPartial c = new SumLongPartial();
    c.sum = sum;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeLong(sum);
  }

  static SumLongPartial read(DataInput in) throws IOException {
    SumLongPartial s = new SumLongPartial();
    s.sum = in.readLong();
    return s;
  }

  @Override
  public PartialKind kind() {
    return PartialKind.SUM_LONG;
  }
}
