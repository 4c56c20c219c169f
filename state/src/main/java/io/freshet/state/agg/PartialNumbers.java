package io.freshet.state.agg;

/**
 * The numbers inside the partials that are nothing but numbers (count, sum, avg, min, max), for
 * tiles that keep them in a primitive array instead of one object per tile ({@code
 * io.freshet.state.NumberTiles}). Each such partial is at most one long and one double: a count's
 * n, an integer sum, an average's count, an integer extremum in the long; a floating sum, an
 * average's sum, a floating extremum in the double. An extremum is kept only while present. Which
 * kinds these are is said once, by {@code NumberTiles.op}.
 */
public final class PartialNumbers {
  private PartialNumbers() {}

  /** Whether the partial holds a value (false only for an extremum that has seen none). */
  public static boolean present(Partial p) {
    if (p instanceof ExtremumLongPartial e) {
      return e.present;
    }
    if (p instanceof ExtremumDoublePartial e) {
      return e.present;
    }
    return true;
  }

  /** The partial's long (see the class comment), 0 if it has none. */
  public static long longOf(Partial p) {
    return switch (p.kind()) {
      case COUNT -> ((CountPartial) p).n;
      case SUM_LONG -> ((SumLongPartial) p).sum;
      case AVG -> ((AvgPartial) p).n;
      case MIN_LONG, MAX_LONG -> ((ExtremumLongPartial) p).v;
      default -> 0;
    };
  }

  /** The partial's double (see the class comment), 0.0 if it has none. */
  public static double doubleOf(Partial p) {
    return switch (p.kind()) {
      case SUM_DOUBLE -> ((SumDoublePartial) p).sum;
      case AVG -> ((AvgPartial) p).sum;
      case MIN_DOUBLE, MAX_DOUBLE -> ((ExtremumDoublePartial) p).v;
      default -> 0.0;
    };
  }

  /** A partial of this kind holding these numbers (an extremum: present). */
  public static Partial partialOf(PartialKind kind, long l, double d) {
    switch (kind) {
      case COUNT -> {
        CountPartial c = new CountPartial();
        c.n = l;
        return c;
      }
      case SUM_LONG -> {
        SumLongPartial s = new SumLongPartial();
        s.sum = l;
        return s;
      }
      case SUM_DOUBLE -> {
        SumDoublePartial s = new SumDoublePartial();
        s.sum = d;
        return s;
      }
      case AVG -> {
        AvgPartial a = new AvgPartial();
        a.sum = d;
        a.n = l;
        return a;
      }
      case MIN_LONG, MAX_LONG -> {
        ExtremumLongPartial e = new ExtremumLongPartial(kind == PartialKind.MAX_LONG);
        e.present = true;
        e.v = l;
        return e;
      }
      case MIN_DOUBLE, MAX_DOUBLE -> {
        ExtremumDoublePartial e = new ExtremumDoublePartial(kind == PartialKind.MAX_DOUBLE);
        e.present = true;
        e.v = d;
        return e;
      }
      default -> throw new IllegalArgumentException(kind + " is not made of numbers alone");
    }
  }
}
