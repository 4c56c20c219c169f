package io.freshet.state.agg;

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
  public PartialKind kind() {
    return PartialKind.DECAYED_SUM;
  }
}
