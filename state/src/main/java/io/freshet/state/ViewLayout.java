package io.freshet.state;

import io.freshet.spec.FeatureDef;
import io.freshet.spec.ViewSpec;
import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.Partials;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The features of a view in the order its {@link ViewState}s hold them: per position, the feature's
 * name and definition. Saved state is matched to the spec through it by name and definition, never
 * by position:
 *
 * <ul>
 *   <li>a feature in both (same name, same definition) keeps its state, wherever it moved;
 *   <li>a feature only in the spec starts empty and is <em>warming up</em> for each entity until
 *       its window (plus one tile) has passed since the state it joins was last evaluated: its
 *       value reads null until then, never a silently short window (a lifetime feature warms up
 *       until the entity starts over after a silence longer than the ttl);
 *   <li>a feature only in the saved state is dropped (its column stays in the stores, null from
 *       then on);
 *   <li>a feature whose definition changed under the same name is refused ({@link
 *       SavedStateMismatch}): a new definition is a new feature and needs a new name.
 * </ul>
 *
 * A layout read back from a checkpoint ({@link #read}) knows names and definitions only; one built
 * from the spec ({@link #of}) can also create the empty state of a feature.
 */
public final class ViewLayout implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One feature: its name and its definition without the name ({@link FeatureDef#definition}). */
  public record Slot(String name, String definition) implements Serializable {}

  /** A spec change that saved state cannot follow; the message says what to do. */
  public static final class SavedStateMismatch extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public SavedStateMismatch(String message) {
      super(message);
    }
  }

  private final String view;
  private final List<Slot> slots;
  private final List<FeatureDef> defs; // null for a layout read back from a checkpoint

  private ViewLayout(String view, List<Slot> slots, List<FeatureDef> defs) {
    this.view = view;
    this.slots = List.copyOf(slots);
    this.defs = defs == null ? null : List.copyOf(defs);
  }

  /** The layout of a view of the spec. */
  public static ViewLayout of(ViewSpec view) {
    List<Slot> slots = new ArrayList<>();
    for (FeatureDef f : view.features()) {
      slots.add(new Slot(f.name(), f.definition()));
    }
    return new ViewLayout(view.name(), slots, view.features());
  }

  public String view() {
    return view;
  }

  public List<Slot> slots() {
    return slots;
  }

  /** Writes the view's name and every slot (for serializer snapshots). */
  public void write(DataOutput out) throws IOException {
    out.writeUTF(view);
    out.writeInt(slots.size());
    for (Slot s : slots) {
      out.writeUTF(s.name());
      out.writeUTF(s.definition());
    }
  }

  public static ViewLayout read(DataInput in) throws IOException {
    String view = in.readUTF();
    int n = in.readInt();
    List<Slot> slots = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      slots.add(new Slot(in.readUTF(), in.readUTF()));
    }
    return new ViewLayout(view, slots, null);
  }

  /**
   * For each feature of this layout, its position in {@code saved}, or -1 for a feature the saved
   * state does not have.
   *
   * @throws SavedStateMismatch if a feature of both has changed its definition
   */
  public int[] positionsIn(ViewLayout saved) {
    Map<String, Integer> byName = new HashMap<>();
    for (int i = 0; i < saved.slots.size(); i++) {
      byName.put(saved.slots.get(i).name(), i);
    }
    int[] at = new int[slots.size()];
    for (int i = 0; i < at.length; i++) {
      Slot s = slots.get(i);
      Integer j = byName.get(s.name());
      if (j == null) {
        at[i] = -1;
        continue;
      }
      String before = saved.slots.get(j).definition();
      if (!before.equals(s.definition())) {
        throw new SavedStateMismatch(
            "feature "
                + s.name()
                + " of view "
                + view
                + " is defined as "
                + s.definition()
                + " in the spec, but the saved state computed it as "
                + before
                + ": a changed definition is a new feature. Give it a new name (the old one may be"
                + " removed), or start without the saved state (freshet run --from-earliest).");
      }
      at[i] = j;
    }
    return at;
  }

  /**
   * The state in this layout: {@code s} itself if it is in it already, else a new state that takes
   * over the features the two layouts share (see the class comment). A state read from format
   * version 3, which recorded no names, is taken position by position if its features have the
   * spec's shapes, and refused otherwise.
   */
  public ViewState adopt(ViewState s) {
    if (s == null || s.layout == this) {
      return s;
    }
    if (s.layout != null && s.layout.slots.equals(slots)) {
      s.layout = this;
      return s;
    }
    requireDefs();
    int[] from = s.layout == null ? positional(s) : positionsIn(s.layout);
    Object[] features = new Object[from.length];
    Object[] last = s.lastValues == null ? null : new Object[from.length];
    long[] warm = null;
    for (int i = 0; i < from.length; i++) {
      FeatureDef f = defs.get(i);
      int j = from[i];
      if (j >= 0) {
        features[i] = s.features[j];
        if (last != null) {
          last[i] = s.lastValues[j];
        }
        if (s.warmUntil != null && s.warmUntil[j] != Long.MIN_VALUE) {
          warm = warm != null ? warm : newWarm(from.length);
          warm[i] = s.warmUntil[j];
        }
      } else {
        features[i] = empty(f);
        warm = warm != null ? warm : newWarm(from.length);
        warm[i] =
            f.isLifetime() || s.evaluatedAt == Long.MIN_VALUE
                ? Long.MAX_VALUE
                : s.evaluatedAt + f.windowMillis() + f.tileMillis();
      }
    }
    ViewState t = new ViewState(features);
    t.lastEventTime = s.lastEventTime;
    t.lastValidFrom = s.lastValidFrom;
    t.lastRevision = s.lastRevision;
    t.evaluatedAt = s.evaluatedAt;
    t.lastValues = last;
    t.warmUntil = warm;
    t.layout = this;
    return t;
  }

  private static long[] newWarm(int n) {
    long[] w = new long[n];
    Arrays.fill(w, Long.MIN_VALUE);
    return w;
  }

  /** The empty state of feature i. */
  public Object empty(int i) {
    requireDefs();
    return empty(defs.get(i));
  }

  private static Object empty(FeatureDef f) {
    Partial p = Partials.create(f);
    return f.isLifetime() ? p : TiledFeature.create(f.windowMillis(), f.tileMillis(), p.kind());
  }

  /** A version-3 state (no names): position by position, if every feature has the spec's shape. */
  private int[] positional(ViewState s) {
    boolean same = s.features.length == defs.size();
    for (int i = 0; same && i < defs.size(); i++) {
      FeatureDef f = defs.get(i);
      Object g = s.features[i];
      PartialKind kind = Partials.create(f).kind();
      same =
          f.isLifetime()
              ? g instanceof Partial p && p.kind() == kind
              : g instanceof TiledFeature t
                  && t.kind == kind
                  && t.windowMillis == f.windowMillis()
                  && t.tileMillis == f.tileMillis();
    }
    if (!same) {
      throw new SavedStateMismatch(
          "the saved state of view "
              + view
              + " was written by state format version 3, which records no feature names, and its"
              + " features do not match the spec's: restore it with the spec that wrote it, stop"
              + " that job with a savepoint (written in the current format, with names), then"
              + " change the spec and restore that savepoint.");
    }
    int[] at = new int[defs.size()];
    Arrays.setAll(at, i -> i);
    return at;
  }

  private void requireDefs() {
    if (defs == null) {
      throw new IllegalStateException("a layout read from a checkpoint cannot create state");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ViewLayout l && l.view.equals(view) && l.slots.equals(slots);
  }

  @Override
  public int hashCode() {
    return Objects.hash(view, slots);
  }

  @Override
  public String toString() {
    return view + slots;
  }
}
