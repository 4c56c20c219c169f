package io.freshet.training;

import java.util.Arrays;

/**
 * The point-in-time rule for one entity of one view, for engines that see one entity's rows at a
 * time (the Flink batch job, per key): add the entity's spine timestamps and history rows in any
 * order, then {@link #join} sorts them and applies {@link AsOfJoin#joinEntity}, the same function
 * the in-process builder calls. Reusable: {@link #clear} between entities. Not thread-safe.
 */
public final class EntityAsOfJoin {
  private final long ttlMillis;
  private final boolean inclusive;
  private int spineSize;
  private long[] spineTime = new long[16];
  private int historySize;
  private long[] key = new long[16];
  private long[] validFrom = new long[16];
  private int[] revision = new int[16];
  private long[] lastEventTime = new long[16];

  /**
   * @param ttlMillis the view's ttl: a value whose last_event_time is more than this before the
   *     spine timestamp is null
   * @param inclusive history rows at exactly the spine timestamp count (else strictly before)
   */
  public EntityAsOfJoin(long ttlMillis, boolean inclusive) {
    this.ttlMillis = ttlMillis;
    this.inclusive = inclusive;
  }

  /** Forgets the rows added, keeping the buffers. */
  public void clear() {
    spineSize = 0;
    historySize = 0;
  }

  /**
   * Adds a spine row.
   *
   * @return its index (0, 1, 2, ... in the order added)
   */
  public int addSpine(long timestamp) {
    if (spineSize == spineTime.length) {
      spineTime = Arrays.copyOf(spineTime, spineSize * 2);
    }
    spineTime[spineSize] = timestamp;
    return spineSize++;
  }

  /**
   * Adds a history row of the entity.
   *
   * @param key valid_from, or written_at when as-served
   * @return its index (0, 1, 2, ... in the order added)
   */
  public int addHistory(long key, long validFrom, int revision, long lastEventTime) {
    if (historySize == this.key.length) {
      int n = historySize * 2;
      this.key = Arrays.copyOf(this.key, n);
      this.validFrom = Arrays.copyOf(this.validFrom, n);
      this.revision = Arrays.copyOf(this.revision, n);
      this.lastEventTime = Arrays.copyOf(this.lastEventTime, n);
    }
    this.key[historySize] = key;
    this.validFrom[historySize] = validFrom;
    this.revision[historySize] = revision;
    this.lastEventTime[historySize] = lastEventTime;
    return historySize++;
  }

  /**
   * @return for each spine row (by index), the index of the chosen history row, or -1 for null
   */
  public int[] join() {
    int[] s = IntSort.identity(spineSize);
    IntSort.sort(s, (a, b) -> Long.compare(spineTime[a], spineTime[b]));
    int[] h = IntSort.identity(historySize);
    IntSort.sort(
        h,
        (a, b) ->
            AsOfJoin.compareHistory(
                key[a], validFrom[a], revision[a], key[b], validFrom[b], revision[b]));
    int[] chosen = new int[spineSize];
    AsOfJoin.joinEntity(
        s,
        0,
        spineSize,
        spineTime,
        h,
        0,
        historySize,
        key,
        validFrom,
        revision,
        lastEventTime,
        ttlMillis,
        inclusive,
        chosen);
    return chosen;
  }
}
