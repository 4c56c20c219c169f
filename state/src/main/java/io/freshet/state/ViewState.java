package io.freshet.state;

import io.freshet.state.agg.Partial;

/**
 * The state of one view for one entity: a {@link TiledFeature} per windowed feature and a {@link
 * Partial} per lifetime feature (in the view's feature order) and the last emitted vector. The
 * engine's timer lives with the pending events ({@link PendingEvents#wake}).
 */
public final class ViewState {
  /** Per feature: a TiledFeature (windowed) or a Partial (lifetime). */
  public final Object[] features;

  /** Newest event time applied; TTL is measured from it. */
  public long lastEventTime = Long.MIN_VALUE;

  /**
   * The event time the state was last brought to (tiles pruned, vector read), emitted or not; a
   * late event corrects the vector as of this time. Long.MIN_VALUE if never.
   */
  public long evaluatedAt = Long.MIN_VALUE;

  /** valid_from of the last emitted update, or Long.MIN_VALUE if none. */
  public long lastValidFrom = Long.MIN_VALUE;

  /** Revision of the last emitted update at {@link #lastValidFrom} (corrections count up). */
  public int lastRevision;

  /** The last emitted vector, or null if none. */
  public Object[] lastValues;

  /**
   * Bit i set: {@link #lastValues} still holds feature i (i < 64): no event added, no tile dropped
   * since it was computed (and the value does not depend on time). A field, not an array, so that a
   * wake-up reads one object less; features from the 65th on are always recomputed. Derived data:
   * never serialized or copied (0 means recompute every feature).
   */
  public long unchanged;

  /**
   * The engine's cached next window exit, or Long.MIN_VALUE when unknown (events were applied or
   * tiles dropped since). Derived data: never serialized or copied.
   */
  public long nextExit = Long.MIN_VALUE;

  /**
   * Per feature, when its oldest tile leaves its window (Long.MAX_VALUE for a lifetime feature or
   * an empty window), so that a wake-up reads one array instead of every feature; null when not yet
   * known. Derived data: never serialized or copied.
   */
  public long[] exits;

  /**
   * Per feature, the event time until which its value reads null because it was added to saved
   * state and its window has not yet passed ({@link ViewLayout}); Long.MIN_VALUE for a feature that
   * is not warming up; null when none is.
   */
  public long[] warmUntil;

  /**
   * The layout the features are in: the one of the serializer that read the state, or of the engine
   * that made it; null for a state read from format version 3 before it is matched to a spec. Not
   * serialized per state: a serializer's snapshot records its layout once.
   */
  public ViewLayout layout;

  public ViewState(Object[] features) {
    this.features = features;
  }

  public ViewState copy() {
    Object[] f = new Object[features.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = features[i] instanceof TiledFeature t ? t.copy() : ((Partial) features[i]).copy();
    }
    ViewState c = new ViewState(f);
    c.lastEventTime = lastEventTime;
    c.lastValidFrom = lastValidFrom;
    c.evaluatedAt = evaluatedAt;
    c.lastRevision = lastRevision;
    c.lastValues = lastValues == null ? null : lastValues.clone();
    c.warmUntil = warmUntil == null ? null : warmUntil.clone();
    c.layout = layout;
    return c;
  }
}
