package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an integer sum does past {@code Long.MAX_VALUE}: it wraps like Java {@code long}
 * (docs/semantics.md, Nulls and empty windows), in a tile, across tiles of a window and in a
 * lifetime sum, and a window that loses the tile that overflowed it is exact again (tiles are
 * merged afresh, never subtracted). An average over the same long values is a double and does not
 * wrap. Pinned so that a change (saturating, failing, widening) is a decision, not an accident.
 */
class LongSumOverflowTest {
  private static final long MIN = 60_000L;

  private static FeatureSpec spec() {
    Duration m10 = Duration.ofMinutes(10);
    ViewSpec view =
        new ViewSpec(
            "sums",
            Duration.ofHours(1),
            null,
            List.of(
                TestSpecs.windowed("qty_sum_10m", Aggregation.SUM, "qty", ValueType.LONG, m10),
                TestSpecs.lifetime("qty_sum_life", Aggregation.SUM, "qty", ValueType.LONG),
                TestSpecs.windowed("qty_avg_10m", Aggregation.AVG, "qty", ValueType.LONG, m10)),
            List.of());
    return new FeatureSpec(
        null, TestSpecs.source(Duration.ZERO, Duration.ofMinutes(5)), List.of(view));
  }

  @Test
  void integerSumsWrapLikeJavaLongAndRecoverWhenTheTileLeaves() throws Exception {
    try (Harness h = new Harness(spec())) {
      h.event("a", 0, Long.MAX_VALUE);
      h.event("a", 0, 1L); // same tile, same millisecond: wraps inside the tile
      h.event("a", 2 * MIN, Long.MAX_VALUE); // another tile: wraps across tiles
      h.event("a", 3 * MIN, 5L);
      h.watermark(3 * MIN);
      h.watermark(11 * MIN); // tile 0 has left the window at 10 min
      h.watermark(12 * MIN); // so has tile 2 min, at 12 min
      List<FeatureUpdate> u = h.take();
      assertThat(u)
          .extracting(FeatureUpdate::getValidFrom)
          .containsExactly(0L, 2 * MIN, 3 * MIN, 10 * MIN, 12 * MIN);
      assertThat(u)
          .extracting(x -> x.getValues().subList(0, 2))
          .containsExactly(
              Arrays.asList(Long.MIN_VALUE, Long.MIN_VALUE),
              Arrays.asList(-1L, -1L),
              Arrays.asList(4L, 4L),
              Arrays.asList(Long.MIN_VALUE + 4, 4L),
              Arrays.asList(5L, 4L));
      double max = (double) Long.MAX_VALUE;
      assertThat(u)
          .extracting(x -> x.getValues().get(2))
          .containsExactly(
              (max + 1) / 2, (max + 1 + max) / 3, (max + 1 + max + 5) / 4, (max + 5) / 2, 5.0);
    }
  }
}
