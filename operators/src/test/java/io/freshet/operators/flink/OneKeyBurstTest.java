package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.OracleAsserts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;

/**
 * One key with a million events in a burst (two per millisecond, eight minutes of event time) is
 * valid input: on RocksDB, every aggregation the engine has (windowed and lifetime, sketches
 * included) ends equal to the naive oracle over all million events, and the entity's saved state
 * stays bounded: its size after a million events is measured against its size after a hundred
 * thousand, and must not grow with the count (tiles and sketches, not events, are kept).
 */
class OneKeyBurstTest {
  private static final int EVENTS = 1_000_000;
  private static final long T0 = 1_767_225_600_000L;

  @Test
  void aMillionEventsOfOneKeyAreExactAndItsStateStaysBounded() throws Exception {
    FeatureSpec spec = TestSpecs.everyAggregation(Duration.ofDays(1), Duration.ZERO);
    ViewSpec view = spec.views().get(0);
    Random rnd = new Random(5);
    List<NaiveOracle.Event> all = new ArrayList<>(EVENTS);
    FeatureUpdate last = null;
    long stateAt100k = -1;
    long stateAtEnd;
    try (Harness h = new Harness(spec, null, true)) {
      List<String> names = h.fields.names();
      for (int i = 0; i < EVENTS; i++) {
        long ts = T0 + i / 2;
        List<Object> values = new ArrayList<>(names.size());
        for (String n : names) {
          values.add(
              switch (n) {
                case "amount" -> rnd.nextInt(50) == 0 ? null : rnd.nextInt(100_000) / 100.0;
                case "qty" -> (long) rnd.nextInt(10);
                case "merchant" -> "m" + rnd.nextInt(500);
                case "flag" -> rnd.nextBoolean();
                default -> throw new IllegalStateException(n);
              });
        }
        h.event("hot", ts, values.toArray());
        all.add(new NaiveOracle.Event(ts, values));
        if (i % 1_000 == 999) {
          // the watermark trails the newest event by the out-of-orderness (2 s)
          h.watermark(ts - 2_000);
        }
        if (i % 10_000 == 9_999) {
          last = newest(h.take(), last);
        }
        if (i == 99_999) {
          stateAt100k = keyedStateBytes(h.snapshot());
        }
      }
      long end = T0 + (EVENTS - 1) / 2;
      h.watermark(end);
      last = newest(h.take(), last);
      stateAtEnd = keyedStateBytes(h.snapshot());
    }
    System.out.printf(
        "one key, %,d events: keyed state %,d bytes after 100,000 events, %,d after %,d%n",
        EVENTS, stateAt100k, stateAtEnd, EVENTS);
    assertThat(stateAtEnd)
        .as("state bytes after a million events against a hundred thousand")
        .isLessThan(2 * stateAt100k)
        .isLessThan(1 << 20);

    assertThat(last).isNotNull();
    long t = last.getValidFrom();
    assertThat(t).isEqualTo(T0 + (EVENTS - 1) / 2);
    Object[] expected = new NaiveOracle(view, SourceFields.of(spec)).vector(all, t);
    for (int i = 0; i < view.features().size(); i++) {
      FeatureDef f = view.features().get(i);
      String what = f.name() + " after " + EVENTS + " events";
      switch (f.aggregation()) {
        // sketches: within their documented bounds
        case APPROX_PERCENTILE, APPROX_COUNT_DISTINCT ->
            OracleAsserts.assertFeature(f, what, last.getValues().get(i), expected[i]);
        // sums of a million doubles in another order: equal to 1e-9 relative
        default -> OracleAsserts.assertSameTight(what, last.getValues().get(i), expected[i]);
      }
    }
  }

  private static FeatureUpdate newest(List<FeatureUpdate> updates, FeatureUpdate before) {
    return updates.isEmpty() ? before : updates.get(updates.size() - 1);
  }

  /** The size of the managed keyed state in a snapshot, in bytes. */
  private static long keyedStateBytes(OperatorSubtaskState s) {
    long bytes = 0;
    for (KeyedStateHandle k : s.getManagedKeyedState()) {
      bytes += k.getStateSize();
    }
    return bytes;
  }
}
