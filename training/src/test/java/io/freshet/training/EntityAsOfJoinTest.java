package io.freshet.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-entity entry to the as-of rule (what the Flink job calls per key) against the streaming
 * one (what the in-process join calls, rows in any order, on two reader threads' states merged) and
 * a naive scan, on random rows with ties: the same row chosen for every spine row, without Iceberg
 * or Flink.
 */
class EntityAsOfJoinTest {
  private record H(int entity, long key, long validFrom, int revision, long last) {}

  @Test
  void perEntityEqualsStreamingEqualsANaiveScan() {
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
      // the streaming join: rows in a random order, split between two readers, each gathering
      // them by entity partition into its own state, then merged; each row carries its index as
      // its one feature value
      int bits = rnd.nextInt(4);
      spine.groupByPartition(bits);
      StreamingAsOfJoin streaming =
          new StreamingAsOfJoin(spine, List.of(ValueType.LONG), ttl, inclusive);
      StreamingAsOfJoin.State[] states = {streaming.newState(), streaming.newState()};
      PartitionedOffer[] offers = {
        new PartitionedOffer(spine.entities, bits, states[0], List.of(ValueType.LONG)),
        new PartitionedOffer(spine.entities, bits, states[1], List.of(ValueType.LONG))
      };
      List<Integer> arrival = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        arrival.add(i);
      }
      Collections.shuffle(arrival, rnd);
      HistoryBatch batch = new HistoryBatch(List.of(ValueType.LONG));
      int reader = 0;
      for (int i : arrival) {
        H r = rows.get(i);
        int n = batch.size++;
        byte[] entity = ("e" + r.entity).getBytes(StandardCharsets.UTF_8);
        batch.putEntity(n, entity, 0, entity.length);
        batch.entity[n] = EntityIndex.partition(EntityIndex.hash(entity, 0, entity.length), bits);
        batch.key[n] = r.key;
        batch.validFrom[n] = r.validFrom;
        batch.revision[n] = r.revision;
        batch.lastEventTime[n] = r.last;
        batch.values.set(0, n, (long) i);
        if (rnd.nextInt(5) == 0) {
          offers[reader].accept(batch);
          batch.clear();
          reader = rnd.nextInt(2);
        }
      }
      offers[reader].accept(batch);
      offers[0].finish();
      offers[1].finish();
      states[0].merge(states[1]);
      int[] streamed = states[0].chosen();

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
          Object streamedRow = streamed[s] < 0 ? null : states[0].values.get(0, streamed[s]);
          int perStream = streamedRow == null ? -1 : (int) (long) (Long) streamedRow;
          int naive = naive(rows, e, spineTimes.get(s), ttl, inclusive);
          assertThat(perEntity).as("round %d spine row %d", round, s).isEqualTo(naive);
          assertThat(perStream).as("round %d spine row %d", round, s).isEqualTo(naive);
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
