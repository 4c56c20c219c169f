package io.freshet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PaymentGeneratorTest {

  @Test
  void sameSeedSameEvents() {
    PaymentGenerator a = new PaymentGenerator(7, 10_000, 500, 7);
    PaymentGenerator b = new PaymentGenerator(7, 10_000, 500, 7);
    for (long i = 0; i < 10_000; i++) {
      assertThat(b.payment(i)).isEqualTo(a.payment(i));
    }
  }

  @Test
  void otherSeedOtherEvents() {
    PaymentGenerator a = new PaymentGenerator(7, 1_000, 500, 7);
    PaymentGenerator b = new PaymentGenerator(8, 1_000, 500, 7);
    int same = 0;
    for (long i = 0; i < 1_000; i++) {
      if (a.payment(i).customerId().equals(b.payment(i).customerId())) {
        same++;
      }
    }
    assertThat(same).isLessThan(100);
  }

  @Test
  void eventTimesSpanTheDaysWithBoundedDisorder() {
    int n = 100_000;
    PaymentGenerator g = new PaymentGenerator(42, n, 1_000, 7);
    long max = g.payment(0).eventTime();
    for (long i = 0; i < n; i++) {
      long t = g.payment(i).eventTime();
      assertThat(max - t).isLessThanOrEqualTo(PaymentGenerator.MAX_DISORDER_MILLIS);
      max = Math.max(max, t);
    }
    assertThat(g.payment(0).eventTime())
        .isGreaterThanOrEqualTo(
            PaymentGenerator.BASE_TIME_MILLIS - PaymentGenerator.MAX_DISORDER_MILLIS);
    assertThat(max).isLessThan(PaymentGenerator.BASE_TIME_MILLIS + 7 * 86_400_000L);
    assertThat(max).isGreaterThan(PaymentGenerator.BASE_TIME_MILLIS + 7 * 86_400_000L - 60_000);
  }

  @Test
  void customersAreSkewed() {
    int n = 100_000;
    int customers = 1_000;
    PaymentGenerator g = new PaymentGenerator(42, n, customers, 7);
    int top = 0;
    for (long i = 0; i < n; i++) {
      if (Integer.parseInt(g.payment(i).customerId().substring(1)) < customers / 100) {
        top++;
      }
    }
    // the first 1% of customer ids make about 10% of the payments (sqrt(0.01))
    assertThat(top).isBetween(n / 12, n / 8);
  }

  @Test
  void interleaveIsABijectionThatSpreadsEachBlock() {
    long events = 1_000;
    int p = 4;
    Set<Long> seen = new HashSet<>();
    for (long n = 0; n < events; n++) {
      long i = PaymentGenerator.interleave(n, events, p);
      assertThat(i).isBetween(0L, events - 1);
      assertThat(seen.add(i)).isTrue();
    }
    // reader k reads the block [k * 250, (k + 1) * 250): events k, k + 4, k + 8, ...
    assertThat(PaymentGenerator.interleave(250, events, p)).isEqualTo(1);
    assertThat(PaymentGenerator.interleave(251, events, p)).isEqualTo(5);
  }
}
