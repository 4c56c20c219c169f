package io.freshet.state.agg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class LogHistogramTest {
  @Test
  void anyOrderAndAnyMergeTreeGiveTheSameSketch() {
    Random r = new Random(5);
    List<Double> xs = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      xs.add(r.nextDouble() < 0.1 ? 0.0 : r.nextGaussian() * 1000);
    }
    LogHistogram inOrder = new LogHistogram();
    xs.forEach(inOrder::add);
    for (int round = 0; round < 5; round++) {
      Collections.shuffle(xs, new Random(round));
      LogHistogram merged = new LogHistogram();
      int parts = 2 + round * 3;
      for (int p = 0; p < parts; p++) {
        LogHistogram part = new LogHistogram();
        for (int i = p; i < xs.size(); i += parts) {
          part.add(xs.get(i));
        }
        merged.merge(part);
      }
      assertThat(merged).isEqualTo(inOrder);
      assertThat(merged.quantile(0.9)).isEqualTo(inOrder.quantile(0.9));
    }
  }

  @Test
  void quantilesAreWithinTheRelativeAccuracy() {
    Random r = new Random(8);
    double[] xs = new double[50_000];
    LogHistogram h = new LogHistogram();
    for (int i = 0; i < xs.length; i++) {
      xs[i] = Math.exp(r.nextGaussian() * 3) * (r.nextBoolean() ? 1 : -1);
      h.add(xs[i]);
    }
    Arrays.sort(xs);
    for (double q : new double[] {0.001, 0.1, 0.25, 0.5, 0.75, 0.95, 0.999, 1.0}) {
      double exact = xs[PercentilePartial.exactIndex(q, xs.length)];
      assertThat(h.quantile(q))
          .as("q=%s", q)
          .isCloseTo(exact, Percentage.withPercentage(LogHistogram.ALPHA * 100 + 1e-9));
    }
    assertThat(h.count()).isEqualTo(xs.length);
  }
}
