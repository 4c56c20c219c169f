package io.freshet.training;

import io.freshet.store.Expiry;

/**
 * The point-in-time rule, stated once for every engine: {@link #joinEntity} walks one entity's
 * sorted rows (the Flink batch job, per key through {@link EntityAsOfJoin}); {@link #supersedes} is
 * the same choice for rows that stream past in any order (the in-process builder, through {@code
 * StreamingAsOfJoin}); EntityAsOfJoinTest holds the two to a naive scan. For each spine row, the
 * newest history row of its entity whose key (valid_from, or written_at when as-served) is strictly
 * before the spine timestamp (at or before when inclusive); "newest" is the greatest (valid_from,
 * revision) among those rows. No row, or a row whose last_event_time is more than the ttl before
 * the spine timestamp ({@link Expiry}), gives null: the rule by which serving reports EXPIRED.
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
   * The same rule for history rows that arrive in any order (the in-process builder's streaming
   * join): of two history rows both eligible for a spine row, whether row A is the one the rule
   * picks over row B. {@link #joinEntity}'s walk keeps, among the eligible rows, the last one in
   * {@link #compareHistory} order that has the greatest (valid_from, revision): that is the
   * greatest (valid_from, revision, key). Rows equal in all three are duplicates; either may be
   * kept, as the walk's order among them is the order rows were read in.
   */
  public static boolean supersedes(
      long validFromA, int revisionA, long keyA, long validFromB, int revisionB, long keyB) {
    if (validFromA != validFromB) {
      return validFromA > validFromB;
    }
    if (revisionA != revisionB) {
      return revisionA > revisionB;
    }
    return keyA >= keyB;
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
      chosen[si] = best >= 0 && !Expiry.expired(lastEventTime[best], t, ttlMillis) ? best : -1;
    }
  }
}
