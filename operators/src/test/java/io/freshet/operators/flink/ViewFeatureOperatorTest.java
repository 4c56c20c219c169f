package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ViewFeatureOperatorTest {
  private static final long MIN = 60_000L;
  private static final long HOUR = 60 * MIN;

  /** A watermark past every cleanup of these tests: drains all state (unlike the end of input). */
  static final long DRAIN = Long.MAX_VALUE / 4;

  private static Harness countHarness() throws Exception {
    return new Harness(
        TestSpecs.countOnly(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(2)));
  }

  /**
   * The view state's state TTL never fires in practice (a thousand years, processing time): the
   * engine's event-time cleanup is the only one (SafetyNetTtlTest shows what a shorter one broke).
   * Written out here, not read from the operator.
   */
  @Test
  void stateTtlNeverDropsStateTheEngineStillNeeds() {
    StateTtlConfig ttl = ViewFeatureOperator.safetyNet(Duration.ofHours(30));
    assertThat(ttl.getTimeToLive()).isGreaterThanOrEqualTo(Duration.ofDays(365L * 1000));
    assertThat(ttl.getStateVisibility())
        .isEqualTo(StateTtlConfig.StateVisibility.NeverReturnExpired);
  }

  private static long count(FeatureUpdate u) {
    return (Long) u.getValues().get(0);
  }

  @Test
  void windowSlidesAndFallsToZeroWithoutNewEvents() throws Exception {
    try (Harness h = countHarness()) {
      h.event("a", 0);
      h.event("a", 30 * MIN + 5);
      assertThat(h.take()).as("held until the watermark passes").isEmpty();

      h.watermark(30 * MIN + 5);
      List<FeatureUpdate> u = h.take();
      assertThat(u).extracting(FeatureUpdate::getValidFrom).containsExactly(0L, 30 * MIN + 5);
      assertThat(u).extracting(ViewFeatureOperatorTest::count).containsExactly(1L, 2L);

      // The tile [0, 1m) leaves the 1h window at 1h; the one at 30m leaves at 1h30m.
      h.watermark(3 * HOUR);
      u = h.take();
      assertThat(u).extracting(FeatureUpdate::getValidFrom).containsExactly(HOUR, HOUR + 30 * MIN);
      assertThat(u).extracting(ViewFeatureOperatorTest::count).containsExactly(1L, 0L);
      assertThat(u).allSatisfy(x -> assertThat(x.getLastEventTime()).isEqualTo(30 * MIN + 5));
      assertThat(u).noneMatch(FeatureUpdate::getCorrection);
    }
  }

  @Test
  void eventsWithTheSameTimestampMakeOneUpdate() throws Exception {
    try (Harness h = countHarness()) {
      h.event("a", 1000);
      h.event("b", 1000);
      h.event("a", 1000);
      h.event("a", 1000);
      h.watermark(1000);
      List<FeatureUpdate> u = h.take();
      assertThat(u).hasSize(2);
      FeatureUpdate a = u.stream().filter(x -> x.getEntity().equals("a")).findFirst().orElseThrow();
      assertThat(count(a)).isEqualTo(3);
      assertThat(a.getValidFrom()).isEqualTo(1000);
    }
  }

  @Test
  void lateEventsAreCorrectionsAndTooLateOnesGoToTheLateOutput() throws Exception {
    try (Harness h = countHarness()) { // allowed lateness 5 min
      h.event("a", 10 * MIN);
      h.watermark(20 * MIN);
      assertThat(h.take()).extracting(ViewFeatureOperatorTest::count).containsExactly(1L);

      h.event("a", 16 * MIN); // 4 min behind the watermark: allowed
      List<FeatureUpdate> u = h.take();
      assertThat(u).hasSize(1);
      assertThat(u.get(0).getCorrection()).isTrue();
      assertThat(u.get(0).getValidFrom())
          .as("a new vector from the late event on")
          .isEqualTo(16 * MIN);
      assertThat(count(u.get(0))).isEqualTo(2);
      assertThat(u.get(0).getLastEventTime()).isEqualTo(16 * MIN);

      h.event("a", 15 * MIN + 1); // behind the latest vector: corrects it in place
      u = h.take();
      assertThat(u)
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.getCorrection()).isTrue();
                assertThat(x.getValidFrom()).isEqualTo(16 * MIN);
                assertThat(count(x)).isEqualTo(3);
              });

      h.event("a", 14 * MIN); // 6 min behind: too late
      assertThat(h.take()).isEmpty();
      assertThat(h.late())
          .singleElement()
          .satisfies(r -> assertThat(r.getEventTime()).isEqualTo(14 * MIN));
    }
  }

  @Test
  void stateAndTimersDrainAfterTheTtl() throws Exception {
    try (Harness h = countHarness()) { // ttl 2h
      h.event("a", 0);
      h.event("b", 5 * MIN);
      h.watermark(10 * MIN);
      assertThat(h.take()).extracting(ViewFeatureOperatorTest::count).containsExactly(1L, 1L);
      assertThat(h.operator.decodedCached()).as("both entities held").isEqualTo(2);
      h.snapshot(); // writes them to the keyed state
      assertThat(h.h.numKeyedStateEntries()).isPositive();
      assertThat(h.operator.queuedWakeUps()).as("one wake-up per entity").isEqualTo(2);

      h.watermark(2 * HOUR + 5 * MIN + 5 * MIN + 1); // ttl + allowed lateness after b's event
      assertThat(h.take()).extracting(ViewFeatureOperatorTest::count).containsExactly(0L, 0L);
      assertThat(h.h.numKeyedStateEntries()).isZero();
      assertThat(h.operator.decodedCached()).isZero();
      assertThat(h.operator.queuedWakeUps()).isZero();
    }
  }

  @Test
  void lifetimeFeaturesStartOverAfterTheTtl() throws Exception {
    try (Harness h = new Harness(TestSpecs.everyAggregation(Duration.ofDays(2), Duration.ZERO))) {
      int life = h.spec.views().get(0).indexOf("cnt_life");
      h.event("a", 0, 1.0, 1L, "m", true);
      h.event("a", HOUR, 1.0, 1L, "m", true);
      h.watermark(HOUR);
      List<FeatureUpdate> first = h.take();
      assertThat(first).extracting(FeatureUpdate::getValidFrom).containsExactly(0L, 10 * MIN, HOUR);
      assertThat(first).extracting(x -> x.getValues().get(life)).containsExactly(1L, 1L, 2L);
      long later = HOUR + 2 * 24 * HOUR + 1; // silent for ttl + 1 ms
      h.event("a", later, 1.0, 1L, "m", true);
      h.watermark(later);
      List<FeatureUpdate> u = h.take();
      assertThat(u.get(u.size() - 1).getValues().get(life)).isEqualTo(1L);
    }
  }

  /**
   * The end of a bounded input (and a stop with drain) sends the maximum watermark: it must not
   * walk the entities to the end of time, which would emit every window's exit valid from the
   * future (all counts 0) for the online store to serve. The state stays as of the last real
   * watermark.
   */
  @Test
  void theEndOfInputEmitsNothingPastTheDatasWatermarkAndKeepsTheState() throws Exception {
    try (Harness h = countHarness()) {
      h.event("a", 0);
      h.event("a", 10 * MIN);
      h.watermark(10 * MIN);
      assertThat(h.take()).extracting(ViewFeatureOperatorTest::count).containsExactly(1L, 2L);
      h.event("a", 20 * MIN); // past the watermark: waits for it
      h.watermark(Long.MAX_VALUE);
      assertThat(h.take()).as("nothing valid after the data's watermark").isEmpty();
      assertThat(h.leftOver()).as("state and wake-ups kept").isPositive();
      // a later watermark (a run resumed from the savepoint) continues where the data was
      h.watermark(20 * MIN);
      assertThat(h.take())
          .extracting(FeatureUpdate::getValidFrom, ViewFeatureOperatorTest::count)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(20 * MIN, 3L));
    }
  }

  @Test
  void anEventAtTheCleanupTimeIsNotLostWhenTheCleanupMoves() throws Exception {
    try (Harness h = countHarness()) { // ttl 2h, allowed lateness 5 min
      h.event("a", 0);
      h.watermark(0);
      long cleanup = 2 * HOUR + 5 * MIN + 1; // the cleanup timer armed for the event at 0
      h.event("a", cleanup); // shares the cleanup timer's timestamp
      h.event("a", 10);
      h.watermark(10); // moves the cleanup timer: the event's timer must stay
      h.watermark(5 * HOUR);
      List<FeatureUpdate> u = h.take();
      assertThat(u)
          .filteredOn(x -> x.getValidFrom() == cleanup)
          .singleElement()
          .satisfies(x -> assertThat(count(x)).isEqualTo(1));
      h.watermark(DRAIN);
      assertThat(h.h.numKeyedStateEntries()).isZero();
      assertThat(h.operator.queuedWakeUps()).isZero();
    }
  }

  @Test
  void aCorrectionIsAsOfTheStatesTimeNotTheLastEmittedOne() throws Exception {
    FeatureDef first =
        TestSpecs.windowed(
            "first_merchant", Aggregation.FIRST, "merchant", ValueType.STRING, Duration.ofHours(1));
    FeatureSpec spec =
        new FeatureSpec(
            null,
            TestSpecs.source(Duration.ZERO, Duration.ofHours(2)),
            List.of(new ViewSpec("firsts", Duration.ofHours(3), null, List.of(first), List.of())));
    try (Harness h = new Harness(spec)) {
      h.event("a", 0, "x");
      h.event("a", 30 * MIN, "x");
      h.watermark(30 * MIN);
      assertThat(h.take()).hasSize(2);
      h.watermark(61 * MIN); // the tile at 0 leaves at 60m; the first value stays "x": no update
      assertThat(h.take()).isEmpty();
      h.event("a", 10 * MIN, "y"); // late: as of 60m the window holds 10m "y" and 30m "x"
      assertThat(h.take())
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.getValidFrom()).isEqualTo(60 * MIN);
                assertThat(x.getValues()).containsExactly("y");
                assertThat(x.getCorrection()).isTrue();
                assertThat(x.getRevision()).isZero();
              });
    }
  }

  @Test
  void aLateEventWithinTheTtlJoinsTheEntitysLifetime() throws Exception {
    try (Harness h =
        new Harness(TestSpecs.everyAggregation(Duration.ofHours(30), Duration.ofMinutes(5)))) {
      int life = h.spec.views().get(0).indexOf("cnt_life");
      h.event("a", 0, 1.0, 1L, "m", true);
      h.watermark(30 * HOUR + 3 * MIN);
      h.take();
      h.event("a", 30 * HOUR - MIN, 1.0, 1L, "m", true); // 4 min late, 1 min inside the ttl
      List<FeatureUpdate> u = h.take();
      assertThat(u.get(u.size() - 1).getValues().get(life)).isEqualTo(2L);
    }
  }

  /**
   * A late event in a silence longer than the ttl (but within the ttl plus the allowed lateness)
   * that the next session has already ended joins the newer session, although it is within the ttl
   * of the older one (docs/semantics.md, TTL).
   */
  @Test
  void aLateEventBridgingTwoSessionsJoinsTheNewerOne() throws Exception {
    try (Harness h =
        new Harness(TestSpecs.everyAggregation(Duration.ofHours(30), Duration.ofMinutes(5)))) {
      int life = h.spec.views().get(0).indexOf("cnt_life");
      h.event("a", 0, 1.0, 1L, "m", true);
      h.event("a", 30 * HOUR + 2 * MIN, 1.0, 1L, "m", true); // silent for the ttl + 2 min
      h.watermark(30 * HOUR + 3 * MIN);
      List<FeatureUpdate> before = h.take();
      assertThat(before.get(before.size() - 1).getValues().get(life))
          .as("the second session starts over")
          .isEqualTo(1L);
      h.event("a", 30 * HOUR - MIN, 1.0, 1L, "m", true); // 4 min late, 1 min inside the ttl
      assertThat(h.take())
          .singleElement()
          .satisfies(
              u -> {
                assertThat(u.getCorrection()).isTrue();
                assertThat(u.getValidFrom()).isEqualTo(30 * HOUR + 2 * MIN);
                assertThat(u.getValues().get(life)).as("the newer session and it").isEqualTo(2L);
              });
    }
  }

  /**
   * Restored half-way, on heap state or on RocksDB (where the operator holds at most 4096 or 6 of
   * the 40 decoded entities in front of the state), the operator emits exactly what an
   * uninterrupted one on heap state does.
   */
  @ParameterizedTest(name = "RocksDB {0}, {1} decoded entities")
  @CsvSource({"false, 4096", "true, 4096", "true, 6"})
  void aRestoredOperatorContinuesExactlyLikeAnUninterruptedOne(boolean rocksdb, int cache)
      throws Exception {
    FeatureSpec spec = TestSpecs.everyAggregation(Duration.ofHours(30), Duration.ofMinutes(5));
    List<Object[]> input = randomInput(new java.util.Random(11), 3000);
    List<String> uninterrupted = uninterrupted(spec, input);
    List<FeatureUpdate> restoredRun = new java.util.ArrayList<>();
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
    try (Harness first = new Harness(spec, null, rocksdb, cache)) {
      feed(first, input, 0, input.size() / 2);
      restoredRun.addAll(first.take());
      assertThat(first.operator.decodedCached()).as("decoded entities held").isPositive();
      int unwritten = first.operator.unwritten();
      assertThat(unwritten).as("changes held back until the snapshot").isPositive();
      snapshot = first.snapshot();
      assertThat(first.operator.unwritten()).as("all written by the snapshot").isZero();
      assertThat(first.operator.lastWriteBack())
          .as("the snapshot's write-back, as its metric reports it")
          .isEqualTo(unwritten);
      assertThat(first.operator.decodedCached() == 0)
          .as("heap state forgets what its asynchronous snapshot still reads")
          .isEqualTo(!rocksdb);
    }
    try (Harness second = new Harness(spec, snapshot, rocksdb, cache)) {
      assertThat(second.operator.queuedWakeUps())
          .as("wake-ups rebuilt from the restored state")
          .isPositive();
      feed(second, input, input.size() / 2, input.size());
      restoredRun.addAll(second.take());
      assertThat(second.leftOver()).as("state and wake-ups drained").isZero();
    }
    assertThat(uninterrupted).hasSizeGreaterThan(input.size());
    assertThat(canonical(restoredRun)).isEqualTo(uninterrupted);
  }

  /**
   * With live write-back on RocksDB, while the watermark is within a minute of the wall clock (a
   * live job), every watermark writes the entities changed since the last one back to the keyed
   * state, and a checkpoint right after one finds none left to write; far behind it (a backfill)
   * they wait for the checkpoint. Either way the output, and that of a run restored from the
   * checkpoint, are exactly an uninterrupted run's.
   */
  @ParameterizedTest(
      name = "wall clock {0} ms ahead of the watermark, {1} decoded entities, live write-back {2}")
  @CsvSource({
    "2000, 4096, true",
    "-30000, 4096, true",
    "86400000, 4096, true",
    "2000, 6, true",
    "86400000, 6, true",
    "2000, 4096, false"
  })
  void aLiveJobWritesChangedEntitiesBackAtEveryWatermark(
      long clockAhead, int cache, boolean liveWriteBack) throws Exception {
    boolean live = liveWriteBack && Math.abs(clockAhead) <= ViewFeatureOperator.LIVE;
    FeatureSpec spec = TestSpecs.everyAggregation(Duration.ofHours(30), Duration.ofMinutes(5));
    List<Object[]> input = randomInput(new java.util.Random(12), 3000);
    List<String> uninterrupted = uninterrupted(spec, input);
    int half = input.size() / 2;
    while (input.get(half - 1)[0] != null) {
      half++; // the first half ends with a watermark
    }
    List<FeatureUpdate> restoredRun = new java.util.ArrayList<>();
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
    try (Harness first = new Harness(spec, null, true, cache, liveWriteBack)) {
      feedAtWallClock(first, input, 0, half, clockAhead);
      assertThat(first.operator.changedQueued())
          .as("stale entries of entities that left are dropped")
          .isLessThanOrEqualTo(2 * cache + 16);
      restoredRun.addAll(first.take());
      int unwritten = first.operator.unwritten();
      if (live) {
        assertThat(first.operator.liveWriteBacks()).as("written back at watermarks").isPositive();
        assertThat(unwritten).as("nothing changed since the last watermark").isZero();
      } else {
        assertThat(first.operator.liveWriteBacks()).as("written at checkpoints only").isZero();
        assertThat(unwritten).as("changes held back until the snapshot").isPositive();
      }
      snapshot = first.snapshot();
      assertThat(first.operator.lastWriteBack()).isEqualTo(unwritten);
    }
    try (Harness second = new Harness(spec, snapshot, true, cache, liveWriteBack)) {
      feedAtWallClock(second, input, half, input.size(), clockAhead);
      restoredRun.addAll(second.take());
      assertThat(second.leftOver()).as("state and wake-ups drained").isZero();
      assertThat(second.operator.liveWriteBacks() > 0).isEqualTo(live);
    }
    assertThat(uninterrupted).hasSizeGreaterThan(input.size());
    assertThat(canonical(restoredRun)).isEqualTo(uninterrupted);
  }

  /** What an operator on heap state, never restored, emits for the input (canonical order). */
  private static List<String> uninterrupted(FeatureSpec spec, List<Object[]> input)
      throws Exception {
    try (Harness h = new Harness(spec)) {
      feed(h, input, 0, input.size());
      return canonical(h.take());
    }
  }

  /** As {@link #feed}, the wall clock {@code clockAhead} ms ahead of each watermark. */
  private static void feedAtWallClock(
      Harness h, List<Object[]> in, int from, int to, long clockAhead) throws Exception {
    for (Object[] x : in.subList(from, to)) {
      if (x[0] == null) {
        h.h.setProcessingTime((Long) x[1] + clockAhead);
        h.watermark((Long) x[1]);
      } else {
        h.event((String) x[0], (Long) x[1], java.util.Arrays.copyOfRange(x, 2, x.length));
      }
    }
  }

  /** Rows of {entity, ts, values...} and watermarks {null, wm}; ends with the final watermark. */
  private static List<Object[]> randomInput(java.util.Random r, int events) {
    List<Object[]> in = new java.util.ArrayList<>();
    long clock = 1_767_225_600_000L;
    long maxTs = Long.MIN_VALUE;
    for (int i = 0; i < events; i++) {
      clock += r.nextInt(120_000);
      long ts = clock - r.nextInt(20_000);
      maxTs = Math.max(maxTs, ts);
      in.add(
          new Object[] {
            "u" + r.nextInt(40),
            ts,
            r.nextInt(20) == 0 ? null : r.nextInt(10_000) / 100.0,
            (long) r.nextInt(10),
            "m" + r.nextInt(90),
            r.nextBoolean()
          });
      if (r.nextInt(6) == 0) {
        in.add(new Object[] {null, maxTs - 20_001});
      }
    }
    in.add(new Object[] {null, DRAIN});
    return in;
  }

  private static void feed(Harness h, List<Object[]> in, int from, int to) throws Exception {
    for (Object[] x : in.subList(from, to)) {
      if (x[0] == null) {
        h.watermark((Long) x[1]);
      } else {
        h.event((String) x[0], (Long) x[1], java.util.Arrays.copyOfRange(x, 2, x.length));
      }
    }
  }

  /** Updates in a canonical order (entity, then emission order), as comparable strings. */
  private static List<String> canonical(List<FeatureUpdate> updates) {
    java.util.Map<String, List<String>> byEntity = new java.util.TreeMap<>();
    for (FeatureUpdate u : updates) {
      byEntity.computeIfAbsent(u.getEntity(), k -> new java.util.ArrayList<>()).add(u.toString());
    }
    return byEntity.values().stream().flatMap(List::stream).toList();
  }

  /**
   * A view of 70 features, more than the 64 whose "unchanged since the last vector" flags fit the
   * engine's bit mask: the later ones are recomputed every time and must slide like the first.
   */
  @Test
  void aViewOfMoreThan64FeaturesSlidesEveryFeature() throws Exception {
    Duration m10 = Duration.ofMinutes(10);
    Duration h1 = Duration.ofHours(1);
    List<FeatureDef> features = new java.util.ArrayList<>();
    for (int i = 0; i < 70; i++) {
      features.add(
          new FeatureDef(
              "cnt_" + i,
              Aggregation.COUNT,
              null,
              ValueType.LONG,
              i % 3 == 0 ? m10 : h1, // feature 64 not like feature 0 (64 mod 64)
              Duration.ofMinutes(1),
              null,
              null));
    }
    ViewSpec view = new ViewSpec("wide", Duration.ofHours(2), null, features, List.of());
    FeatureSpec spec =
        new FeatureSpec(
            null, TestSpecs.source(Duration.ZERO, Duration.ofMinutes(5)), List.of(view));
    try (Harness h = new Harness(spec)) {
      h.event("a", 0);
      h.event("a", 2 * MIN);
      h.event("a", 20 * MIN);
      h.watermark(3 * HOUR);
      List<FeatureUpdate> u = h.take();
      // valid_from, then the 10 min and the 1 h count there
      long[][] expected = {
        {0, 1, 1},
        {2 * MIN, 2, 2},
        {10 * MIN, 1, 2},
        {12 * MIN, 0, 2},
        {20 * MIN, 1, 3},
        {30 * MIN, 0, 3},
        {HOUR, 0, 2},
        {HOUR + 2 * MIN, 0, 1},
        {HOUR + 20 * MIN, 0, 0}
      };
      assertThat(u).extracting(FeatureUpdate::getValidFrom).hasSize(expected.length);
      for (int k = 0; k < expected.length; k++) {
        assertThat(u.get(k).getValidFrom()).isEqualTo(expected[k][0]);
        for (int i = 0; i < 70; i++) {
          assertThat(u.get(k).getValues().get(i))
              .as("feature %d at %d", i, expected[k][0])
              .isEqualTo(expected[k][i % 3 == 0 ? 1 : 2]);
        }
      }
    }
  }
}
