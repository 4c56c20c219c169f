package io.freshet.operators.features;

import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.ViewSpec;
import io.freshet.state.TiledFeature;
import io.freshet.state.ViewLayout;
import io.freshet.state.ViewState;
import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.Partials;
import io.freshet.state.agg.Values;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The feature maths of one view, on one entity's {@link ViewState}: apply events, let tiles leave
 * their windows, read the vector at an event time. Plain Java, shared by the streaming job,
 * backfills and tests. Semantics: docs/semantics.md.
 */
public final class ViewEngine {
  private final ViewSpec view;
  private final ViewLayout layout;
  private final FeatureDef[] defs;
  private final int[] fieldIndex; // per feature, index into the event values, -1 for count
  private final Supplier<Partial>[] empties;
  private final PartialKind[] kinds;
  // ViewState.unchanged after values(): every feature but those that change with time alone
  // (decayed sums) and those past the 64th
  private final long keptAfterRead;

  /**
   * Orders events of one entity that share an event time by their values, so that the order in
   * which they are applied (and hence floating sums) does not depend on arrival order.
   */
  public static final Comparator<List<Object>> SAME_TIME_ORDER =
      (a, b) -> {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
          int c = Values.compare(a.get(i), b.get(i));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(a.size(), b.size());
      };

  @SuppressWarnings("unchecked")
  public ViewEngine(ViewSpec view, SourceFields fields) {
    this.view = view;
    this.layout = ViewLayout.of(view);
    this.defs = view.features().toArray(new FeatureDef[0]);
    this.fieldIndex = new int[defs.length];
    this.empties = new Supplier[defs.length];
    this.kinds = new PartialKind[defs.length];
    long kept = 0;
    for (int i = 0; i < defs.length; i++) {
      FeatureDef f = defs[i];
      fieldIndex[i] = f.field() == null ? -1 : fields.indexOf(f.field());
      if (f.field() != null && fieldIndex[i] < 0) {
        throw new IllegalArgumentException("field " + f.field() + " is not a source field");
      }
      empties[i] = () -> Partials.create(f);
      kinds[i] = empties[i].get().kind();
      if (i < 64 && f.aggregation() != Aggregation.DECAYED_SUM) {
        kept |= 1L << i;
      }
    }
    this.keptAfterRead = kept;
  }

  public ViewSpec view() {
    return view;
  }

  public int featureCount() {
    return defs.length;
  }

  /** The order of the features in the states this engine makes and reads. */
  public ViewLayout layout() {
    return layout;
  }

  public ViewState newState() {
    Object[] features = new Object[defs.length];
    for (int i = 0; i < defs.length; i++) {
      FeatureDef f = defs[i];
      features[i] =
          f.isLifetime()
              ? empties[i].get()
              : TiledFeature.create(f.window().toMillis(), f.tile().toMillis(), kinds[i]);
    }
    ViewState s = new ViewState(features);
    s.layout = layout;
    return s;
  }

  /** Applies one event. Null field values are skipped (count counts every event). */
  public void apply(ViewState s, long eventTime, List<Object> values) {
    for (int i = 0; i < defs.length; i++) {
      Object v = fieldIndex[i] < 0 ? Boolean.TRUE : values.get(fieldIndex[i]);
      if (v == null) {
        continue;
      }
      Object f = s.features[i];
      if (f instanceof TiledFeature t) {
        t.add(v, eventTime, empties[i]);
        if (s.exits != null) {
          s.exits[i] = exit(s, i);
        }
      } else {
        ((Partial) f).add(v, eventTime);
      }
      if (i < 64) {
        s.unchanged &= ~(1L << i);
      }
    }
    if (eventTime > s.lastEventTime) {
      s.lastEventTime = eventTime;
    }
    s.nextExit = Long.MIN_VALUE;
  }

