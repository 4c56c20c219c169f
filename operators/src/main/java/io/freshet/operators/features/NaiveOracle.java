package io.freshet.operators.features;

import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The definition of every feature, written as plainly as possible: recompute a value from the raw
 * events, with no tiles, partials or state. Tests compare the engine against it; it is far too slow
 * for production and that is the point.
 *
 * <p>A windowed feature (window W, tile g) at time t aggregates the events with event time in
 * {@code [floor(t/g)*g - W + g, t]}. A lifetime feature aggregates the entity's events up to t
 * since it last went silent for longer than the view's ttl; a late event that would bridge two
 * sessions already split joins the newer one (docs/semantics.md, TTL). Null values are skipped.
 *
 * <p>It shares no code with the implementation it checks: the value order, the distinct count and
 * the quantile rank are written here again from docs/semantics.md (an ArchUnit rule keeps it off
 * {@code io.freshet.state}), so that a bug in {@code Values.compare}, {@code DistinctPartial.hash}
 * or {@code PercentilePartial.exactIndex} shows as a difference instead of being copied.
 */
public final class NaiveOracle {
  private final ViewSpec view;
  private final SourceFields fields;

  /**
   * One raw event of one entity, with the watermark when it arrived: an event at or behind it was
   * late and applied on arrival, any other when the watermark passed its event time.
   */
  public record Event(long ts, List<Object> values, long watermark) {
    /** An event that came on time. */
    public Event(long ts, List<Object> values) {
      this(ts, values, Long.MIN_VALUE);
    }

    public boolean late() {
      return ts <= watermark;
    }

    /** How far the entity's time had got when the event was applied. */
    long appliedAt() {
      return late() ? watermark : ts;
    }
  }

  /**
   * The order in which the engine applies an entity's events: on-time ones when the watermark
   * passes them, in event-time order; a late one on arrival, after every on-time event at or before
   * the watermark it came with. Events given in arrival order keep it where it decides (late events
   * under one watermark).
   */
  private static final Comparator<Event> APPLIED_ORDER =
      Comparator.comparingLong(Event::appliedAt).thenComparing(Event::late);

  public NaiveOracle(ViewSpec view, SourceFields fields) {
    this.view = view;
    this.fields = fields;
  }

  /**
   * The feature vector at time t, given every accepted event of the entity (any order, except that
   * late events must come in their arrival order).
   */
  public Object[] vector(List<Event> events, long t) {
    List<Event> upTo = new ArrayList<>();
    for (Event e : events) {
      if (e.ts() <= t) {
        upTo.add(e);
      }
    }
    upTo.sort(Comparator.comparingLong(Event::ts));
    List<Event> session = lifetime(events, t);
    Object[] out = new Object[view.features().size()];
    for (int i = 0; i < out.length; i++) {
      FeatureDef f = view.features().get(i);
      List<Event> candidates;
      if (f.isLifetime()) {
        candidates = session;
      } else {
        long g = f.tile().toMillis();
        long from = Math.floorDiv(t, g) * g - f.window().toMillis() + g;
        candidates = new ArrayList<>();
        for (Event e : upTo) {
          if (e.ts() >= from) {
            candidates.add(e);
          }
        }
      }
      int idx = f.field() == null ? -1 : fields.indexOf(f.field());
      List<Event> in = new ArrayList<>();
      List<Object> xs = new ArrayList<>();
      for (Event e : candidates) {
        Object v = idx < 0 ? Boolean.TRUE : e.values().get(idx);
        if (v != null) {
          in.add(e);
          xs.add(v);
        }
      }
      out[i] = aggregate(f, in, xs, t);
    }
    return out;
  }

  /**
   * The events a lifetime feature aggregates at t, in event-time order: walking the events in the
   * order the engine applies them, an event more than ttl after the newest one so far starts the
   * entity over. On-time events alone, that is the events since the last silence longer than ttl; a
   * late event that falls in such a silence after the newer session started joins the newer one.
   */
  public List<Event> lifetime(List<Event> events, long t) {
    List<Event> applied = new ArrayList<>(events);
    applied.sort(APPLIED_ORDER); // stable: late events under one watermark stay in arrival order
    long ttl = view.ttl().toMillis();
    List<Event> session = new ArrayList<>();
    long newest = Long.MIN_VALUE;
    for (Event e : applied) {
      if (e.ts() > t) {
        continue;
      }
      if (!session.isEmpty() && e.ts() - newest > ttl) {
        session.clear();
      }
      session.add(e);
      newest = Math.max(newest, e.ts());
    }
    session.sort(Comparator.comparingLong(Event::ts));
    return session;
  }

