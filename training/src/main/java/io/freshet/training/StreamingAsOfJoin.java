package io.freshet.training;

import io.freshet.spec.ValueType;
import io.freshet.store.Expiry;
import java.util.List;

/**
 * {@link AsOfJoin}'s rule for one view and the spine rows of one bucket, applied while the history
 * streams past in any order: history rows are never held, only, for each spine row, the best
 * eligible row seen so far (its valid_from, revision, key, last_event_time and feature values).
 * Memory is the spine's, whatever the size of the history.
 *
 * <p>Spine rows are kept by (entity, timestamp), so a history row is eligible for a suffix of its
 * entity's spine rows, and the best row seen is non-decreasing along that suffix (every row
 * eligible for one spine row is eligible for the later ones). A history row therefore replaces the
 * best of the first eligible spine rows and stops at the first it does not beat: reading the newest
 * files first makes most rows stop at once.
 *
 * <p>Several reader threads each fill their own {@link State} (not thread-safe) and {@link
 * State#merge} them; the result does not depend on the order rows came in (up to exact duplicates,
 * see {@link AsOfJoin#supersedes}).
 */
final class StreamingAsOfJoin {
  private static final long NONE = Long.MIN_VALUE;

  private final List<ValueType> types;
  private final long ttlMillis;
  private final boolean inclusive;
  private final int size;
  private final int[] order; // position -> spine row
  private final int[] entityStart; // entity id -> its first position; [entities] = size
  private final long[] time; // position -> spine timestamp, ascending within an entity

  // A state's per-position record, in one long[] so that a history row reads one cache line.
  private static final int STRIDE = 5;
  private static final int TIME = 0; // the spine timestamp
  private static final int VALID_FROM = 1; // of the best row seen
  private static final int REVISION = 2; // NONE: no row yet
  private static final int KEY = 3;
  private static final int LAST = 4; // last_event_time

  // A history row laid out row by row, for State#offerRows.
  static final int ROW_KEY = 0;
  static final int ROW_VALID_FROM = 1;
  static final int ROW_LAST = 2;
  static final int ROW_REVISION = 3;
  static final int ROW_VALUES = 4;

  StreamingAsOfJoin(SpineRows spine, List<ValueType> types, long ttlMillis, boolean inclusive) {
    this.types = types;
    this.ttlMillis = ttlMillis;
    this.inclusive = inclusive;
    this.size = spine.size;
    this.order = spine.sorted();
    int entities = spine.entities.size();
    this.entityStart = new int[entities + 1];
    this.time = new long[size];
    for (int p = 0; p < size; p++) {
      int row = order[p];
      time[p] = spine.timestamp[row];
      entityStart[spine.entity[row] + 1]++;
    }
    for (int e = 0; e < entities; e++) {
      entityStart[e + 1] += entityStart[e];
    }
  }

  State newState() {
    return new State();
  }

  /** The best history row seen so far for every spine row. */
  final class State {
    /** Per position: {@link #STRIDE} longs, see {@link #TIME}. */
    private final long[] best = new long[STRIDE * size];

    /** The feature values of each position's best row. */
    final FeatureColumns values = new FeatureColumns(types, size);

    private State() {
      for (int p = 0; p < size; p++) {
        best[STRIDE * p + TIME] = time[p];
        best[STRIDE * p + REVISION] = NONE;
      }
    }

    /** Takes a batch of history rows; {@code batch.entity} holds ids of the spine's entities. */
    void offer(HistoryBatch batch) {
      for (int r = 0; r < batch.size; r++) {
        int e = batch.entity[r];
        if (e < 0) {
          continue;
        }
        int from = firstEligible(best, entityStart[e], entityStart[e + 1], batch.key[r]);
        int stop =
            claim(
                e,
                from,
                batch.key[r],
                batch.validFrom[r],
                batch.revision[r],
                batch.lastEventTime[r]);
        for (int p = from; p < stop; p++) {
          values.copy(batch.values, r, p);
        }
      }
    }

