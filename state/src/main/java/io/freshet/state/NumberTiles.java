package io.freshet.state;

import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.PartialNumbers;
import java.util.function.Supplier;

/**
 * The tiles of a count, sum, avg, min or max: each tile's aggregate in the tile array itself, right
 * after its start (one long, an average's count and sum two; doubles as their raw bits), and the
 * cache in two fields. Reading a tile touches one array and no tile object, which matters when an
 * entity's state is cold, as most are with many entities.
 *
 * <p>Every operation is the one the kind's {@link Partial} does, in the same order, so values are
 * the same bit for bit as with {@link PartialTiles} (floating sums included): a new tile starts at
 * {@code 0.0 + x} as a new partial's sum would, and merges and the value with the current tile
 * follow {@code merge} and {@code valueMergedWith}.
 */
final class NumberTiles extends TiledFeature {
  private static final int COUNT = 0;
  private static final int SUM_LONG = 1;
  private static final int SUM_DOUBLE = 2;
  private static final int AVG = 3;
  private static final int MIN_LONG = 4;
  private static final int MAX_LONG = 5;
  private static final int MIN_DOUBLE = 6;
  private static final int MAX_DOUBLE = 7;

  private final int op;

  // The cache (see TiledFeature): a count, an integer sum or extremum, an average's count in cl;
  // a floating sum or extremum, an average's sum in cd; present tells whether an extremum has one.
  private long cl;
  private double cd;
  private boolean present;

  NumberTiles(long windowMillis, long tileMillis, PartialKind kind) {
    // longs per tile: the start and one number, or two for an average
    super(windowMillis, tileMillis, kind, kind == PartialKind.AVG ? 3 : 2);
    this.op = op(kind);
    if (op == NOT_NUMBERS) {
      throw new IllegalArgumentException(kind + " is not made of numbers alone");
    }
  }

  /** What a tile of this kind holds besides numbers: nothing (one of the above), or more. */
  static final int NOT_NUMBERS = -1;

  /**
   * The operation on tiles of a kind, or {@link #NOT_NUMBERS} for a kind whose partials are more
   * than one long and one double ({@link PartialTiles} keeps those). The one place that says which
   * kinds this layout takes: a new kind does not compile until it is listed here.
   */
  static int op(PartialKind kind) {
    return switch (kind) {
      case COUNT -> COUNT;
      case SUM_LONG -> SUM_LONG;
      case SUM_DOUBLE -> SUM_DOUBLE;
      case AVG -> AVG;
      case MIN_LONG -> MIN_LONG;
      case MAX_LONG -> MAX_LONG;
      case MIN_DOUBLE -> MIN_DOUBLE;
      case MAX_DOUBLE -> MAX_DOUBLE;
      case FIRST, LAST, DISTINCT, PERCENTILE, DECAYED_SUM, VARIANCE, STDDEV -> NOT_NUMBERS;
    };
  }

  private static double d(long bits) {
    return Double.longBitsToDouble(bits);
  }

  private static long bits(double d) {
    return Double.doubleToRawLongBits(d);
  }

  @Override
  void moved(int from, int to, int n) {}

  @Override
  void cleared(int from, int to) {}

  @Override
  void grown(int tiles) {}

  @Override
  void first(int i, Object value, long eventTime, Supplier<Partial> empty) {
    long[] a = data;
    int at = i * stride + 1;
    switch (op) {
      case COUNT -> a[at] = 1;
      case SUM_LONG, MIN_LONG, MAX_LONG -> a[at] = ((Number) value).longValue();
      case SUM_DOUBLE -> a[at] = bits(0.0 + ((Number) value).doubleValue());
      case AVG -> {
        a[at] = 1;
        a[at + 1] = bits(0.0 + ((Number) value).doubleValue());
      }
      default -> a[at] = bits(((Number) value).doubleValue()); // MIN_DOUBLE, MAX_DOUBLE
    }
  }

