package io.freshet.training;

/**
 * The point-in-time rule, the one function every engine calls (the in-process builder per bucket,
 * the Flink batch job per key through {@link EntityAsOfJoin}): for each spine row, the newest
 * history row of its entity whose key (valid_from, or written_at when as-served) is strictly before
 * the spine timestamp (at or before when inclusive); "newest" is the greatest (valid_from,
 * revision) among those rows. No row, or a row whose last_event_time is more than the ttl before
 * the spine timestamp, gives null: the rule by which serving reports EXPIRED.
 *
 * <p>Plain Java, no Flink: it works on primitive columns and index permutations.
 */
public final class AsOfJoin {
  private AsOfJoin() {}

  /**
   * The order in which the rule walks an entity's history rows: by key (valid_from, or written_at
   * when as-served), then valid_from, then revision.
   */
  public static int compareHistory(
      long keyA, long validFromA, int revisionA, long keyB, long validFromB, int revisionB) {
    int c = Long.compare(keyA, keyB);
    if (c != 0) {
      return c;
    }
    c = Long.compare(validFromA, validFromB);
    return c != 0 ? c : Integer.compare(revisionA, revisionB);
  }

  /**
   * The rule for the rows of one entity.
   *
   * @param spineOrder {@code spineOrder[sFrom..sTo)} are the entity's spine rows (indexes into
   *     {@code spineTime}) by ascending timestamp
   * @param historyOrder {@code historyOrder[hFrom..hTo)} are the entity's history rows (indexes
   *     into the history columns) in {@link #compareHistory} order
   * @param chosen receives, at each of those spine rows' index, the chosen history row's index or
   *     -1 for null
   */
  public static void joinEntity(
      int[] spineOrder,
      int sFrom,
      int sTo,
      long[] spineTime,
      int[] historyOrder,
      int hFrom,
      int hTo,
      long[] key,
      long[] validFrom,
      int[] revision,
      long[] lastEventTime,
      long ttlMillis,
      boolean inclusive,
      int[] chosen) {
    int hp = hFrom;
    int best = -1;
    for (int i = sFrom; i < sTo; i++) {
      int si = spineOrder[i];
      long t = spineTime[si];
      while (hp < hTo) {
        int r = historyOrder[hp];
        long k = key[r];
        if (inclusive ? k > t : k >= t) {
          break;
        }
        if (best < 0
            || validFrom[r] > validFrom[best]
            || (validFrom[r] == validFrom[best] && revision[r] >= revision[best])) {
          best = r;
        }
        hp++;
      }
      chosen[si] = best >= 0 && t - lastEventTime[best] <= ttlMillis ? best : -1;
    }
  }

  /**
   * The rule on the sorted rows of one bucket (many entities).
   *
   * @return for each spine row (by its index in {@code spine}), the chosen history row or -1
   */
  static int[] join(SpineRows spine, HistoryRows history, long ttlMillis, boolean inclusive) {
    int[] chosen = new int[spine.size];
    int[] s = spine.sorted();
    int[] h = history.sorted(spine.entityIds.size());
    int hp = 0;
    int sp = 0;
    while (sp < s.length) {
      int e = spine.entity[s[sp]];
      int sEnd = sp + 1;
      while (sEnd < s.length && spine.entity[s[sEnd]] == e) {
        sEnd++;
      }
      while (hp < h.length && history.entity[h[hp]] < e) {
        hp++;
      }
      int hEnd = hp;
      while (hEnd < h.length && history.entity[h[hEnd]] == e) {
        hEnd++;
      }
      joinEntity(
          s,
          sp,
          sEnd,
          spine.timestamp,
          h,
          hp,
          hEnd,
          history.key,
          history.validFrom,
          history.revision,
          history.lastEventTime,
          ttlMillis,
          inclusive,
          chosen);
      sp = sEnd;
      hp = hEnd;
    }
    return chosen;
  }
}
