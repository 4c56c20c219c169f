package io.freshet.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-entity entry to the as-of rule (what the Flink job calls per key) against the per-bucket
 * one (what the in-process join calls) and a naive scan, on random rows with ties: the same row
 * chosen for every spine row, without Iceberg or Flink.
 */
class EntityAsOfJoinTest {
  private record H(int entity, long key, long validFrom, int revision, long last) {}

  @Test
  void perEntityEqualsPerBucketEqualsANaiveScan() {
    Random rnd = new Random(3);
    for (int round = 0; round < 200; round++) {
      boolean inclusive = rnd.nextBoolean();
      long ttl = 1 + rnd.nextInt(50);
      int entities = 1 + rnd.nextInt(6);
      SpineRows spine = new SpineRows();
      List<Long> spineTimes = new ArrayList<>();
      List<Integer> spineEntities = new ArrayList<>();
      for (int i = rnd.nextInt(40); i > 0; i--) {
        int e = rnd.nextInt(entities);
        long t = rnd.nextInt(100);
        spine.add("e" + e, t);
        spineTimes.add(t);
        spineEntities.add(e);
      }
      List<H> rows = new ArrayList<>();
      for (int i = rnd.nextInt(60); i > 0; i--) {
        int e = rnd.nextInt(entities);
        long vf = rnd.nextInt(100);
        // each (entity, valid_from, revision) once: revision counts the rows of one valid_from
        int rev = (int) rows.stream().filter(r -> r.entity == e && r.validFrom == vf).count();
        rows.add(new H(e, vf + rnd.nextInt(3), vf, rev, vf - rnd.nextInt(30)));
      }
      HistoryRows history = new HistoryRows(0);
      List<Integer> bucketIndex = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        H r = rows.get(i);
        int id = spine.idOf("e" + r.entity);
        if (id >= 0) {
          history.add(id, r.key, r.validFrom, r.revision, r.last, new Object[0]);
          bucketIndex.add(i);
        }
      }
      int[] bucket = AsOfJoin.join(spine, history, ttl, inclusive);

      for (int e = 0; e < entities; e++) {
        EntityAsOfJoin join = new EntityAsOfJoin(ttl, inclusive);
        List<Integer> mySpine = new ArrayList<>();
        List<Integer> myHistory = new ArrayList<>();
        for (int i = 0; i < spineTimes.size(); i++) {
          if (spineEntities.get(i) == e) {
            join.addSpine(spineTimes.get(i));
            mySpine.add(i);
          }
        }
        for (int i = 0; i < rows.size(); i++) {
          H r = rows.get(i);
          if (r.entity == e) {
            join.addHistory(r.key, r.validFrom, r.revision, r.last);
            myHistory.add(i);
          }
        }
        int[] chosen = join.join();
        for (int k = 0; k < mySpine.size(); k++) {
          int s = mySpine.get(k);
          int perEntity = chosen[k] < 0 ? -1 : myHistory.get(chosen[k]);
          int perBucket = bucket[s] < 0 ? -1 : bucketIndex.get(bucket[s]);
          int naive = naive(rows, e, spineTimes.get(s), ttl, inclusive);
          assertThat(perEntity).as("round %d spine row %d", round, s).isEqualTo(naive);
          assertThat(perBucket).as("round %d spine row %d", round, s).isEqualTo(naive);
        }
      }
    }
  }

  private static int naive(List<H> rows, int entity, long t, long ttl, boolean inclusive) {
    int best = -1;
    for (int i = 0; i < rows.size(); i++) {
      H r = rows.get(i);
      if (r.entity != entity || (inclusive ? r.key > t : r.key >= t)) {
        continue;
      }
      H b = best < 0 ? null : rows.get(best);
      if (b == null
          || r.validFrom > b.validFrom
          || (r.validFrom == b.validFrom && r.revision > b.revision)) {
        best = i;
      }
    }
    return best >= 0 && t - rows.get(best).last <= ttl ? best : -1;
  }
}
