package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Minimum or maximum of floating values; null when there is none. */
public final class ExtremumDoublePartial implements Partial {
  final boolean max;
  boolean present;
  double v;

  public ExtremumDoublePartial(boolean max) {
    this.max = max;
  }

  @Override
  public void add(Object value, long eventTime) {
    offer(((Number) value).doubleValue());
  }

  private void offer(double x) {
    if (!present || (max ? Double.compare(x, v) > 0 : Double.compare(x, v) < 0)) {
      v = x;
      present = true;
    }
  }

  @Override
  public void merge(Partial other) {
    ExtremumDoublePartial o = (ExtremumDoublePartial) other;
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
    ExtremumDoublePartial o = (ExtremumDoublePartial) other;
    if (!o.present) {
      return value(t);
    }
    return !present || (max ? Double.compare(o.v, v) > 0 : Double.compare(o.v, v) < 0)
        ? o.v
        : v; // as offer(o.v) would
  }

  @Override
  public boolean reset() {
    present = false;
    v = 0.0;
    return true;
  }

  @Override
  public Partial copy() {
    ExtremumDoublePartial c = new ExtremumDoublePartial(max);
    c.present = present;
    c.v = v;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeBoolean(present);
    out.writeDouble(v);
  }

  static ExtremumDoublePartial read(DataInput in, boolean max) throws IOException {
    ExtremumDoublePartial e = new ExtremumDoublePartial(max);
    e.present = in.readBoolean();
    e.v = in.readDouble();
    return e;
  }

  @Override
  public PartialKind kind() {
    return max ? PartialKind.MAX_DOUBLE : PartialKind.MIN_DOUBLE;
  }
}
