package io.freshet.serving;

/** What a served feature value is. */
public enum FeatureStatus {
  /** The entity has a current value: its last event is within the view's ttl. */
  PRESENT,
  /**
   * The entity had a value, but its last event is older than the view's ttl ({@code now -
   * last_event_time > ttl}): the same rule that makes the value null in training sets. The value is
   * withheld (null).
   */
  EXPIRED,
  /**
   * The feature was added to a view whose job resumed from saved state, and its window has not yet
   * passed since for this entity: its value is withheld (null) rather than computed from a shorter
   * window. Training sets read such a value as null too (docs/semantics.md).
   */
  WARMING_UP,
  /**
   * No value: the entity was never seen (or its expired row was dropped), or the feature has no
   * value yet (e.g. an average over no events, or a feature added after the row was written).
   */
  MISSING
}
