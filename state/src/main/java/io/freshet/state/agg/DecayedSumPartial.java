package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Exponentially decayed sum: at time t, the sum of {@code value * 2^(-(t - eventTime) / halfLife)}.
 * Kept as a sum anchored at the newest event time, so it never overflows.
 */
public final class DecayedSumPartial implements Partial {
  final long halfLifeMillis;
  boolean present;
  long anchor;
  double sum;

  public DecayedSumPartial(long halfLifeMillis) {
    this.halfLifeMillis = halfLifeMillis;
  }

  private double decay(long dt) {
    return Math.pow(2.0, -((double) dt) / halfLifeMillis);
  }

  private void offer(long t, double s) {
    if (!present) {
      present = true;
      anchor = t;
      sum = s;
    } else if (t >= anchor) {
      sum = sum * decay(t - anchor) + s;
      anchor = t;
    } else {
      sum += s * decay(anchor - t);
    }
  }

  @Override
  public void add(Object value, long eventTime) {
    offer(eventTime, ((Number) value).doubleValue());
  }

  @Override
  public void merge(Partial other) {
    DecayedSumPartial o = (DecayedSumPartial) other;
    if (o.present) {
      offer(o.anchor, o.sum);
    }
  }

  @Override
  public Object value(long t) {
    if (!present) {
      return 0.0;
    }
    return t >= anchor ? sum * decay(t - anchor) : sum / decay(anchor - t);
  }

  @Override
  public boolean reset() {
    present = false;
    anchor = 0;
    sum = 0.0;
    return true;
  }

  @Override
  public Partial copy() {
    DecayedSumPartial c = new DecayedSumPartial(halfLifeMillis);
    c.present = present;
    c.anchor = anchor;
    c.sum = sum;
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    out.writeLong(halfLifeMillis);
    out.writeBoolean(present);
    out.writeLong(anchor);
    out.writeDouble(sum);
  }

  static DecayedSumPartial read(DataInput in) throws IOException {
    DecayedSumPartial d = new DecayedSumPartial(in.readLong());
    d.present = in.readBoolean();
    d.anchor = in.readLong();
    d.sum = in.readDouble();
    return d;
  }

  @Override
  public PartialKind kind() {
    return PartialKind.DECAYED_SUM;
  }
}