  /**
   * Drops every tile that has left its window at time t, and ends the warm-ups due by t.
   *
   * @return whether a warm-up ended: the vector then differs from the last emitted one in its
   *     {@link #warming} list even where the feature's value is still null
   */
  public boolean prune(ViewState s, long t) {
    if (t < s.nextExit) {
      return false; // known: no tile leaves before s.nextExit (Long.MIN_VALUE when unknown)
    }
    boolean warmed = false;
    long[] exits = exits(s);
    for (int i = 0; i < exits.length; i++) {
      // a tile leaves or a warm-up ends: only such features are read (a lifetime feature's exit
      // is Long.MAX_VALUE)
      if (exits[i] <= t) {
        if (s.features[i] instanceof TiledFeature tf) {
          tf.prune(t);
        }
        if (s.warmUntil != null && s.warmUntil[i] != Long.MIN_VALUE && s.warmUntil[i] <= t) {
          s.warmUntil[i] = Long.MIN_VALUE;
          warmed = true;
          if (java.util.Arrays.stream(s.warmUntil).allMatch(w -> w == Long.MIN_VALUE)) {
            s.warmUntil = null; // warmed up: values() may keep unchanged features again
          }
        }
        exits[i] = exit(s, i);
        s.nextExit = Long.MIN_VALUE;
        if (i < 64) {
          s.unchanged &= ~(1L << i);
        }
      }
    }
    return warmed;
  }

  /**
   * When feature i next changes with time alone: its oldest tile leaves its window, or its warm-up
   * ends ({@link ViewState#warmUntil}); Long.MAX_VALUE if neither.
   */
  private static long exit(ViewState s, int i) {
    long exit = s.features[i] instanceof TiledFeature tf ? tf.nextExit() : Long.MAX_VALUE;
    if (s.warmUntil != null && s.warmUntil[i] != Long.MIN_VALUE) {
      exit = Math.min(exit, s.warmUntil[i]);
    }
    return exit;
  }

  /** The state's per-feature exits ({@link ViewState#exits}), computed if not known. */
  private static long[] exits(ViewState s) {
    long[] exits = s.exits;
    if (exits == null) {
      exits = s.exits = new long[s.features.length];
      for (int i = 0; i < exits.length; i++) {
        exits[i] = exit(s, i);
      }
    }
    return exits;
  }

  /**
   * The feature vector at event time t; call {@link #prune} to t first. A feature with no event
   * added and no tile dropped since the previous call is taken from {@link ViewState#lastValues},
   * so the caller must keep that equal to the vector this returns (emit it, or keep an equal one).
   */
  public Object[] values(ViewState s, long t) {
    Object[] out = new Object[defs.length];
    Object[] last = s.lastValues;
    long unchanged = last == null ? 0 : s.unchanged;
    for (int i = 0; i < defs.length; i++) {
      if (i < 64 && (unchanged & (1L << i)) != 0) {
        out[i] = last[i];
        continue;
      }
      Object f = s.features[i];
      out[i] = f instanceof TiledFeature tf ? tf.value(t, empties[i]) : ((Partial) f).value(t);
    }
    long[] warm = s.warmUntil;
    if (warm != null) {
      // added to saved state: null until its window has passed (ViewLayout)
      for (int i = 0; i < warm.length; i++) {
        if (warm[i] != Long.MIN_VALUE && t < warm[i]) {
          out[i] = null;
        }
      }
    }
    s.unchanged = warm == null ? keptAfterRead : 0;
    return out;
  }

  /**
   * The names of the features still warming up at time t (added to saved state: {@link #values}
   * reads them null), in the view's order; an empty list when none is.
   */
  public List<String> warming(ViewState s, long t) {
    long[] warm = s.warmUntil;
    if (warm == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < warm.length; i++) {
      if (warm[i] != Long.MIN_VALUE && t < warm[i]) {
        out.add(defs[i].name());
      }
    }
    return out.isEmpty() ? List.of() : List.copyOf(out);
  }

  /**
   * The next event time at which a non-empty tile leaves a window (and so a value may change), or
   * Long.MAX_VALUE if no tile is left. Call {@link #prune} first.
   */
  public long nextExit(ViewState s) {
    if (s.nextExit != Long.MIN_VALUE) {
      return s.nextExit;
    }
    long next = Long.MAX_VALUE;
    for (long exit : exits(s)) {
      next = Math.min(next, exit);
    }
    return s.nextExit = next;
  }
}
