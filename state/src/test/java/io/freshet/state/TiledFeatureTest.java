package io.freshet.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.PartialsForTests;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cached merge of a {@link TiledFeature} is derived data: whatever the history of adds, prunes
 * and reads, a value must equal, bit for bit, the value of a fresh copy (which has no cache and
 * merges every tile). Floating sums make any change of merge order show.
 */
class TiledFeatureTest {
  private static final long MIN = 60_000L;

  @ParameterizedTest
  @EnumSource(PartialKind.class)
  void cachedValueEqualsARebuiltOneBitForBit(PartialKind kind) {
    Supplier<Partial> empty = PartialsForTests.emptyOf(kind);
    Function<Random, Object> values = PartialsForTests.values(kind);
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      TiledFeature f = new TiledFeature(60 * MIN, 5 * MIN); // 12 tiles
      long now = 1_767_225_600_000L;
      for (int step = 0; step < 400; step++) {
        double dice = r.nextDouble();
        if (dice < 0.55) {
          now += r.nextDouble() < 0.8 ? r.nextInt(3 * (int) MIN) : r.nextInt(90 * (int) MIN);
        }
        if (dice < 0.85) {
          // mostly on time; some late events, into older tiles still in the window
          long ts = r.nextDouble() < 0.9 ? now : now - r.nextInt(50 * (int) MIN);
          f.add(values.apply(r), ts, empty);
        }
        f.prune(now);
        Object cached = f.value(now, empty);
        Object rebuilt = f.copy().value(now, empty);
        assertThat(cached)
            .as("%s, seed %d, step %d at %d", kind, seed, step, now)
            .isEqualTo(rebuilt);
      }
    }
  }
}
