package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A late event within the allowed lateness, followed before the next watermark by a later late
 * event, must not skip the window exit between them (issue 13, measured): a 10-minute count,
 * allowed lateness 10 min, watermark at 12:00:30; late events at 11:50:40 and 12:00:10. The tile of
 * 11:50 leaves the window at 12:00:00, where the count is 0: a training row at 12:00:05 must read
 * 0, as the recomputation does, not the 1 of 11:50:40.
 */
class LateEventWindowExitTest {
  private static final long MIN = 60_000L;
  private static final long NOON = 1_767_268_800_000L; // 2026-01-01T12:00Z

  @Test
  void everyDueInstantBeforeALateEventIsWalked() throws Exception {
    FeatureDef count =
        new FeatureDef(
            "cnt_10m",
            Aggregation.COUNT,
            null,
            ValueType.LONG,
            Duration.ofMinutes(10),
            Duration.ofMinutes(1),
            null,
            null);
    ViewSpec view = new ViewSpec("counts", Duration.ofHours(2), null, List.of(count), List.of());
    FeatureSpec spec =
        new FeatureSpec(
            null, TestSpecs.source(Duration.ZERO, Duration.ofMinutes(10)), List.of(view));
    long first = NOON - 9 * MIN - 20_000; // 11:50:40
    long second = NOON + 10_000; // 12:00:10
    try (Harness h = new Harness(spec)) {
      h.watermark(NOON + 30_000); // other entities moved event time to 12:00:30
      h.event("a", first);
      h.event("a", second);
      h.watermark(NOON + 20 * MIN);
      List<FeatureUpdate> u = h.take();
      assertThat(u)
          .extracting(FeatureUpdate::getValidFrom, x -> x.getValues().get(0))
          .containsExactly(
              tuple(first, 1L), // the first late event
              tuple(NOON, 0L), // its tile leaves the window
              tuple(second, 1L), // the second late event
              tuple(NOON + 10 * MIN, 0L)); // and its tile leaves
      // each row equals the recomputation at its valid_from, and holds until the next one
      NaiveOracle oracle = new NaiveOracle(view, SourceFields.of(spec));
      List<NaiveOracle.Event> events =
          List.of(
              new NaiveOracle.Event(first, List.of()), new NaiveOracle.Event(second, List.of()));
      for (FeatureUpdate x : u) {
        assertThat(x.getValues().get(0))
            .as("count at %s", x.getValidFrom())
            .isEqualTo(oracle.vector(events, x.getValidFrom())[0]);
      }
      assertThat(oracle.vector(events, NOON + 5_000)[0])
          .as("a training row at 12:00:05")
          .isEqualTo(0L);
    }
  }
}
