package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Minimum or maximum of integer values; null when there is none. */
public final class ExtremumLongPartial implements Partial {
  final boolean max;
  boolean present;
  long v;

  public ExtremumLongPartial(boolean max) {
    this.max = max;
  }

  @Override
  public void add(Object value, long eventTime) {
    offer(((Number) value).longValue());
  }

  private void offer(long x) {
    if (!present || (max ? x > v : x < v)) {
      v = x;
      present = true;
    }
  }

  @Override
  public void merge(Partial other) {
    ExtremumLongPartial o = (ExtremumLongPartial) other;
    if (o.present) {
      offer(o.v);
    }
  }

  @Override
  public Object value(long t) {
    return present ? v : null;
  }

  @Override
  public Object valueMergedWith(Partial other, long t) {
    ExtremumLongPartial o = (ExtremumLongPartial) other;
    if (!o.present) {
      return value(t);
    }
    return !present || (max ? o.v > v : o.v < v) ? o.v : v; // as offer(o.v) would
  }

  @Override
  public boolean reset() {
    present = false;
    v = 0;
    return true;
  }

  @Override
  public Partial copy() {
    ExtremumLongPartial c = new ExtremumLongPartial(max);
    c.present = present;
    c.v = v;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeBoolean(present);
    out.writeLong(v);
  }

  static ExtremumLongPartial read(DataInput in, boolean max) throws IOException {
    ExtremumLongPartial e = new ExtremumLongPartial(max);
    e.present = in.readBoolean();
    e.v = in.readLong();
    return e;
  }

  @Override
  public PartialKind kind() {
    return max ? PartialKind.MAX_LONG : PartialKind.MIN_LONG;
  }
}
