package io.freshet.state.agg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The distinct count of a set of values is a function of the set: the same values give the same
 * feature value whatever happened to the partial on the way. A job that restored from a checkpoint
 * halfway (the sketch written and read back), a backfill that saw the values in another order and a
 * window merged from tiles must all serve what a job that never stopped serves, or the history of a
 * restarted job differs from a clean run's. The long fault run found this: with about 4,900
 * distinct merchants in a window, a job restored from checkpoints wrote 4,886 where a clean run
 * wrote 4,885 (the sketch's HIP estimator depends on the order of updates and is not carried
 * through a restore).
 */
class DistinctDeterminismTest {
  @ParameterizedTest(name = "{0} distinct values")
  @ValueSource(ints = {DistinctPartial.EXACT_LIMIT + 1, 200, 1_000, 5_000, 20_000, 100_000})
  void theValueDependsOnTheSetOnly(int n) {
    Random r = new Random(n);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      values.add("m" + r.nextLong());
    }
    Object straight = fed(values).value(0);

    // restored from state at several points, then fed the rest
    for (int cut : new int[] {n / 7, n / 2, n - 3}) {
      DistinctPartial p = fed(values.subList(0, cut));
      DistinctPartial restored = (DistinctPartial) PartialsForTests.roundTrip(p);
      for (String v : values.subList(cut, n)) {
        restored.add(v, 0);
      }
      assertThat(restored.value(0)).as("restored after %d of %d", cut, n).isEqualTo(straight);
    }

    // the same values in another order
    List<String> shuffled = new ArrayList<>(values);
    Collections.shuffle(shuffled, new Random(7));
    assertThat(fed(shuffled).value(0)).as("in another order").isEqualTo(straight);

    // merged from two tiles, and from a tile into a copy of another
    DistinctPartial left = fed(values.subList(0, n / 3));
    left.merge(fed(values.subList(n / 3, n)));
    assertThat(left.value(0)).as("merged from two parts").isEqualTo(straight);

    // with repeated values added again (a count of distinct values ignores them)
    DistinctPartial again = fed(values);
    for (String v : values.subList(0, n / 2)) {
      again.add(v, 0);
    }
    assertThat(again.value(0)).as("with repeats").isEqualTo(straight);
  }

  private static DistinctPartial fed(List<String> values) {
    DistinctPartial p = new DistinctPartial();
    for (String v : values) {
      p.add(v, 0);
    }
    return p;
  }
}
