package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.operators.TestSpecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Events of one entity that share a millisecond are applied in a canonical order, so any arrival
 * order gives the same updates byte for byte (docs/semantics.md, Ordering and determinism), also
 * where the order shows: floating sums (1e16 + 1 - 1e16 is not 1 - 1e16 + 1e16), first and last
 * ties, a decayed sum and a percentile. (Late events are applied one by one as they arrive, so
 * their order does show, in the last bits of floating sums: documented, not tested here.)
 */
class SameMillisecondOrderTest {
  private static final long T = 1_767_225_600_000L;

  private static List<Object[]> burst() {
    List<Object[]> b = new ArrayList<>();
    double[] amounts = {1e16, 1.0, -1e16, 0.1, 0.2, 0.3, 3.0e-5, -7.25};
    for (int i = 0; i < amounts.length; i++) {
      b.add(new Object[] {amounts[i], (long) (i * 37 % 11), "m" + (i * 5 % 8), i % 3 == 0});
    }
    b.add(new Object[] {null, 4L, "m1", false});
    return b;
  }

  private static List<String> run(List<Object[]> onTime) throws Exception {
    try (Harness h =
        new Harness(TestSpecs.everyAggregation(Duration.ofHours(30), Duration.ofMinutes(5)))) {
      h.event("a", T - 60_000, 5.0, 1L, "m0", true);
      for (Object[] v : onTime) {
        h.event("a", T, v);
      }
      h.watermark(ViewFeatureOperatorTest.DRAIN);
      assertThat(h.leftOver()).isZero();
      return RestoreCarriesLateEventsTest.bytes(h.take());
    }
  }

  @Test
  void everyArrivalOrderOfASameMillisecondBurstGivesTheSameBytes() throws Exception {
    List<String> first = run(burst());
    assertThat(first).hasSizeGreaterThan(2);
    Random r = new Random(7);
    for (int i = 0; i < 30; i++) {
      List<Object[]> shuffled = new ArrayList<>(burst());
      Collections.shuffle(shuffled, r);
      assertThat(run(shuffled)).as("order %d", i).isEqualTo(first);
    }
  }
}
