package io.freshet.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.generate.PaymentsGenerator.Event;
import io.freshet.cli.generate.PaymentsGenerator.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaymentsGeneratorTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private static List<String> render(PaymentsGenerator g) {
    List<String> out = new ArrayList<>();
    for (Event e : g) {
      out.add(
          e.kind()
              + "|"
              + (e.payment() == null ? "-" : JsonEvents.toJson(e.payment()))
              + "|"
              + e.delayMillis()
              + "|"
              + e.fraud());
    }
    return out;
  }

  @Test
  void theSameSeedGivesTheSameEventsAndAnotherSeedOthers() {
    var settings = PaymentsGenerator.Settings.of(20_000, 300, 3, 7, START);
    List<String> a = render(new PaymentsGenerator(settings));
    List<String> b = render(new PaymentsGenerator(settings));
    assertThat(a).hasSize(20_000).isEqualTo(b);
    List<String> c =
        render(new PaymentsGenerator(PaymentsGenerator.Settings.of(20_000, 300, 3, 8, START)));
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void eventsAreSkewedBurstyOutOfOrderAndSometimesMalformed() {
    var settings =
        PaymentsGenerator.Settings.of(100_000, 1_000, 7, 42, START)
            .withLateFractions(0.005, 0.001)
            .withMalformedFraction(0.001);
    PaymentsGenerator g = new PaymentsGenerator(settings);
    Map<String, Integer> perCustomer = new HashMap<>();
    Map<Kind, Integer> kinds = new HashMap<>();
    long end = START.plus(Duration.ofDays(7)).toEpochMilli();
    long maxSeen = Long.MIN_VALUE;
    int outOfOrder = 0;
    int late = 0;
    int tooLate = 0;
    int fraud = 0;
    long lastArrival = Long.MIN_VALUE;
    for (Event e : g) {
      kinds.merge(e.kind(), 1, Integer::sum);
      if (!e.valid()) {
        continue;
      }
      long ts = e.payment().getEventTime().toEpochMilli();
      assertThat(ts).isBetween(START.toEpochMilli(), end - 1);
      long arrival = ts + e.delayMillis();
      assertThat(arrival).as("arrival order").isGreaterThanOrEqualTo(lastArrival);
      lastArrival = arrival;
      long behind = maxSeen == Long.MIN_VALUE ? 0 : maxSeen - ts;
      if (behind > 0 && behind <= 2_000) {
        outOfOrder++;
      } else if (behind > 2_000 && behind <= Duration.ofMinutes(10).toMillis()) {
        late++;
      } else if (behind > Duration.ofMinutes(10).toMillis()) {
        tooLate++;
        assertThat(e.tooLate()).isTrue();
      }
      maxSeen = Math.max(maxSeen, ts);
      perCustomer.merge(e.payment().getCustomerId(), 1, Integer::sum);
      fraud += e.fraud() ? 1 : 0;
    }
    // a few heavy customers: the busiest 1% make well over 10% of the payments
    List<Integer> counts = new ArrayList<>(perCustomer.values());
    counts.sort((x, y) -> y - x);
    long top = counts.subList(0, 10).stream().mapToLong(Integer::longValue).sum();
    assertThat(top).isGreaterThan(100_000 / 10);
    String counts1 =
        "out of order "
            + outOfOrder
            + ", late "
            + late
            + ", too late "
            + tooLate
            + ", fraud "
            + fraud;
    // 100k payments over 7 days are 6 s apart on average: 1.5 s of disorder overtakes few
    assertThat(outOfOrder).as(counts1).isGreaterThan(50);
    assertThat(late).as(counts1).isBetween(150, 1_000);
    assertThat(tooLate).as(counts1).isBetween(30, 300);
    assertThat(fraud).as(counts1).isGreaterThan(500);
    assertThat(kinds.get(Kind.NOT_AVRO)).isPositive();
    assertThat(kinds.get(Kind.EMPTY_CUSTOMER)).isPositive();
    assertThat(kinds.get(Kind.BAD_EVENT_TIME)).isPositive();
    assertThat(kinds.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100_000);
  }

  @Test
  void labelsAreTheBurstsAndASampleOfTheRestInTimeOrder() {
    PaymentsGenerator g =
        new PaymentsGenerator(PaymentsGenerator.Settings.of(20_000, 300, 3, 7, START));
    List<Labels.Row> rows = Labels.rows(g);
    assertThat(rows).isNotEmpty();
    assertThat(rows).anyMatch(r -> r.label() == 1).anyMatch(r -> r.label() == 0);
    for (int i = 1; i < rows.size(); i++) {
      assertThat(rows.get(i).timestamp()).isGreaterThanOrEqualTo(rows.get(i - 1).timestamp());
    }
  }
}
