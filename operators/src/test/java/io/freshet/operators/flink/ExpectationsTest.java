package io.freshet.operators.flink;

import static io.freshet.operators.flink.ViolationJudgeHarness.forward;
import static io.freshet.operators.flink.ViolationJudgeHarness.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.CheckPartial;
import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.avro.Violation;
import io.freshet.operators.features.Expectations;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * In-stream expectations, through both operators as the job wires them (two reader subtasks, the
 * judge keyed by check): a null burst, an out-of-range value, a value not allowed (dead-lettered,
 * as its expectation says) and a broken cross-field rule each raise their violation when the
 * watermark closes the period, with counts over both subtasks and samples with partition and
 * offset; a clean period raises none; a stalled source and a lagging watermark raise freshness
 * violations, in processing time.
 */
class ExpectationsTest {
  private static final long MIN = 60_000;

  private static final FeatureSpec SPEC =
      SpecParser.parse(
          Path.of("../examples/payments/expectations.yaml"),
          """
          source:
            name: payments
            topic: payments
            schema: payment.avsc
            entity: customer_id
            event_time: event_time
            freshness: {max_silence: 2m, max_watermark_lag: 5m}
          views:
            - name: risk
              ttl: 1d
              expectation_period: 1m
              features:
                - {name: n, agg: count, window: 1h}
              expectations:
                amount: {min: 0, max: 1000, max_null_rate: 0.2}
                currency: {allowed: [EUR, USD], dead_letter: true}
              rules:
                - {name: domestic_euro, expr: "currency != 'EUR' || country == 'FR'"}
          """);

  private static final SourceFields FIELDS = SourceFields.of(SPEC);
  private static final Expectations CHECKS = Expectations.of(SPEC, FIELDS);

  /** An event; values laid out as the source lays them: amount, currency, then country. */
  private static StreamRecord<Decoded> event(
      int partition, long offset, long ts, Double amount, String currency, String country) {
    assertThat(FIELDS.names()).containsExactly("amount", "currency", "country");
    return new StreamRecord<>(
        new Decoded(
            new EventRow("c" + offset, ts, Arrays.asList(amount, currency, country)),
            null,
            partition,
            offset),
        ts);
  }

  private static OneInputStreamOperatorTestHarness<Decoded, Decoded> reader(int subtask)
      throws Exception {
    var h =
        new OneInputStreamOperatorTestHarness<>(
            new ExpectationOperator(SPEC.source(), CHECKS), 2, 2, subtask);
    h.setProcessingTime(0);
    h.open();
    return h;
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, CheckPartial, Violation> judge()
      throws Exception {
    return ViolationJudgeHarness.judge(SPEC.source(), CHECKS);
  }

  @Test
  void eachBrokenExpectationRaisesItsViolationWhenThePeriodCloses() throws Exception {
    var r0 = reader(0);
    var r1 = reader(1);
    var judge = judge();
    // period [0, 1 min): subtask 0 has 10 clean events; subtask 1 a null burst (3 of the 15
    // records in all: 0.2, not above the bound) and one of each broken per-record check
    for (int i = 0; i < 10; i++) {
      r0.processElement(event(0, i, 1000 + i, 10.0 + i, "USD", "US"));
    }
    for (int i = 0; i < 3; i++) {
      r1.processElement(event(1, 100 + i, 2000 + i, null, "USD", "US"));
    }
    r1.processElement(event(1, 200, 3000, -5.0, "USD", "US"));
    r1.processElement(event(1, 201, 3001, 20.0, "GBP", "GB"));
    r1.processElement(event(1, 202, 3002, 20.0, "EUR", "DE"));
    // [1 min, 2 min): a null burst of 4 in 10 on subtask 0 alone, and nothing broken otherwise
    for (int i = 0; i < 10; i++) {
      r0.processElement(event(0, 300 + i, MIN + i, i < 4 ? null : 5.0, "EUR", "FR"));
    }
    forward(List.of(r0, r1), judge, MIN - 1);
    assertThat(judge.extractOutputValues()).as("before the period ends").isEmpty();

    forward(List.of(r0, r1), judge, MIN);
    List<Violation> first = judge.extractOutputValues();
    assertThat(first)
        .extracting(Violation::getRule)
        .containsExactlyInAnyOrder("min", "allowed", "rule:domestic_euro");
    Violation min = only(first, "min");
    assertThat(min.getField()).isEqualTo("amount");
    assertThat(min.getExpected()).isEqualTo(">= 0");
    assertThat(min.getObserved()).isEqualTo("-5.0");
    assertThat(min.getViolations()).isEqualTo(1);
    assertThat(min.getRecords()).as("both subtasks' records").isEqualTo(16);
    assertThat(min.getPeriodStart()).isZero();
    assertThat(min.getPeriodEnd()).isEqualTo(MIN);
    assertThat(min.getSamples()).containsExactly("1:200 entity=c200 event_time=3000 -5.0");
    assertThat(only(first, "allowed").getObserved()).isEqualTo("\"GBP\"");
    assertThat(only(first, "rule:domestic_euro").getObserved())
        .isEqualTo("country=DE, currency=EUR");
    assertThat(only(first, "rule:domestic_euro").getSamples())
        .containsExactly("1:202 entity=c202 event_time=3002 country=DE, currency=EUR");

    // the GBP record was dead-lettered as its expectation says; every other record went on
    List<Decoded> passed = new ArrayList<>(r0.extractOutputValues());
    passed.addAll(r1.extractOutputValues());
    assertThat(passed).hasSize(26);
    List<Decoded> dead = passed.stream().filter(d -> d.getDeadLetter() != null).toList();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).getDeadLetter().getReasonCode()).isEqualTo("EXPECTATION");
    assertThat(dead.get(0).getDeadLetter().getOffset()).isEqualTo(201);
    assertThat(dead.get(0).getDeadLetter().getReason())
        .isEqualTo("expectation risk:currency:allowed (one of [EUR, USD]) broken: \"GBP\"");

