package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Number of events. */
public final class CountPartial implements Partial {
  long n;

  @Override
  public void add(Object value, long eventTime) {
    n++;
  }

  @Override
  public void merge(Partial other) {
    n += ((CountPartial) other).n;
  }

  @Override
  public Object value(long t) {
    return n;
  }

  @Override
  public Object valueMergedWith(Partial other, long t) {
    return n + ((CountPartial) other).n;
  }

  @Override
  public boolean reset() {
    n = 0;
    return true;
  }

  @Override
  public Partial copy() {
    CountPartial c = new CountPartial();
    c.n = n;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeLong(n);
  }

  static CountPartial read(DataInput in) throws IOException {
    CountPartial c = new CountPartial();
    c.n = in.readLong();
    return c;
  }

  @Override
  public PartialKind kind() {
    return PartialKind.COUNT;
  }
}
