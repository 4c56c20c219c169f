package io.freshet.operators.features;

import io.freshet.spec.FeatureDef;
import io.freshet.spec.ViewSpec;
import io.freshet.state.agg.DistinctPartial;
import io.freshet.state.agg.PercentilePartial;
import io.freshet.state.agg.Values;
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
 * since it last went silent for longer than the view's ttl. Null values are skipped.
 */
public final class NaiveOracle {
  private final ViewSpec view;
  private final SourceFields fields;

  /** One raw event of one entity. */
  public record Event(long ts, List<Object> values) {}

  public NaiveOracle(ViewSpec view, SourceFields fields) {
    this.view = view;
    this.fields = fields;
  }

  /** The feature vector at time t, given every accepted event of the entity (any order). */
  public Object[] vector(List<Event> events, long t) {
    List<Event> upTo = new ArrayList<>();
    for (Event e : events) {
      if (e.ts() <= t) {
        upTo.add(e);
      }
    }
    upTo.sort(Comparator.comparingLong(Event::ts));
    long ttl = view.ttl().toMillis();
    long sessionStart = Long.MIN_VALUE;
    for (int i = 1; i < upTo.size(); i++) {
      if (upTo.get(i).ts() - upTo.get(i - 1).ts() > ttl) {
        sessionStart = upTo.get(i).ts();
      }
    }
    Object[] out = new Object[view.features().size()];
    for (int i = 0; i < out.length; i++) {
      FeatureDef f = view.features().get(i);
      long from;
      if (f.isLifetime()) {
        from = sessionStart;
      } else {
        long g = f.tile().toMillis();
        from = Math.floorDiv(t, g) * g - f.window().toMillis() + g;
      }
      int idx = f.field() == null ? -1 : fields.indexOf(f.field());
      List<Event> in = new ArrayList<>();
      List<Object> xs = new ArrayList<>();
      for (Event e : upTo) {
        if (e.ts() >= from) {
          Object v = idx < 0 ? Boolean.TRUE : e.values().get(idx);
          if (v != null) {
            in.add(e);
            xs.add(v);
          }
        }
      }
      out[i] = aggregate(f, in, xs, t);
    }
    return out;
  }

  private static Object aggregate(FeatureDef f, List<Event> in, List<Object> xs, long t) {
    boolean isLong = f.inputType() == io.freshet.spec.ValueType.LONG;
    switch (f.aggregation()) {
      case COUNT:
        return (long) xs.size();
      case SUM:
        if (isLong) {
          long s = 0;
          for (Object x : xs) {
            s += (Long) x;
          }
          return s;
        } else {
          double s = 0;
          for (Object x : xs) {
            s += ((Number) x).doubleValue();
          }
          return s;
        }
      case AVG:
        {
          if (xs.isEmpty()) {
            return null;
          }
          double s = 0;
          for (Object x : xs) {
            s += ((Number) x).doubleValue();
          }
          return s / xs.size();
        }
      case MIN:
      case MAX:
        {
          Object best = null;
          for (Object x : xs) {
            int c = best == null ? 0 : Values.compare(x, best);
            if (best == null
                || (f.aggregation() == io.freshet.spec.Aggregation.MAX ? c > 0 : c < 0)) {
              best = x;
            }
          }
          return best;
        }
      case FIRST:
      case LAST:
        {
          boolean last = f.aggregation() == io.freshet.spec.Aggregation.LAST;
          Event best = null;
          Object bestV = null;
          for (int j = 0; j < in.size(); j++) {
            Event e = in.get(j);
            Object v = xs.get(j);
            int c =
                best == null
                    ? 0
                    : (e.ts() != best.ts()
                        ? Long.compare(e.ts(), best.ts())
                        : Values.compare(v, bestV));
            if (best == null || (last ? c > 0 : c < 0)) {
              best = e;
              bestV = v;
            }
          }
          return bestV;
        }
      case APPROX_COUNT_DISTINCT:
        {
          Set<Long> hashes = new HashSet<>();
          for (Object x : xs) {
            hashes.add(DistinctPartial.hash(x));
          }
          return (long) hashes.size();
        }
      case APPROX_PERCENTILE:
        {
          if (xs.isEmpty()) {
            return null;
          }
          double[] sorted =
              xs.stream().mapToDouble(x -> ((Number) x).doubleValue()).sorted().toArray();
          return sorted[PercentilePartial.exactIndex(f.quantile(), sorted.length)];
        }
      case DECAYED_SUM:
        {
          double h = f.halfLife().toMillis();
          double s = 0;
          for (int j = 0; j < in.size(); j++) {
            s += ((Number) xs.get(j)).doubleValue() * Math.pow(2.0, -(t - in.get(j).ts()) / h);
          }
          return s;
        }
      default:
        throw new IllegalStateException("unhandled " + f.aggregation());
    }
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
