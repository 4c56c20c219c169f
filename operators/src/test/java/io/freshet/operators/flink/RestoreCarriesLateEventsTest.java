package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.spec.FeatureSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A restore from a snapshot carries what only the keyed state knows: the revision of the latest
 * valid_from (a correction after the restore counts on from it), the state's time (a correction is
 * as of it), the classification of late events against the watermark (re-sent by the source after a
 * restore), and the ttl cleanup instants (the wake-ups rebuilt from state). The input has late
 * events within and beyond the allowed lateness, same-millisecond bursts and silences longer than
 * the ttl; cut at many points, the restored operator must emit, update for update and byte for
 * byte, what an uninterrupted one does, send the same events to the late output, and drain.
 */
class RestoreCarriesLateEventsTest {
  private static final Duration TTL = Duration.ofHours(30);
  private static final Duration LATENESS = Duration.ofMinutes(5);
  private static final FeatureSpec SPEC = TestSpecs.everyAggregation(TTL, LATENESS);

  /** An event {entity, ts, values...} or a watermark {null, wm}. */
  private static List<Object[]> input(long seed) {
    Random r = new Random(seed);
    List<Object[]> in = new ArrayList<>();
    long clock = 1_767_225_600_000L;
    long wm = Long.MIN_VALUE;
    for (int i = 0; i < 400; i++) {
      int kind = r.nextInt(20);
      clock += kind == 0 ? TTL.toMillis() + r.nextInt(3_600_000) : r.nextInt(90_000);
      long ts;
      if (kind == 1 && wm != Long.MIN_VALUE) {
        ts = wm - r.nextInt(300_000); // late, within the allowed lateness
      } else if (kind == 2 && wm != Long.MIN_VALUE) {
        ts = wm - 300_001 - r.nextInt(600_000); // too late
      } else if (kind == 3 && !in.isEmpty() && in.get(in.size() - 1)[0] != null) {
        ts = (Long) in.get(in.size() - 1)[1]; // same millisecond as the previous event
      } else {
        ts = clock - r.nextInt(2_000);
      }
      in.add(
          new Object[] {
            "u" + r.nextInt(5),
            ts,
            r.nextInt(10) == 0 ? null : r.nextInt(10_000) / 100.0,
            (long) r.nextInt(10),
            "m" + r.nextInt(30),
            r.nextBoolean()
          });
      if (r.nextInt(4) == 0) {
        wm = Math.max(wm, clock - 2_001);
        in.add(new Object[] {null, wm});
      }
    }
    in.add(new Object[] {null, ViewFeatureOperatorTest.DRAIN});
    return in;
  }

  /**
   * What a run emits: updates as Avro bytes and as text, per entity in emission order (the order
   * between entities is not defined); the late output.
   */
  private record Run(List<String> updates, List<String> text, List<EventRow> late) {
    static Run of(List<FeatureUpdate> emitted, List<EventRow> late) throws Exception {
      List<FeatureUpdate> sorted = new ArrayList<>(emitted);
      sorted.sort(java.util.Comparator.comparing(u -> u.getEntity().toString())); // stable
      return new Run(bytes(sorted), sorted.stream().map(Object::toString).toList(), late);
    }

    /** Equal bytes, or the first update that differs, readable. */
    void assertSameAs(Run expected, String as) {
      for (int i = 0; i < Math.min(updates.size(), expected.updates.size()); i++) {
        if (!updates.get(i).equals(expected.updates.get(i))) {
          assertThat(text.get(i)).as("%s: update %d", as, i).isEqualTo(expected.text.get(i));
          assertThat(updates.get(i)).as("%s: update %d", as, i).isEqualTo(expected.updates.get(i));
        }
      }
      assertThat(text).as(as).hasSameSizeAs(expected.text);
      assertThat(late).as("%s: late output", as).isEqualTo(expected.late);
    }
  }

  private static Run uninterrupted(List<Object[]> in) throws Exception {
    try (Harness h = new Harness(SPEC)) {
      long wm = feed(h, in, 0, in.size(), Long.MIN_VALUE);
      assertThat(wm).isEqualTo(ViewFeatureOperatorTest.DRAIN);
      assertThat(h.leftOver()).isZero();
      return Run.of(h.take(), h.late());
    }
  }