    forward(List.of(r0, r1), judge, 2 * MIN);
    List<Violation> all = judge.extractOutputValues();
    List<Violation> second = all.subList(first.size(), all.size());
    Violation nulls = only(second, "max_null_rate");
    assertThat(second).hasSize(1);
    assertThat(nulls.getObserved()).isEqualTo("null rate 0.4000 (4 of 10)");
    assertThat(nulls.getExpected()).isEqualTo("null rate <= 0.2");
    assertThat(nulls.getPeriodStart()).isEqualTo(MIN);
    for (var h : List.of(r0, r1)) {
      h.close();
    }
    judge.close();
  }

  @Test
  void aStalledSourceAndALaggingWatermarkBreakTheFreshnessSla() throws Exception {
    var reader = reader(0);
    var judge = judge();
    // heartbeats every 30 s (a quarter of max_silence 2 m); the judge checks when it hears one
    reader.setProcessingTime(1_000);
    reader.processElement(event(0, 1, 1_000, 1.0, "USD", "US"));
    reader.processWatermark(1_000);
    List<Violation> seen = new ArrayList<>();
    for (long now = 30_000; now <= 330_000; now += 30_000) {
      reader.setProcessingTime(now);
      var partials = reader.getSideOutput(ExpectationOperator.PARTIALS);
      for (StreamRecord<CheckPartial> p : partials) {
        judge.processElement(p);
      }
      partials.clear();
      judge.setProcessingTime(now);
      seen = judge.extractOutputValues();
      if (now <= 120_000) {
        assertThat(seen).as("silent %d ms, within 2 m", now - 1_000).isEmpty();
      }
    }
    // silent since 1 s: past 2 m from 150 s on (reported then and again 2 m later); the watermark
    // (1 s) passes 5 m behind the clock at 330 s
    assertThat(seen)
        .extracting(Violation::getRule)
        .containsExactly("max_silence", "max_silence", "max_watermark_lag");
    assertThat(seen.get(0).getDetectedAt()).isEqualTo(150_000);
    assertThat(seen.get(0).getObserved()).isEqualTo("no event for 149000 ms");
    assertThat(seen.get(1).getDetectedAt()).isEqualTo(270_000);
    assertThat(seen.get(2).getObserved()).isEqualTo("watermark 329000 ms behind the clock");
    assertThat(seen.get(2).getView()).isNull();
    reader.close();
    judge.close();
  }
}