    /**
     * Takes history rows laid out row by row (see {@link PartitionedOffer}): row r is {@code rows[r
     * * stride ..]}: key, valid_from, last_event_time, revision, then its values as {@link
     * FeatureColumns#exportRow} wrote them at offset {@link #ROW_VALUES}, its strings at {@code
     * text[r * values.rowStrings() ..]}; {@code entity[r]} is an id of the spine's entities or -1.
     */
    void offerRows(int n, int[] entity, long[] rows, int stride, String[] text) {
      int strings = values.rowStrings();
      for (int r = 0; r < n; r++) {
        int e = entity[r];
        if (e < 0) {
          continue;
        }
        int at = r * stride;
        long k = rows[at + ROW_KEY];
        int from = firstEligible(best, entityStart[e], entityStart[e + 1], k);
        int stop =
            claim(
                e,
                from,
                k,
                rows[at + ROW_VALID_FROM],
                (int) rows[at + ROW_REVISION],
                rows[at + ROW_LAST]);
        for (int p = from; p < stop; p++) {
          values.importRow(rows, at + ROW_VALUES, text, r * strings, p);
        }
      }
    }

    /**
     * Makes a history row (key, valid_from, revision, last_event_time) the best row of entity e's
     * spine rows from {@code from} on, for as long as it supersedes theirs (the spine rows are in
     * key order, so the first it does not supersede ends the run); returns the end of that run. The
     * caller copies the row's values into the spine rows [from, returned).
     */
    private int claim(int e, int from, long k, long vf, int rev, long last) {
      int to = entityStart[e + 1];
      int p = from;
      for (; p < to; p++) {
        int o = STRIDE * p;
        if (best[o + REVISION] != NONE
            && !AsOfJoin.supersedes(
                vf, rev, k, best[o + VALID_FROM], (int) best[o + REVISION], best[o + KEY])) {
          break;
        }
        best[o + VALID_FROM] = vf;
        best[o + REVISION] = rev;
        best[o + KEY] = k;
        best[o + LAST] = last;
      }
      return p;
    }

    /** Takes another thread's state: each spine row keeps the better of the two rows. */
    void merge(State other) {
      long[] b = other.best;
      for (int p = 0; p < size; p++) {
        int o = STRIDE * p;
        if (b[o + REVISION] != NONE
            && (best[o + REVISION] == NONE
                || AsOfJoin.supersedes(
                    b[o + VALID_FROM],
                    (int) b[o + REVISION],
                    b[o + KEY],
                    best[o + VALID_FROM],
                    (int) best[o + REVISION],
                    best[o + KEY]))) {
          System.arraycopy(b, o, best, o, STRIDE);
          values.copy(other.values, p, p);
        }
      }
    }

    /**
     * For each spine row (by its index in the spine), the position in {@link #values} of its value,
     * or -1 for null: no eligible row, or one older than the ttl.
     */
    int[] chosen() {
      int[] chosen = new int[size];
      for (int p = 0; p < size; p++) {
        int o = STRIDE * p;
        boolean live =
            best[o + REVISION] != NONE
                && !Expiry.expired(best[o + LAST], best[o + TIME], ttlMillis);
        chosen[order[p]] = live ? p : -1;
      }
      return chosen;
    }
  }

  /**
   * The first position in [from, to) whose spine time (in a state's records) a history row of this
   * key may serve.
   */
  private int firstEligible(long[] best, int from, int to, long key) {
    int lo = from;
    int hi = to;
    if (hi - lo > 8) {
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        long t = best[STRIDE * mid + TIME];
        if (inclusive ? t < key : t <= key) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
    while (lo < hi) {
      long t = best[STRIDE * lo + TIME];
      if (inclusive ? t >= key : t > key) {
        break;
      }
      lo++;
    }
    return lo;
  }
}