  /** One switch over every aggregation: a new one does not compile until it is defined here. */
  private static Object aggregate(FeatureDef f, List<Event> in, List<Object> xs, long t) {
    boolean isLong = f.inputType() == ValueType.LONG;
    return switch (f.aggregation()) {
      case COUNT -> (long) xs.size();
      case SUM -> {
        if (isLong) {
          long s = 0;
          for (Object x : xs) {
            s += (Long) x;
          }
          yield s;
        }
        double s = 0;
        for (Object x : xs) {
          s += ((Number) x).doubleValue();
        }
        yield s;
      }
      case AVG -> {
        if (xs.isEmpty()) {
          yield null;
        }
        double s = 0;
        for (Object x : xs) {
          s += ((Number) x).doubleValue();
        }
        yield s / xs.size();
      }
      case MIN, MAX -> {
        boolean max = f.aggregation() == Aggregation.MAX;
        Object best = null;
        for (Object x : xs) {
          if (best == null || (max ? compare(x, best) > 0 : compare(x, best) < 0)) {
            best = x;
          }
        }
        yield best;
      }
      case FIRST, LAST -> {
        // the earliest (latest) event time; among events at that time, the smallest (largest)
        // value
        boolean last = f.aggregation() == Aggregation.LAST;
        Event best = null;
        Object bestV = null;
        for (int j = 0; j < in.size(); j++) {
          Event e = in.get(j);
          Object v = xs.get(j);
          int c =
              best == null
                  ? 0
                  : (e.ts() != best.ts() ? Long.compare(e.ts(), best.ts()) : compare(v, bestV));
          if (best == null || (last ? c > 0 : c < 0)) {
            best = e;
            bestV = v;
          }
        }
        yield bestV;
      }
      case APPROX_COUNT_DISTINCT -> {
        // The exact count of distinct values; values of different types differ (1, 1.0 and "1"
        // are three), as Long, Double and String equality say. The engine counts 64-bit hashes
        // of the values: the hash itself is pinned in state/ (DistinctHashTest).
        Set<Object> distinct = new HashSet<>(xs);
        yield (long) distinct.size();
      }
      case APPROX_PERCENTILE -> {
        if (xs.isEmpty()) {
          yield null;
        }
        double[] sorted =
            xs.stream().mapToDouble(x -> ((Number) x).doubleValue()).sorted().toArray();
        yield sorted[quantileRank(f.quantile(), sorted.length) - 1];
      }
      case DECAYED_SUM -> {
        double h = f.halfLife().toMillis();
        double s = 0;
        for (int j = 0; j < in.size(); j++) {
          s += ((Number) xs.get(j)).doubleValue() * Math.pow(2.0, -(t - in.get(j).ts()) / h);
        }
        yield s;
      }
      case VARIANCE, STDDEV -> {
        // population variance, in two passes: the mean, then the mean squared deviation from it
        if (xs.isEmpty()) {
          yield null;
        }
        double sum = 0;
        for (Object x : xs) {
          sum += ((Number) x).doubleValue();
        }
        double mean = sum / xs.size();
        double squares = 0;
        for (Object x : xs) {
          double d = ((Number) x).doubleValue() - mean;
          squares += d * d;
        }
        double variance = squares / xs.size();
        yield f.aggregation() == Aggregation.STDDEV ? Math.sqrt(variance) : variance;
      }
    };
  }

  /**
   * The documented value order: null, then booleans (false before true), then integers, then
   * floating numbers ({@code Double.compare}, so -0.0 before 0.0), then strings (UTF-16 code unit
   * order).
   */
  public static int compare(Object a, Object b) {
    int ta = typeRank(a);
    int tb = typeRank(b);
    if (ta != tb) {
      return ta < tb ? -1 : 1;
    }
    if (a instanceof Boolean x) {
      return x.equals(b) ? 0 : (x ? 1 : -1);
    } else if (a instanceof Long x) {
      long y = (Long) b;
      return x < y ? -1 : (x > y ? 1 : 0);
    } else if (a instanceof Double x) {
      return Double.compare(x, (Double) b);
    } else if (a instanceof String x) {
      String y = (String) b;
      for (int i = 0; i < Math.min(x.length(), y.length()); i++) {
        if (x.charAt(i) != y.charAt(i)) {
          return x.charAt(i) < y.charAt(i) ? -1 : 1;
        }
      }
      return Integer.compare(x.length(), y.length());
    }
    return 0; // both null
  }

  private static int typeRank(Object v) {
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
    throw new IllegalArgumentException("not a feature value: " + v.getClass().getName());
  }

  /**
   * The documented quantile rank, 1-based: the q-quantile of n values is the k-th smallest, k the
   * smallest count with {@code k >= q * n}, that is at least a fraction q of the values at or below
   * it; {@code q * n} within 1e-9 of a whole number counts as that number (0.28 x 25 is 7), and k
   * is at least 1.
   */
  public static int quantileRank(double q, int n) {
    double need = q * n;
    long k = (long) Math.ceil(need);
    if (k - 1 >= need - 1e-9) {
      k--; // need was a whole number k - 1 plus rounding noise
    }
    return (int) Math.max(1, Math.min(n, k));
  }

  /** Sorted values of a numeric feature's field in its window at t (for rank checks). */
  public double[] windowValues(FeatureDef f, List<Event> events, long t) {
    int idx = fields.indexOf(f.field());
    long g = f.tile().toMillis();
    long from = Math.floorDiv(t, g) * g - f.window().toMillis() + g;
    return events.stream()
        .filter(e -> e.ts() >= from && e.ts() <= t && e.values().get(idx) != null)
        .mapToDouble(e -> ((Number) e.values().get(idx)).doubleValue())
        .sorted()
        .toArray();
  }
}
