package io.freshet.state.agg;

import java.io.DataOutput;
import java.io.IOException;

/**
 * A mergeable partial aggregate: the state of one feature over one tile (or over an entity's
 * lifetime). Partials are mutable; {@link #copy()} before merging into one that must be kept.
 *
 * <p>Every implementation is order-independent for exact aggregations (count, integer sum, min,
 * max, first, last, distinct, percentile), so the result does not depend on the order in which
 * events were applied; floating sums are deterministic for a given order of application.
 */
public interface Partial {

  /** Adds one event's value (never null: the caller skips nulls, except for count). */
  void add(Object value, long eventTime);

  /** Merges another partial of the same kind into this one. */
  void merge(Partial other);

  /** The feature value at event time {@code t} (only decayed sums depend on t). */
  Object value(long t);

  /**
   * The value at {@code t} of this partial merged with {@code other}, leaving both unchanged: the
   * same as {@code copy().merge(other)} then {@code value(t)}, bit for bit. Cheap partials avoid
   * the copy.
   */
  default Object valueMergedWith(Partial other, long t) {
    Partial p = copy();
    p.merge(other);
    return p.value(t);
  }

  /**
   * Empties this partial, as if just created, so that its storage can serve a new tile; returns
   * false (and changes nothing) where a new partial is cheaper than emptying this one.
   */
  default boolean reset() {
    return false;
  }

  /** A deep copy. */
  Partial copy();

  /** The kind, used by the codec. */
  PartialKind kind();

  /**
   * Writes this partial's state, which its kind's reader reads back ({@link PartialKind}). Part of
   * the checkpoint format: changing what an existing kind writes needs a new {@code
   * io.freshet.state.StateCodec} version that still reads the old bytes.
   */
  void writeBody(DataOutput out) throws IOException;
}
