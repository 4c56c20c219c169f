package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.OracleAsserts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Randomized check of the streaming engine against {@link NaiveOracle}: thousands of events over
 * many entities, out of order within the watermark bound, same-millisecond ties, bursts, long gaps
 * past the ttl, gaps between the ttl and the ttl plus the allowed lateness that late events bridge,
 * late events within the allowed lateness and too-late ones. Every update, random instants between
 * updates and after each entity's last one are recomputed from the raw events.
 *
 * <p>The sketch bounds are the documented ones (docs/semantics.md, Sketches), written here rather
 * than read from the implementation's constants, so that a change to them fails here.
 */
class EngineOracleTest {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long BOUND = 20_000; // out-of-orderness, ms
  private static final Duration LATENESS = Duration.ofMinutes(3);
  private static final Duration TTL = Duration.ofHours(30);

  /** Distinct counts are exact up to this many values, then an HLL estimate. */
  private static final int DISTINCT_EXACT_UP_TO = 64;

  /** The HLL sketch's relative standard error (lgK = 12: 1.04 / sqrt(4096), "about 1.6%"). */
  private static final double DISTINCT_RSE = 0.016;

  /** Percentiles are exact up to this many values, then a log-bucket sketch. */
  private static final int PERCENTILE_EXACT_UP_TO = 200;

  /** The sketch's bucket ratio: bucket k holds the magnitudes in (gamma^(k-1), gamma^k]. */
  private static final double GAMMA = 1.01 / 0.99;

  /** An update with the number of accepted events of its entity when it was emitted. */
  private record Seen(FeatureUpdate update, int known) {}

  /** What one run met, so that it can assert it exercised each case. */
  private static final class Met {
    int percentileSketches;
    final List<Double> distinctErrors = new ArrayList<>(); // relative, of every sketched count
    int bridges;
  }

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
    Met met = new Met();
    // layout check: the spec's fields in SourceFields order are amount, qty, merchant, flag
    assertThat(h.fields.names()).containsExactly("amount", "qty", "merchant", "flag");

