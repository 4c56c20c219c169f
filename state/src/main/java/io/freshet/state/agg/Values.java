package io.freshet.state.agg;

/** The total order Freshet uses on feature values of any type, to break ties deterministically. */
public final class Values {
  private Values() {}

  /** Orders null first, then booleans, longs, doubles and strings, each by natural order. */
  public static int compare(Object a, Object b) {
    if (a == b) {
      return 0;
    }
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    return switch (ra) {
      case 1 -> Boolean.compare((Boolean) a, (Boolean) b);
      case 2 -> Long.compare((Long) a, (Long) b);
      case 3 -> Double.compare((Double) a, (Double) b);
      case 4 -> ((String) a).compareTo((String) b);
      default -> 0;
    };
  }

  private static int rank(Object v) {
    if (v == null) {
      return 0;
    } else if (v instanceof Boolean) {
      return 1;
    } else if (v instanceof Long) {
      return 2;
    } else if (v instanceof Double) {
      return 3;
    } else if (v instanceof String) {
      return 4;
    }
    throw new IllegalArgumentException("not a feature value type: " + v.getClass().getName());
  }
}