  private static Run cutAt(List<Object[]> in, int cut, boolean rocksdb, int cache)
      throws Exception {
    List<FeatureUpdate> updates = new ArrayList<>();
    List<EventRow> late = new ArrayList<>();
    OperatorSubtaskState snapshot;
    long wm;
    try (Harness first = new Harness(SPEC, null, rocksdb, cache)) {
      wm = feed(first, in, 0, cut, Long.MIN_VALUE);
      updates.addAll(first.take());
      late.addAll(first.late());
      snapshot = first.snapshot();
    }
    try (Harness second = new Harness(SPEC, snapshot, rocksdb, cache)) {
      if (wm != Long.MIN_VALUE) {
        second.watermark(wm); // the source's watermark comes again after a restore
      }
      feed(second, in, cut, in.size(), wm);
      updates.addAll(second.take());
      late.addAll(second.late());
      assertThat(second.leftOver()).as("cut at %d: drained", cut).isZero();
    }
    return Run.of(updates, late);
  }

  /** Feeds in[from, to); returns the last watermark. */
  private static long feed(Harness h, List<Object[]> in, int from, int to, long wm)
      throws Exception {
    for (Object[] x : in.subList(from, to)) {
      if (x[0] == null) {
        wm = (Long) x[1];
        h.watermark(wm);
      } else {
        h.event((String) x[0], (Long) x[1], Arrays.copyOfRange(x, 2, x.length));
      }
    }
    return wm;
  }

  static List<String> bytes(List<FeatureUpdate> updates) throws Exception {
    List<String> out = new ArrayList<>();
    for (FeatureUpdate u : updates) {
      out.add(u.getEntity() + " " + java.util.HexFormat.of().formatHex(u.toByteBuffer().array()));
    }
    return out;
  }

  @Test
  void theInputExercisesCorrectionsTooLateEventsAndTtlCleanups() throws Exception {
    List<Object[]> in = input(3);
    try (Harness h = new Harness(SPEC)) {
      feed(h, in, 0, in.size(), Long.MIN_VALUE);
      List<FeatureUpdate> u = h.take();
      assertThat(u).filteredOn(FeatureUpdate::getCorrection).hasSizeGreaterThan(5);
      assertThat(u).filteredOn(x -> x.getRevision() > 0).hasSizeGreaterThan(2);
      assertThat(h.late()).hasSizeGreaterThan(5);
      // lifetime counts back at 1 after silences longer than the ttl, more often than the 5
      // entities' first events: the cleanup ran
      int lifetimeCount = SPEC.views().get(0).indexOf("cnt_life");
      assertThat(u)
          .filteredOn(x -> !x.getCorrection() && x.getValues().get(lifetimeCount).equals(1L))
          .hasSizeGreaterThan(5 + 3);
    }
  }

  /** Every step-th position, and just before every late event (where a revision counts on). */
  private static java.util.SortedSet<Integer> cuts(List<Object[]> in, int step) {
    java.util.SortedSet<Integer> cuts = new java.util.TreeSet<>();
    long wm = Long.MIN_VALUE;
    for (int i = 1; i < in.size(); i++) {
      Object[] x = in.get(i);
      if (x[0] == null) {
        wm = (Long) x[1];
      } else if ((Long) x[1] <= wm && step < 50) {
        cuts.add(i);
      }
      if (i % step == 0) {
        cuts.add(i);
      }
    }
    return cuts;
  }

  @ParameterizedTest(name = "RocksDB {0}, {1} decoded entities")
  @CsvSource({"false, 4096", "true, 2"})
  void aRestoreAnywhereEmitsWhatAnUninterruptedRunDoes(boolean rocksdb, int cache)
      throws Exception {
    List<Object[]> in = input(3);
    Run expected = uninterrupted(in);
    int step = rocksdb ? 97 : 23;
    for (int cut : cuts(in, step)) {
      Run restored = cutAt(in, cut, rocksdb, cache);
      restored.assertSameAs(expected, "cut at " + cut);
    }
  }

  /**
   * After a restore the operator's watermark starts over (it is not in the snapshot) and records
   * can arrive before the source's first watermark: an event that was too late before the restore
   * must still be too late, not applied as on time behind the entity's valid_from.
   */
  @Test
  void anEventTooLateBeforeTheRestoreIsStillTooLateBeforeTheFirstWatermark() throws Exception {
    FeatureSpec spec =
        TestSpecs.countOnly(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(2));
    long min = 60_000L;
    OperatorSubtaskState snapshot;
    try (Harness h = new Harness(spec)) {
      h.event("a", 0);
      h.event("a", 10 * min);
      h.watermark(20 * min);
      assertThat(h.take()).extracting(FeatureUpdate::getValidFrom).containsExactly(0L, 10 * min);
      snapshot = h.snapshot();
    }
    try (Harness h = new Harness(spec, snapshot)) {
      h.event("a", 5 * min); // 15 min behind the watermark, lateness 5 min
      h.watermark(20 * min);
      h.watermark(30 * min);
      assertThat(h.take()).as("no update behind valid_from 10 min").isEmpty();
      assertThat(h.late()).extracting(EventRow::getEventTime).containsExactly(5 * min);
    }
  }
}