    Map<String, List<NaiveOracle.Event>> accepted = new HashMap<>(); // in arrival order
    Map<String, List<Seen>> seen = new HashMap<>();
    List<EventRow> tooLateRows = new ArrayList<>();
    String[] merchants = new String[120];
    for (int i = 0; i < merchants.length; i++) {
      merchants[i] = "m" + i;
    }
    long clock = T0;
    long maxTs = Long.MIN_VALUE;
    long wm = Long.MIN_VALUE;
    long lastTs = T0;
    int late = 0;
    int aimAtSilence = 0; // events left that may be late into the silence just past the ttl
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
      } else if (step < 0.006) {
        // a silence just past the ttl, within the allowed lateness of it: late events can fall
        // in it after the next session has started
        clock += TTL.toMillis() + rnd.nextLong(LATENESS.toMillis());
        aimAtSilence = 40;
      } else if (step < 0.3) {
        clock += 0; // burst
      } else if (aimAtSilence > 0) {
        clock += rnd.nextInt(20_000); // slowly, so that late events can still reach the silence
      } else {
        clock += rnd.nextInt(90_000);
      }
      String entity = burst ? "burst" : rnd.nextDouble() < 0.3 ? "heavy" : "u" + rnd.nextInt(30);
      long ts;
      double kind = rnd.nextDouble();
      boolean intoSilence = !burst && aimAtSilence-- > 0 && wm > T0 && rnd.nextDouble() < 0.4;
      if (kind < 0.1) {
        ts = lastTs; // same millisecond as the previous event
      } else if (intoSilence) {
        // late, as far back as allowed: into the silence if the watermark has not gone far past
        ts = wm - LATENESS.toMillis() + rnd.nextLong(LATENESS.toMillis() / 3);
      } else if (kind < 0.14 && wm > T0) {
        ts = wm - rnd.nextLong(LATENESS.toMillis() * 3 / 2); // late, maybe too late
      } else {
        ts = clock - rnd.nextLong(burst ? 1000 : BOUND);
      }
      lastTs = ts;
      List<Object> values = new ArrayList<>();
      values.add(rnd.nextDouble() < 0.05 ? null : Math.round(rnd.nextDouble() * 50_000) / 100.0);
      values.add((long) rnd.nextInt(10));
      String merchant = merchants[(int) Math.abs(rnd.nextGaussian() * 40) % merchants.length];
      // the burst's merchants are all new: its distinct count leaves the sketch's coupon forms
      values.add(burst ? "b" + i : merchant);
      values.add(rnd.nextBoolean());

      boolean isTooLate = ts <= wm && wm - ts > LATENESS.toMillis();
      if (!isTooLate) {
        List<NaiveOracle.Event> known = accepted.computeIfAbsent(entity, k -> new ArrayList<>());
        NaiveOracle.Event e = new NaiveOracle.Event(ts, values, wm);
        known.add(e);
        if (e.late()) {
          late++;
          if (bridges(oracle, known, e)) {
            met.bridges++;
          }
        }
      } else {
        tooLateRows.add(Harness.row(entity, ts, values.toArray()));
      }
      h.event(entity, ts, values.toArray());
      maxTs = Math.max(maxTs, ts);
      checked += check(h, oracle, view, accepted, seen, met);
      if ((aimAtSilence > 0 || rnd.nextInt(8) == 0) && maxTs - BOUND - 1 > wm) {
        wm = maxTs - BOUND - 1;
        h.watermark(wm);
        checked += check(h, oracle, view, accepted, seen, met);
      }
    }
    h.watermark(ViewFeatureOperatorTest.DRAIN);
    checked += check(h, oracle, view, accepted, seen, met);

    assertThat(h.late()).as("the late output holds the too-late events").isEqualTo(tooLateRows);
    assertThat(tooLateRows).as("the run exercises too-late events").isNotEmpty();
    assertThat(late).as("the run exercises late events").isPositive();
    assertThat(met.bridges).as("the run has late events bridging two sessions").isPositive();
    assertThat(h.stateEntries()).as("all state drained").isZero();
    assertThat(h.operator.decodedCached()).as("no entity held").isZero();
    assertThat(h.operator.queuedWakeUps()).as("all wake-ups drained").isZero();

    int between = checkBetweenUpdates(rnd, oracle, view, accepted, seen, met);
    int after = checkAfterLastUpdates(rnd, oracle, view, accepted, seen, met);
    assertThat(checked).isGreaterThan(events);
    assertThat(between).isGreaterThan(1000);
    assertThat(after).as("instants after each entity's last update").isGreaterThan(60);

    assertThat(met.percentileSketches).as("percentiles checked in sketch mode").isPositive();
    assertDistinctErrorsWithinTheDocumentedBound(met.distinctErrors);
    h.close();
  }

  /**
   * Whether a late event, just accepted, falls in a silence longer than the ttl that a newer
   * session already ended: it is within the ttl of an event of the older session, yet the
   * documented rule puts it in the newer one (where plain gaps would have merged the two).
   */
  private static boolean bridges(
      NaiveOracle oracle, List<NaiveOracle.Event> known, NaiveOracle.Event late) {
    Set<NaiveOracle.Event> session = Collections.newSetFromMap(new IdentityHashMap<>());
    session.addAll(oracle.lifetime(known, Long.MAX_VALUE));
    if (!session.contains(late)) {
      return false;
    }
    for (NaiveOracle.Event e : known) {
      if (!session.contains(e) && e.ts() <= late.ts() && late.ts() - e.ts() <= TTL.toMillis()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The sketched distinct counts, each already within 5 standard errors (a one-in-a-million miss
   * for one estimate): their root mean square error is within 1.5 standard errors (the errors of
   * one run are correlated: the same burst's sketch grows through them).
   */
  private static void assertDistinctErrorsWithinTheDocumentedBound(List<Double> errors) {
    assertThat(errors).as("distinct counts checked in sketch mode").isNotEmpty();
    double squares = 0;
    for (double e : errors) {
      squares += e * e;
    }
    assertThat(Math.sqrt(squares / errors.size()))
        .as("root mean square relative error of %d sketched distinct counts", errors.size())
        .isLessThan(1.5 * DISTINCT_RSE);
  }

  /** Checks every new update against the oracle; returns how many were checked. */
  private static int check(
      Harness h,
      NaiveOracle oracle,
      ViewSpec view,
      Map<String, List<NaiveOracle.Event>> accepted,
      Map<String, List<Seen>> seen,
      Met met) {
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
      compare(view, oracle, known, u, expected, t, "update", met);
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

  /**
   * At random instants between updates, within the ttl of the governing update's last event, the
   * governing update equals a recomputation from the events known when it was emitted.
   */
  private static int checkBetweenUpdates(
      Random rnd,
      NaiveOracle oracle,
      ViewSpec view,
      Map<String, List<NaiveOracle.Event>> accepted,
      Map<String, List<Seen>> seen,
      Met met) {
    int n = 0;
    for (var entry : seen.entrySet()) {
      TreeMap<Long, Seen> byTime = byValidFrom(entry.getValue());
      List<NaiveOracle.Event> all = accepted.get(entry.getKey());
      Long prev = null;
      for (Long v : byTime.keySet()) {
        if (prev != null) {
          Seen s = byTime.get(prev);
          long to = Math.min(v - 1, s.update().getLastEventTime() + TTL.toMillis());
          if (to > prev) {
            long t = prev + 1 + rnd.nextLong(to - prev);
            List<NaiveOracle.Event> known = all.subList(0, s.known());
            compareIgnoringDecay(view, oracle, known, s.update(), t, "between updates", met);
            n++;
          }
        }
        prev = v;
      }
    }
    return n;
  }

  /**
   * After an entity's last update its vector holds until the ttl expires it: at that last instant
   * and at random ones before it, the last update equals a recomputation from every event.
   */
  private static int checkAfterLastUpdates(
      Random rnd,
      NaiveOracle oracle,
      ViewSpec view,
      Map<String, List<NaiveOracle.Event>> accepted,
      Map<String, List<Seen>> seen,
      Met met) {
    int n = 0;
    for (var entry : seen.entrySet()) {
      FeatureUpdate last = byValidFrom(entry.getValue()).lastEntry().getValue().update();
      List<NaiveOracle.Event> all = accepted.get(entry.getKey());
      long from = last.getValidFrom() + 1;
      long to = last.getLastEventTime() + TTL.toMillis();
      if (to < from) {
        continue;
      }
      List<Long> instants = new ArrayList<>(List.of(from, to));
      for (int i = 0; i < 3; i++) {
        instants.add(from + rnd.nextLong(to - from + 1));
      }
      for (long t : instants) {
        compareIgnoringDecay(view, oracle, all, last, t, "after the last update", met);
        n++;
      }
    }
    return n;
  }

  /** Each valid_from's latest update (a correction replaces its valid_from). */
  private static TreeMap<Long, Seen> byValidFrom(List<Seen> updates) {
    TreeMap<Long, Seen> byTime = new TreeMap<>();
    for (Seen s : updates) {
      byTime.put(s.update().getValidFrom(), s);
    }
    return byTime;
  }

  private static void compareIgnoringDecay(
      ViewSpec view,
      NaiveOracle oracle,
      List<NaiveOracle.Event> known,
      FeatureUpdate u,
      long t,
      String where,
      Met met) {
    Object[] expected = oracle.vector(known, t);
    for (int i = 0; i < expected.length; i++) {
      if (view.features().get(i).aggregation() == Aggregation.DECAYED_SUM) {
        expected[i] = null; // decays continuously: checked at valid_from only
      }
    }
    compare(view, oracle, known, u, expected, t, where, met);
  }

  private static void compare(
      ViewSpec view,
      NaiveOracle oracle,
      List<NaiveOracle.Event> known,
      FeatureUpdate u,
      Object[] expected,
      long t,
      String where,
      Met met) {
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
          if (exact <= DISTINCT_EXACT_UP_TO) {
            assertThat(actual).as(what).isEqualTo(exact);
          } else {
            double error = ((Long) actual - exact) / (double) exact;
            assertThat(Math.abs(error))
                .as("%s: relative error of %s for %s distinct values", what, actual, exact)
                .isLessThan(5 * DISTINCT_RSE);
            met.distinctErrors.add(error);
          }
        }
        case APPROX_PERCENTILE -> {
          int n = oracle.windowValues(f, known, t).length;
          if (n <= PERCENTILE_EXACT_UP_TO) {
            assertThat(actual).as(what).isEqualTo(expected[i]);
          } else {
            met.percentileSketches++;
            double exact = (Double) expected[i];
            // Bucket counts add exactly, so the sketch answers from the exact quantile's bucket.
            assertThat(bucket((Double) actual))
                .as("%s: the bucket of %s is that of the exact %s", what, actual, exact)
                .isEqualTo(bucket(exact));
            assertThat((Double) actual)
                .as(what + " within the sketch's 1% relative accuracy")
                .isCloseTo(exact, Percentage.withPercentage(1 + 1e-9));
          }
        }
        default -> {
          OracleAsserts.assertSameTight(what, actual, expected[i]);
        }
      }
    }
  }

  /** The documented bucket of x: sign and ceil(log_gamma |x|); |x| below 1e-9 counts as 0. */
  private static String bucket(double x) {
    if (Math.abs(x) < 1e-9) {
      return "zero";
    }
    return (x > 0 ? "+" : "-") + (long) Math.ceil(Math.log(Math.abs(x)) / Math.log(GAMMA));
  }
}
