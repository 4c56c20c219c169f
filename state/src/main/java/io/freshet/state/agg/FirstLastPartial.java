package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The value of the earliest ({@code first}) or the latest ({@code last}) event; null when there is
 * none. Events with the same event time are ordered by {@link Values#compare}, so the result does
 * not depend on arrival order.
 */
public final class FirstLastPartial implements Partial {
  final boolean last;
  boolean present;
  long ts;
  Object v;

  public FirstLastPartial(boolean last) {
    this.last = last;
  }

  @Override
  public void add(Object value, long eventTime) {
    offer(eventTime, value);
  }

  private void offer(long t, Object x) {
    if (!present) {
      present = true;
      ts = t;
      v = x;
      return;
    }
    int c = t != ts ? Long.compare(t, ts) : Values.compare(x, v);
    if (last ? c > 0 : c < 0) {
      ts = t;
      v = x;
    }
  }

  @Override
  public void merge(Partial other) {
    FirstLastPartial o = (FirstLastPartial) other;
    if (o.present) {
      offer(o.ts, o.v);
    }
  }

  @Override
  public Object value(long t) {
    return present ? v : null;
  }

  @Override
  public boolean reset() {
    present = false;
    ts = 0;
    v = null;
    return true;
  }

  @Override
  public Partial copy() {
    FirstLastPartial c = new FirstLastPartial(last);
    c.present = present;
    c.ts = ts;
    c.v = v;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeBoolean(present);
    out.writeLong(ts);
    PartialCodec.writeValue(out, v);
  }

  static FirstLastPartial read(DataInput in, boolean last) throws IOException {
    FirstLastPartial f = new FirstLastPartial(last);
    f.present = in.readBoolean();
    f.ts = in.readLong();
    f.v = PartialCodec.readValue(in);
    return f;
  }

  @Override
  public PartialKind kind() {
    return last ? PartialKind.LAST : PartialKind.FIRST;
  }
}