  @Override
  void more(int i, Object value, long eventTime) {
    long[] a = data;
    int at = i * stride + 1;
    switch (op) {
      case COUNT -> a[at]++;
      case SUM_LONG -> a[at] += ((Number) value).longValue();
      case SUM_DOUBLE -> a[at] = bits(d(a[at]) + ((Number) value).doubleValue());
      case AVG -> {
        a[at]++;
        a[at + 1] = bits(d(a[at + 1]) + ((Number) value).doubleValue());
      }
      case MIN_LONG -> a[at] = Math.min(a[at], ((Number) value).longValue());
      case MAX_LONG -> a[at] = Math.max(a[at], ((Number) value).longValue());
      case MIN_DOUBLE -> {
        double x = ((Number) value).doubleValue();
        if (Double.compare(x, d(a[at])) < 0) {
          a[at] = bits(x);
        }
      }
      default -> { // MAX_DOUBLE
        double x = ((Number) value).doubleValue();
        if (Double.compare(x, d(a[at])) > 0) {
          a[at] = bits(x);
        }
      }
    }
  }

  @Override
  void left(int i) {}

  @Override
  void set(int i, Partial p) {
    if (!PartialNumbers.present(p)) {
      throw new IllegalArgumentException("a tile of " + kind + " without a value");
    }
    int at = i * stride + 1;
    if (op == AVG) {
      data[at] = PartialNumbers.longOf(p);
      data[at + 1] = bits(PartialNumbers.doubleOf(p));
    } else if (op == SUM_DOUBLE || op == MIN_DOUBLE || op == MAX_DOUBLE) {
      data[at] = bits(PartialNumbers.doubleOf(p));
    } else {
      data[at] = PartialNumbers.longOf(p);
    }
  }

  @Override
  Partial partial(int i) {
    int at = i * stride + 1;
    return switch (op) {
      case AVG -> PartialNumbers.partialOf(kind, data[at], d(data[at + 1]));
      case SUM_DOUBLE, MIN_DOUBLE, MAX_DOUBLE -> PartialNumbers.partialOf(kind, 0, d(data[at]));
      default -> PartialNumbers.partialOf(kind, data[at], 0.0);
    };
  }

  @Override
  void copyTile(int i, TiledFeature from, int j) {} // the numbers came with the tile array

  @Override
  void clearCache(Supplier<Partial> empty) {
    cl = 0;
    cd = 0.0;
    present = false;
  }

  @Override
  void mergeIntoCache(int i) {
    long[] a = data;
    int at = i * stride + 1;
    switch (op) {
      case COUNT, SUM_LONG -> cl += a[at];
      case SUM_DOUBLE -> cd += d(a[at]);
      case AVG -> {
        cd += d(a[at + 1]);
        cl += a[at];
      }
      case MIN_LONG -> {
        if (!present || a[at] < cl) {
          cl = a[at];
          present = true;
        }
      }
      case MAX_LONG -> {
        if (!present || a[at] > cl) {
          cl = a[at];
          present = true;
        }
      }
      case MIN_DOUBLE -> {
        double x = d(a[at]);
        if (!present || Double.compare(x, cd) < 0) {
          cd = x;
          present = true;
        }
      }
      default -> { // MAX_DOUBLE
        double x = d(a[at]);
        if (!present || Double.compare(x, cd) > 0) {
          cd = x;
          present = true;
        }
      }
    }
  }

  @Override
  Object cacheValue(long t) {
    return switch (op) {
      case COUNT, SUM_LONG -> cl;
      case SUM_DOUBLE -> cd;
      case AVG -> cl == 0 ? null : cd / cl;
      case MIN_LONG, MAX_LONG -> present ? cl : null;
      default -> present ? cd : null; // MIN_DOUBLE, MAX_DOUBLE
    };
  }

  @Override
  Object cacheValueWith(int i, long t) {
    long[] a = data;
    int at = i * stride + 1;
    return switch (op) {
      case COUNT, SUM_LONG -> cl + a[at];
      case SUM_DOUBLE -> cd + d(a[at]);
      case AVG -> (cd + d(a[at + 1])) / (cl + a[at]); // the tile has one value at least
      case MIN_LONG -> !present || a[at] < cl ? a[at] : cl;
      case MAX_LONG -> !present || a[at] > cl ? a[at] : cl;
      case MIN_DOUBLE -> {
        double x = d(a[at]);
        yield !present || Double.compare(x, cd) < 0 ? x : cd;
      }
      default -> { // MAX_DOUBLE
        double x = d(a[at]);
        yield !present || Double.compare(x, cd) > 0 ? x : cd;
      }
    };
  }
}
