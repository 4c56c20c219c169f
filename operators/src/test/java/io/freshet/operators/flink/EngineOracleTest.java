package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.ViewSpec;
import io.freshet.state.agg.DistinctPartial;
import io.freshet.state.agg.PercentilePartial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Randomized check of the streaming engine against {@link NaiveOracle}: thousands of events over
 * many entities, out of order within the watermark bound, same-millisecond ties, bursts, long gaps
 * past the ttl, late events within the allowed lateness and too-late ones. Every update and random
 * instants between updates are recomputed from the raw events.
 */
class EngineOracleTest {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long BOUND = 20_000; // out-of-orderness, ms
  private static final Duration LATENESS = Duration.ofMinutes(3);
  private static final Duration TTL = Duration.ofHours(30);

  /** How many checks met a percentile / distinct count in sketch mode. */
  private static final int[] SKETCHED = new int[2];

  /** An update with the number of accepted events of its entity when it was emitted. */
  private record Seen(FeatureUpdate update, int known) {}

  /**
   * Seeds 1-3 on heap state; seed 4 on RocksDB, where decoded entities are cached (8 of the 32: the
   * cache evicts and writes back all the time).
   */
  @ParameterizedTest(name = "seed {0}, RocksDB {1}")
  @CsvSource({"1, false", "2, false", "3, false", "4, true"})
  void engineMatchesTheNaiveOracle(long seed, boolean rocksdb) throws Exception {
    Random rnd = new Random(seed);
    Harness h = new Harness(TestSpecs.everyAggregation(TTL, LATENESS), null, rocksdb, 8);
    ViewSpec view = h.spec.views().get(0);
    NaiveOracle oracle = new NaiveOracle(view, h.fields);

    Map<String, List<NaiveOracle.Event>> accepted = new HashMap<>();
    Map<String, List<Seen>> seen = new HashMap<>();
    String[] merchants = new String[120];
    for (int i = 0; i < merchants.length; i++) {
      merchants[i] = "m" + i;
    }
    long clock = T0;
    long maxTs = Long.MIN_VALUE;
    long wm = Long.MIN_VALUE;
    long lastTs = T0;
    int tooLate = 0;
    int late = 0;
    int checked = 0;
    int events = 6000;
    for (int i = 0; i < events; i++) {
      boolean burst =
          i >= 2000 && i < 2600; // one entity, 1 s apart: past the sketches' exact limits
      double step = rnd.nextDouble();
      if (burst) {
        clock += 1000;
      } else if (step < 0.002) {
        clock += Duration.ofHours(2 + rnd.nextInt(40)).toMillis(); // long silence
      } else if (step < 0.3) {
        clock += 0; // burst
      } else {
        clock += rnd.nextInt(90_000);
      }
      String entity = burst ? "burst" : rnd.nextDouble() < 0.3 ? "heavy" : "u" + rnd.nextInt(30);
      long ts;
      double kind = rnd.nextDouble();
      if (kind < 0.1) {
        ts = lastTs; // same millisecond as the previous event
      } else if (kind < 0.14 && wm > T0) {
        ts = wm - rnd.nextLong(LATENESS.toMillis() * 3 / 2); // late, maybe too late
      } else {
        ts = clock - rnd.nextLong(burst ? 1000 : BOUND);
      }
      lastTs = ts;
      List<Object> values = new ArrayList<>();
      values.add(rnd.nextDouble() < 0.05 ? null : Math.round(rnd.nextDouble() * 50_000) / 100.0);
      values.add((long) rnd.nextInt(10));
      values.add(merchants[(int) Math.abs(rnd.nextGaussian() * 40) % merchants.length]);
      values.add(rnd.nextBoolean());
      // layout check: the spec's fields in SourceFields order are amount, qty, merchant, flag
      assertThat(h.fields.names()).containsExactly("amount", "qty", "merchant", "flag");

      boolean isTooLate = ts <= wm && wm - ts > LATENESS.toMillis();
      if (!isTooLate) {
        accepted
            .computeIfAbsent(entity, k -> new ArrayList<>())
            .add(new NaiveOracle.Event(ts, values));
        if (ts <= wm) {
          late++;
        }
      } else {
        tooLate++;
      }
      h.event(entity, ts, values.toArray());
      maxTs = Math.max(maxTs, ts);
      checked += check(h, oracle, view, accepted, seen);
      if (rnd.nextInt(8) == 0 && maxTs - BOUND - 1 > wm) {
        wm = maxTs - BOUND - 1;
        h.watermark(wm);
        checked += check(h, oracle, view, accepted, seen);
      }
    }
    h.watermark(ViewFeatureOperatorTest.DRAIN);
    checked += check(h, oracle, view, accepted, seen);

    assertThat(h.late()).hasSize(tooLate);
    assertThat(tooLate).as("the run exercises too-late events").isPositive();
    assertThat(late).as("the run exercises late events").isPositive();
    assertThat(h.stateEntries()).as("all state drained").isZero();
    assertThat(h.operator.decodedCached()).as("no entity held").isZero();
    assertThat(h.operator.queuedWakeUps()).as("all wake-ups drained").isZero();

    assertThat(SKETCHED[0]).as("percentiles checked in sketch mode").isPositive();
    assertThat(SKETCHED[1]).as("distinct counts checked in sketch mode").isPositive();
    int between = checkBetweenUpdates(rnd, oracle, view, accepted, seen);
    assertThat(checked).isGreaterThan(events);
    assertThat(between).isGreaterThan(1000);
    h.close();
  }

