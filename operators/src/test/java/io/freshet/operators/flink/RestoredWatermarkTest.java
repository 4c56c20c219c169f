package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A job resumed from a savepoint keeps the event time it had reached: an event at or before that
 * watermark is late, as it was for the run that saved the state, and becomes a correction as of the
 * state's time. Restored with no watermark, it would wait as an on-time event and be emitted valid
 * from its own time, behind the entity's newest valid_from (valid_from going back).
 */
class RestoredWatermarkTest {
  private static final long MIN = 60_000L;

  @ParameterizedTest(name = "RocksDB {0}")
  @ValueSource(booleans = {false, true})
  void anEventBehindTheSavedWatermarkIsACorrectionAfterTheRestore(boolean rocksdb)
      throws Exception {
    var spec = TestSpecs.countOnly(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(2));
    OperatorSubtaskState saved;
    long newest;
    try (Harness h = new Harness(spec, null, rocksdb)) {
      h.event("a", 10 * MIN);
      h.event("b", 30 * MIN);
      h.watermark(30 * MIN);
      List<FeatureUpdate> before = h.take();
      newest =
          before.stream()
              .filter(u -> u.getEntity().equals("a"))
              .mapToLong(FeatureUpdate::getValidFrom)
              .max()
              .orElseThrow();
      saved = h.snapshot();
    }
    try (Harness h = new Harness(spec, saved, rocksdb)) {
      h.event("a", 27 * MIN); // 3 min behind the saved watermark, within the allowed 5 min
      h.watermark(31 * MIN);
      List<FeatureUpdate> after = h.take().stream().filter(u -> u.getEntity().equals("a")).toList();
      assertThat(after).isNotEmpty();
      assertThat(after.get(0).getCorrection()).as("a correction").isTrue();
      assertThat(after)
          .as("valid_from of a after the restore never goes back")
          .allSatisfy(u -> assertThat(u.getValidFrom()).isGreaterThanOrEqualTo(newest));
      assertThat(after.get(0).getValues().get(0)).isEqualTo(2L);
    }
  }
}
