package io.freshet.connectors.cassandra;

/**
 * The write timestamp and TTL of an update: what makes online writes idempotent and monotonic.
 *
 * <p>Timestamp: {@code valid_from * 1,000,000 + min(revision, 999) * 1,000 + epoch % 1,000}, where
 * the epoch is the writer's ({@link WriterEpochs}: a per-view counter in Cassandra that every
 * writer, each subtask of each attempt of each job, increments when it opens). Cassandra keeps, per
 * cell, the write with the highest timestamp, so a reordered retry or a replayed older update never
 * overwrites a newer one, a duplicate is a no-op, and a correction (same valid_from, higher
 * revision) wins over the vector it corrects. Two writes of one valid_from and revision by
 * different writers (a failed attempt, then its replay after the restore, which may have classified
 * a late event otherwise and computed another vector) differ in the epoch, so the later writer's
 * vector wins whole: without it they would share a timestamp and Cassandra would keep the larger
 * value cell by cell, a row of two vectors. Revisions above 999 of one valid_from by one writer
 * share a timestamp (then Cassandra keeps the larger value per cell); epochs repeat every 1,000
 * writer openings of a view. The timestamp is not a time: the scale leaves room for both slots
 * until valid_from reaches the year 2262 (later ones saturate), and a row written before this scale
 * (valid_from * 1,000 + revision) loses to any write after it.
 *
 * <p>TTL: a vector expires {@code ttl} after its {@code last_event_time}, in wall-clock terms at
 * {@code last_event_time + ttl}. Readers call it EXPIRED from then on; Cassandra keeps it for
 * {@code retention} more so they can tell EXPIRED from MISSING, then drops it. The TTL is the time
 * left until then, rounded up to whole seconds, at most Cassandra's maximum (20 years) and never
 * past {@link #LAST_EXPIRY_SECONDS} (Cassandra refuses a write whose cells would expire after
 * 2038-01-19: its expiry times are 32-bit seconds), so a view whose ttl plus retention reaches
 * beyond that has its vectors dropped a day before then instead of failing every write. An update
 * that is already past that point (an old update replayed long after) is not written at all: a TTL
 * of 0 would mean "forever", and there is nothing to keep.
 */
public final class WriteVersion {
  /** Cassandra's largest TTL (20 years), in seconds. */
  public static final int MAX_TTL_SECONDS = 630_720_000;

  /**
   * The latest expiry, in epoch seconds, a TTL may reach: a day before Cassandra's 32-bit limit
   * (2038-01-19T03:14:07Z), for the node's clock running ahead of the writer's.
   */
  public static final long LAST_EXPIRY_SECONDS = Integer.MAX_VALUE - 86_400L;

  /** Revisions beyond this share the last revision slot of their valid_from. */
  public static final int MAX_REVISION_SLOT = 999;

  /** Writer epochs per revision slot; epochs repeat modulo this. */
  public static final int EPOCHS = 1_000;

  /** Timestamp units per millisecond of valid_from: a revision slot of {@link #EPOCHS} epochs. */
  static final long PER_MILLI = (MAX_REVISION_SLOT + 1L) * EPOCHS;

  private WriteVersion() {}

  /**
   * The write timestamp of an update of {@code validFromMillis} and {@code revision} by the writer
   * of {@code epoch}.
   */
  public static long timestamp(long validFromMillis, int revision, long epoch) {
    long slot =
        Math.max(0, Math.min(revision, MAX_REVISION_SLOT)) * (long) EPOCHS
            + Math.floorMod(epoch, EPOCHS);
    long max = (Long.MAX_VALUE - PER_MILLI) / PER_MILLI;
    long min = Long.MIN_VALUE / PER_MILLI + 1;
    return Math.max(min, Math.min(max, validFromMillis)) * PER_MILLI + slot;
  }

  /**
   * The TTL in seconds (at least 1), or 0 when the update is already gone and must not be written.
   */
  public static int ttlSeconds(
      long lastEventTimeMillis, long viewTtlMillis, long retentionMillis, long nowMillis) {
    long dropAt = saturatedAdd(saturatedAdd(lastEventTimeMillis, viewTtlMillis), retentionMillis);
    long left = dropAt - nowMillis;
    if (left <= 0) {
      return 0;
    }
    long seconds = left / 1000 + (left % 1000 == 0 ? 0 : 1);
    long untilLastExpiry = LAST_EXPIRY_SECONDS - Math.floorDiv(nowMillis, 1000);
    return (int) Math.max(1, Math.min(Math.min(seconds, MAX_TTL_SECONDS), untilLastExpiry));
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