  /** Checks every new update against the oracle; returns how many were checked. */
  private static int check(
      Harness h,
      NaiveOracle oracle,
      ViewSpec view,
      Map<String, List<NaiveOracle.Event>> accepted,
      Map<String, List<Seen>> seen) {
    List<FeatureUpdate> fresh = h.take();
    for (FeatureUpdate u : fresh) {
      List<NaiveOracle.Event> known = accepted.get(u.getEntity());
      long t = u.getValidFrom();
      Object[] expected = oracle.vector(known, t);
      long newest =
          known.stream().mapToLong(NaiveOracle.Event::ts).filter(x -> x <= t).max().orElseThrow();
      assertThat(u.getLastEventTime())
          .as("last_event_time of %s at %d", u.getEntity(), t)
          .isEqualTo(newest);
      compare(view, oracle, known, u, expected, t, "update");
      List<Seen> prior = seen.computeIfAbsent(u.getEntity(), k -> new ArrayList<>());
      if (!prior.isEmpty()) {
        long prev = prior.get(prior.size() - 1).update().getValidFrom();
        assertThat(t).as("valid_from never goes back").isGreaterThanOrEqualTo(prev);
        if (t == prev) {
          assertThat(u.getCorrection()).as("only a correction repeats a valid_from").isTrue();
          assertThat(u.getRevision())
              .as("each correction of a valid_from counts up")
              .isEqualTo(prior.get(prior.size() - 1).update().getRevision() + 1);
        } else {
          assertThat(u.getRevision()).isZero();
        }
      }
      prior.add(new Seen(u, known.size()));
    }
    return fresh.size();
  }

  /** At random instants between updates, the governing update equals a recomputation. */
  private static int checkBetweenUpdates(
      Random rnd,
      NaiveOracle oracle,
      ViewSpec view,
      Map<String, List<NaiveOracle.Event>> accepted,
      Map<String, List<Seen>> seen) {
    int n = 0;
    for (var entry : seen.entrySet()) {
      TreeMap<Long, Seen> byTime = new TreeMap<>();
      for (Seen s : entry.getValue()) {
        byTime.put(s.update().getValidFrom(), s); // a correction replaces its valid_from
      }
      List<NaiveOracle.Event> all = accepted.get(entry.getKey());
      Long prev = null;
      for (Long v : byTime.keySet()) {
        if (prev != null && v - prev > 1) {
          Seen s = byTime.get(prev);
          long t = prev + 1 + rnd.nextLong(v - prev - 1);
          if (t - s.update().getLastEventTime() <= TTL.toMillis()) {
            Object[] expected = oracle.vector(all.subList(0, s.known()), t);
            compareIgnoringDecay(view, oracle, all.subList(0, s.known()), s.update(), expected, t);
            n++;
          }
        }
        prev = v;
      }
    }
    return n;
  }

  private static void compareIgnoringDecay(
      ViewSpec view,
      NaiveOracle oracle,
      List<NaiveOracle.Event> known,
      FeatureUpdate u,
      Object[] expected,
      long t) {
    for (int i = 0; i < expected.length; i++) {
      if (view.features().get(i).aggregation() == Aggregation.DECAYED_SUM) {
        expected[i] = null; // decays continuously: checked at valid_from only
      }
    }
    compare(view, oracle, known, u, expected, t, "between updates");
  }

  private static void compare(
      ViewSpec view,
      NaiveOracle oracle,
      List<NaiveOracle.Event> known,
      FeatureUpdate u,
      Object[] expected,
      long t,
      String where) {
    for (int i = 0; i < expected.length; i++) {
      FeatureDef f = view.features().get(i);
      Object actual = u.getValues().get(i);
      String what = where + " " + f.name() + " of " + u.getEntity() + " at " + t;
      if (expected[i] == null
          && f.aggregation() == Aggregation.DECAYED_SUM
          && !"update".equals(where)) {
        continue;
      }
      switch (f.aggregation()) {
        case APPROX_COUNT_DISTINCT -> {
          long exact = (Long) expected[i];
          if (exact > DistinctPartial.EXACT_LIMIT) {
            SKETCHED[1]++;
          }
          if (exact <= DistinctPartial.EXACT_LIMIT) {
            assertThat(actual).as(what).isEqualTo(exact);
          } else {
            assertThat(((Long) actual).doubleValue())
                .as(what)
                .isCloseTo(exact, org.assertj.core.data.Percentage.withPercentage(6));
          }
        }
        case APPROX_PERCENTILE -> {
          double[] xs = oracle.windowValues(f, known, t);
          if (xs.length > PercentilePartial.EXACT_LIMIT) {
            SKETCHED[0]++;
          }
          if (xs.length <= PercentilePartial.EXACT_LIMIT) {
            assertThat(actual).as(what).isEqualTo(expected[i]);
          } else {
            assertThat((Double) actual)
                .as(what + " within the sketch's 1% relative accuracy")
                .isCloseTo(
                    (Double) expected[i], org.assertj.core.data.Percentage.withPercentage(1.0001));
          }
        }
        default -> {
          if (expected[i] instanceof Double d && actual instanceof Double a) {
            assertThat(a)
                .as(what)
                .isCloseTo(d, org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(d))));
          } else {
            assertThat(actual).as(what).isEqualTo(expected[i]);
          }
        }
      }
    }
  }

  @SuppressWarnings("unused")
  private static Set<String> entities(Map<String, ?> m) {
    return new HashSet<>(m.keySet());
  }
}
