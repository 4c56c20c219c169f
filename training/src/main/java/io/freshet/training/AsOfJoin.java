package io.freshet.training;

/**
 * The point-in-time rule, on sorted rows of one bucket: for each spine row, the newest history row
 * of its entity whose key (valid_from, or written_at when as-served) is strictly before the spine
 * timestamp (at or before when inclusive); "newest" is the greatest (valid_from, revision) among
 * those rows. No row, or a row whose last_event_time is more than the ttl before the spine
 * timestamp, gives null: the rule by which serving reports EXPIRED.
 */
final class AsOfJoin {
  private AsOfJoin() {}

  /**
   * @return for each spine row (by its index in {@code spine}), the chosen history row or -1
   */
  static int[] join(SpineRows spine, HistoryRows history, long ttlMillis, boolean inclusive) {
    int[] chosen = new int[spine.size];
    int[] s = spine.sorted();
    int[] h = history.sorted(spine.entityIds.size());
    int hp = 0;
    int best = -1;
    int currentEntity = -1;
    for (int si : s) {
      int e = spine.entity[si];
      long t = spine.timestamp[si];
      if (e != currentEntity) {
        currentEntity = e;
        best = -1;
        while (hp < h.length && history.entity[h[hp]] < e) {
          hp++;
        }
      }
      while (hp < h.length && history.entity[h[hp]] == e) {
        int r = h[hp];
        long k = history.key[r];
        if (inclusive ? k > t : k >= t) {
          break;
        }
        if (best < 0
            || history.validFrom[r] > history.validFrom[best]
            || (history.validFrom[r] == history.validFrom[best]
                && history.revision[r] >= history.revision[best])) {
          best = r;
        }
        hp++;
      }
      if (best >= 0 && t - history.lastEventTime[best] <= ttlMillis) {
        chosen[si] = best;
      } else {
        chosen[si] = -1;
      }
    }
    return chosen;
  }
}
