package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The view state's processing-time state TTL (2 x ttl, refreshed on write) is only a safety net: it
 * must never drop an entity's state before the engine's own cleanup at {@code last_event_time + ttl
 * + allowed_lateness + 1} (docs/semantics.md, State bounds; STYLE 5). Processing time runs with
 * event time here, as in a live stream, and the operator is checkpointed every 10 minutes (the
 * checkpoint is when heap state is written, which refreshes its TTL).
 *
 * <p>The view: a 1 h count and a lifetime count, ttl 1 h. The entity's last event is at 0, its
 * window exit at 1 h is the last write of its state before the cleanup.
 */
class SafetyNetTtlTest {
  private static final long MIN = 60_000L;
  private static final long HOUR = 60 * MIN;

  private static FeatureSpec spec(Duration lateness) {
    ViewSpec view =
        new ViewSpec(
            "counts",
            Duration.ofHours(1),
            null,
            List.of(
                TestSpecs.windowed(
                    "cnt_1h", Aggregation.COUNT, null, ValueType.LONG, Duration.ofHours(1)),
                TestSpecs.lifetime("cnt_life", Aggregation.COUNT, null, ValueType.LONG)),
            List.of());
    return new FeatureSpec(null, TestSpecs.source(Duration.ZERO, lateness), List.of(view));
  }

  /** Watermark and processing time move together to {@code to}, checkpointing every 10 min. */
  private static void liveUntil(Harness h, long from, long to) throws Exception {
    for (long t = from; t <= to; t += 10 * MIN) {
      at(h, t);
    }
    at(h, to);
  }

  private static void at(Harness h, long t) throws Exception {
    h.h.setStateTtlProcessingTime(t);
    h.watermark(t);
    h.snapshot();
  }

  /** The first update of entity a: one event at 0, emitted with processing time 0. */
  private static void firstEvent(Harness h) throws Exception {
    h.h.setStateTtlProcessingTime(0);
    h.event("a", 0);
    at(h, 0);
    assertThat(h.take()).extracting(FeatureUpdate::getValues).containsExactly(List.of(1L, 1L));
  }

  /**
   * Allowed lateness 1 h 59 min, under ttl plus the window: a late event at the ttl (1 h) arriving
   * at the last watermark that still allows it (2 h 59 min) finds the state written at 1 h.
   */
  @ParameterizedTest(name = "RocksDB {0}, {1} decoded entities")
  @CsvSource({"false, 4096", "true, 1"})
  void withinTtlPlusTheWindowALateEventFindsTheState(boolean rocksdb, int cache) throws Exception {
    try (Harness h = new Harness(spec(Duration.ofMinutes(119)), null, rocksdb, cache)) {
      firstEvent(h);
      liveUntil(h, 10 * MIN, 2 * HOUR + 59 * MIN);
      assertThat(h.take()).extracting(FeatureUpdate::getValidFrom).containsExactly(HOUR);
      h.event("b", 3 * HOUR); // on RocksDB, evicts entity a from the decoded ones
      h.event("a", HOUR);
      assertThat(h.take())
          .singleElement()
          .satisfies(
              u -> {
                assertThat(u.getValidFrom()).isEqualTo(HOUR);
                assertThat(u.getRevision()).isEqualTo(1);
                assertThat(u.getValues()).containsExactly(1L, 2L);
              });
      h.watermark(ViewFeatureOperatorTest.DRAIN);
      assertThat(h.leftOver()).isZero();
    }
  }

  /**
   * Allowed lateness 3 h, over ttl plus the window (2 h): a late event at 30 min arriving at 3 h 20
   * min (within the lateness, and within the ttl of the last event at 0) must join the state the
   * engine keeps until 4 h, but the state TTL (last write at 1 h, + 2 h) dropped it at 3 h.
   */
  @ParameterizedTest(name = "RocksDB {0}, {1} decoded entities")
  @CsvSource({"false, 4096", "true, 1"})
  void aLateEventAfterTwiceTheTtlSinceTheLastWriteStillFindsTheState(boolean rocksdb, int cache)
      throws Exception {
    try (Harness h = new Harness(spec(Duration.ofHours(3)), null, rocksdb, cache)) {
      firstEvent(h);
      liveUntil(h, 10 * MIN, 3 * HOUR + 20 * MIN);
      assertThat(h.take()).extracting(FeatureUpdate::getValidFrom).containsExactly(HOUR);
      h.event("b", 3 * HOUR + 30 * MIN); // on RocksDB, evicts entity a from the decoded ones
      h.event("a", 30 * MIN);
      assertThat(h.take())
          .singleElement()
          .satisfies(
              u -> {
                assertThat(u.getValidFrom()).as("valid_from never decreases").isEqualTo(HOUR);
                assertThat(u.getRevision()).isEqualTo(1);
                assertThat(u.getValues()).as("[cnt_1h, cnt_life]").containsExactly(1L, 2L);
              });
    }
  }

  /**
   * A job down for longer than twice the ttl (processing time moves, event time does not) resumes
   * where it stopped: the entity's next event, 10 min after its last one, joins its state.
   */
  @ParameterizedTest(name = "RocksDB {0}")
  @ValueSource(booleans = {false, true})
  void aDowntimeLongerThanTwiceTheTtlKeepsTheState(boolean rocksdb) throws Exception {
    FeatureSpec spec = spec(Duration.ofMinutes(5));
    OperatorSubtaskState snapshot;
    try (Harness h = new Harness(spec, null, rocksdb)) {
      firstEvent(h);
      snapshot = h.snapshot();
    }
    try (Harness h = new Harness(spec, snapshot, rocksdb)) {
      h.h.setStateTtlProcessingTime(2 * HOUR + 1);
      h.event("a", 10 * MIN);
      h.watermark(10 * MIN);
      assertThat(h.take())
          .singleElement()
          .satisfies(u -> assertThat(u.getValues()).containsExactly(2L, 2L));
    }
  }
}
