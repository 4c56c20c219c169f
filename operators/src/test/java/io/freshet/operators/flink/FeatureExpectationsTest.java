package io.freshet.operators.flink;

import static io.freshet.operators.flink.ViolationJudgeHarness.forward;
import static io.freshet.operators.flink.ViolationJudgeHarness.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.CheckPartial;
import io.freshet.avro.FeatureUpdate;
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
 * Expectations on feature values, through {@link FeatureExpectationOperator} (two subtasks, as
 * after a features task of parallelism 2) and the judge: a value out of range, a value not allowed
 * and a null burst each raise their violation when the watermark closes the period of their {@code
 * valid_from}, counted over both subtasks; a clean period raises none; a feature warming up is not
 * checked; a correction arriving after its period closed is reported at once; every update goes on
 * unchanged.
 */
class FeatureExpectationsTest {
  private static final long MIN = 60_000;

  private static final FeatureSpec SPEC =
      SpecParser.parse(
          Path.of("../examples/payments/feature-expectations.yaml"),
          """
          source:
            name: payments
            topic: payments
            schema: payment.avsc
            entity: customer_id
            event_time: event_time
          views:
            - name: risk
              ttl: 1d
              expectation_period: 1m
              features:
                - {name: n, agg: count, window: 1h}
                - {name: avg_amount, agg: avg, field: amount, window: 1h}
                - {name: last_country, agg: last, field: country, window: 1h}
              feature_expectations:
                n: {max: 100}
                avg_amount: {min: 0, max_null_rate: 0.25}
                last_country: {allowed: [FR, DE]}
          """);

  private static final Expectations CHECKS = Expectations.of(SPEC, SourceFields.of(SPEC));

  private static StreamRecord<FeatureUpdate> update(
      String entity, long validFrom, long n, Double avg, String country, String... warming) {
    FeatureUpdate u =
        new FeatureUpdate(
            entity,
            "risk",
            validFrom,
            validFrom,
            Arrays.asList(n, avg, country),
            "v1",
            false,
            0,
            0L,
            List.of(warming));
    return new StreamRecord<>(u, validFrom);
  }

  private static OneInputStreamOperatorTestHarness<FeatureUpdate, FeatureUpdate> checker(
      int subtask) throws Exception {
    var h =
        new OneInputStreamOperatorTestHarness<>(
            new FeatureExpectationOperator("risk", CHECKS), 2, 2, subtask);
    h.open();
    return h;
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, CheckPartial, Violation> judge()
      throws Exception {
    return ViolationJudgeHarness.judge(SPEC.source(), CHECKS);
  }

  @Test
  void brokenFeatureExpectationsRaiseViolationsWhenThePeriodCloses() throws Exception {
    var c0 = checker(0);
    var c1 = checker(1);
    var judge = judge();
    assertThat(CHECKS.sourceChecks()).isEmpty();
    assertThat(CHECKS.featureChecks("risk"))
        .extracting(Expectations.Check::label)
        .containsExactly(
            "n.feature_max",
            "avg_amount.feature_min",
            "avg_amount.feature_max_null_rate",
            "last_country.feature_allowed");

    // [0, 1 min): 8 clean updates, one count over 100, one country not allowed, and 2 null
    // averages in 12 checked (0.17, within 0.25); a warming-up average is null by design and a
    // warming-up country is not checked
    for (int i = 0; i < 8; i++) {
      (i % 2 == 0 ? c0 : c1).processElement(update("c" + i, 1000 + i, 3, 20.0, "FR"));
    }
    c1.processElement(update("busy", 2000, 250, 5.0, "DE"));
    c0.processElement(update("gb", 3000, 1, 7.0, "GB"));
    c0.processElement(update("empty1", 4000, 0, null, "FR"));
    c1.processElement(update("empty2", 4001, 0, null, "DE"));
    c1.processElement(update("new", 5000, 1, null, "US", "avg_amount", "last_country"));
    // [1 min, 2 min): a null burst, 3 of 6 averages null
    for (int i = 0; i < 6; i++) {
      (i < 3 ? c0 : c1).processElement(update("b" + i, MIN + i, 1, i % 2 == 0 ? null : 4.0, "FR"));
    }
    // [2 min, 3 min): clean
    c0.processElement(update("ok", 2 * MIN, 2, 1.0, "DE"));

    forward(List.of(c0, c1), judge, MIN - 1);
    assertThat(judge.extractOutputValues()).as("before the period ends").isEmpty();

    forward(List.of(c0, c1), judge, MIN);
    List<Violation> first = judge.extractOutputValues();
    assertThat(first)
        .extracting(Violation::getRule)
        .containsExactlyInAnyOrder("feature_max", "feature_allowed");
    Violation max = only(first, "feature_max");
    assertThat(max.getView()).isEqualTo("risk");
    assertThat(max.getField()).isEqualTo("n");
    assertThat(max.getExpected()).isEqualTo("<= 100");
    assertThat(max.getObserved()).isEqualTo("250");
    assertThat(max.getViolations()).isEqualTo(1);
    assertThat(max.getRecords()).as("both subtasks' updates").isEqualTo(13);
    assertThat(max.getSamples()).containsExactly("entity=busy valid_from=2000 revision=0 250");
    Violation allowed = only(first, "feature_allowed");
    assertThat(allowed.getField()).isEqualTo("last_country");
    assertThat(allowed.getObserved()).isEqualTo("\"GB\"");
    assertThat(allowed.getRecords()).as("the warming-up country is not checked").isEqualTo(12);

    forward(List.of(c0, c1), judge, 3 * MIN);
    List<Violation> all = judge.extractOutputValues();
    List<Violation> later = all.subList(first.size(), all.size());
    assertThat(later).hasSize(1);
    Violation nulls = only(later, "feature_max_null_rate");
    assertThat(nulls.getField()).isEqualTo("avg_amount");
    assertThat(nulls.getObserved()).isEqualTo("null rate 0.5000 (3 of 6)");
    assertThat(nulls.getExpected()).isEqualTo("null rate <= 0.25");
    assertThat(nulls.getPeriodStart()).isEqualTo(MIN);
    assertThat(nulls.getPeriodEnd()).isEqualTo(2 * MIN);
    assertThat(nulls.getSamples()).hasSize(3).allMatch(s -> s.toString().endsWith(" null"));

    // a correction of the first period, after it closed: reported at once, per-record checks only
    c1.processElement(update("busy", 2000, 260, null, "DE"));
    forward(List.of(c0, c1), judge, 3 * MIN + 1);
    all = judge.extractOutputValues();
    List<Violation> late = all.subList(first.size() + later.size(), all.size());
    assertThat(late).extracting(Violation::getRule).containsExactly("feature_max");
    assertThat(late.get(0).getObserved()).isEqualTo("260");
    assertThat(late.get(0).getPeriodStart()).isZero();

    List<FeatureUpdate> passed = new ArrayList<>(c0.extractOutputValues());
    passed.addAll(c1.extractOutputValues());
    assertThat(passed).as("every update goes on").hasSize(21);
    for (var h : List.of(c0, c1)) {
      h.close();
    }
    judge.close();
  }
}
