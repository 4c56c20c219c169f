package io.freshet.state.agg;

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
  public PartialKind kind() {
    return PartialKind.SUM_LONG;
  }
}
