package io.freshet.bench;

import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.features.Expectations;
import io.freshet.operators.features.SourceFields;
import io.freshet.operators.flink.ExpectationOperator;
import io.freshet.operators.flink.FeatureExpectationOperator;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * The cost of in-stream expectations per event (issue 14), a command: the expectations operator in
 * Flink's operator test harness over the engine benchmark's generated payments, with no checks (the
 * harness and the operator's own pass-through), with the payments example's checks, and with those
 * plus a CEL cross-field rule; then the feature expectations operator over one update per event,
 * without and with the spec's feature_expectations. Prints nanoseconds per event of each (min and
 * median of the timed passes) and the checks' own cost (the difference to no checks). Run by
 * bench/run-expectations-bench.sh, which first prints the engine's CPU per event from the engine
 * benchmark, the figure the checks' cost is a share of.
 *
 * <pre>
 * java ... io.freshet.bench.ExpectationsBench [events] [passes] [spec-with-rule] [spec-without]
 * </pre>
 */
public final class ExpectationsBench {
  private ExpectationsBench() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    Path withRule =
        Path.of(
            args.length > 2
                ? args[2]
                : "bench/src/main/resources/bench-payments-expectations.yaml");
    Path withoutRule = args.length > 3 ? Path.of(args[3]) : null;
    FeatureSpec rule = SpecParser.parse(withRule);
    FeatureSpec plain =
        withoutRule != null
            ? SpecParser.parse(withoutRule)
            : new FeatureSpec(rule.file(), rule.source(), withoutRules(rule));
    SourceFields fields = SourceFields.of(rule);
    PaymentGenerator gen = new PaymentGenerator(42, events, 50_000, 7);
    List<StreamRecord<Decoded>> input = new ArrayList<>(events);
    for (long i = 0; i < events; i++) {
      PaymentGenerator.Payment p = gen.payment(i);
      List<Object> values = new ArrayList<>(fields.size());
      for (String f : fields.names()) {
        values.add(p.field(f));
      }
      input.add(
          new StreamRecord<>(
              new Decoded(new EventRow(p.customerId(), p.eventTime(), values), null, 0, i),
              p.eventTime()));
    }
    input.sort((a, b) -> Long.compare(a.getTimestamp(), b.getTimestamp()));
    System.out.printf(
        Locale.ROOT,
        "expectations bench: %,d events, %d passes each, fields %s%n",
        events,
        passes,
        fields.names());
    double[] none = time("no checks", rule, noChecks(rule, fields), input, passes);
    double[] checks = time("example checks", plain, Expectations.of(plain, fields), input, passes);
    double[] all =
        time("example checks + 1 rule", rule, Expectations.of(rule, fields), input, passes);
    FeatureSpec celRule = new FeatureSpec(rule.file(), rule.source(), celOnlyRules(rule));
    double[] cel =
        time("the same, rule by CEL", celRule, Expectations.of(celRule, fields), input, passes);
    System.out.printf(
        Locale.ROOT,
        "checks' own cost (median minus no checks): example checks %.0f ns/event, with the rule %.0f"
            + " ns/event (evaluated by nodes: %s), with the rule by CEL's interpreter %.0f"
            + " ns/event%n",
        checks[1] - none[1],
        all[1] - none[1],
        rule.views().get(0).rules().get(0).expression().evaluatedByNodes(),
        cel[1] - none[1]);

    // checks on feature values: one update per event, the view's values as the engine lays them
    io.freshet.spec.ViewSpec view = rule.views().get(0);
    List<StreamRecord<FeatureUpdate>> updates = new ArrayList<>(events);
    for (StreamRecord<Decoded> r : input) {
      EventRow e = r.getValue().getEvent();
      Object amount = e.getValues().get(fields.indexOf("amount"));
      List<Object> values = new ArrayList<>(view.features().size());
      for (io.freshet.spec.FeatureDef f : view.features()) {
        values.add(f.outputType() == io.freshet.spec.ValueType.LONG ? (Object) 1L : amount);
      }
      updates.add(
          new StreamRecord<>(
              new FeatureUpdate(
                  e.getEntity(),
                  view.name(),
                  e.getEventTime(),
                  e.getEventTime(),
                  values,
                  "bench",
                  false,
                  0,
                  0L,
                  List.of()),
              e.getEventTime()));
    }
    Expectations featureChecks = Expectations.of(rule, fields);
    Expectations noFeatureChecks = noChecks(rule, fields);
    double[] noneOnFeatures =
        time(
            "no feature checks",
            noFeatureChecks.featureChecks(view.name()).size(),
            () -> new FeatureExpectationOperator(view.name(), noFeatureChecks),
            updates,
            passes);
    double[] onFeatures =
        time(
            "feature checks",
            featureChecks.featureChecks(view.name()).size(),
            () -> new FeatureExpectationOperator(view.name(), featureChecks),
            updates,
            passes);
    System.out.printf(
        Locale.ROOT,
        "feature checks' own cost (median minus no checks): %.0f ns/update%n",
        onFeatures[1] - noneOnFeatures[1]);
  }

  private static Expectations noChecks(FeatureSpec s, SourceFields fields) {
    return Expectations.of(new FeatureSpec(s.file(), s.source(), noChecks(s)), fields);
  }

  /** The spec's views with each rule evaluated by CEL's interpreter alone (the baseline). */
  private static List<io.freshet.spec.ViewSpec> celOnlyRules(FeatureSpec s) {
    return s.views().stream()
        .map(
            v ->
                copy(
                    v,
                    v.expectations(),
                    v.rules().stream()
                        .map(
                            r ->
                                new io.freshet.spec.ExpectationRule(
                                    r.name(), r.expression().celOnly(), r.deadLetter()))
                        .toList()))
        .toList();
  }

  private static List<io.freshet.spec.ViewSpec> withoutRules(FeatureSpec s) {
    return s.views().stream().map(v -> copy(v, v.expectations(), List.of())).toList();
  }

  private static List<io.freshet.spec.ViewSpec> noChecks(FeatureSpec s) {
    return s.views().stream().map(v -> copy(v, List.of(), List.of())).toList();
  }

  private static io.freshet.spec.ViewSpec copy(
      io.freshet.spec.ViewSpec v,
      List<io.freshet.spec.Expectation> expectations,
      List<io.freshet.spec.ExpectationRule> rules) {
    return new io.freshet.spec.ViewSpec(
        v.name(),
        v.ttl(),
        v.tile(),
        v.features(),
        expectations,
        v.docs(),
        v.featureDocs(),
        v.requestFields(),
        v.requestFeatures(),
        rules,
        v.expectationPeriod());
  }

  /** Runs every event through a fresh operator per pass; returns {min, median} ns per event. */
  private static double[] time(
      String what,
      FeatureSpec spec,
      Expectations checks,
      List<StreamRecord<Decoded>> input,
      int passes)
      throws Exception {
    return time(
        what,
        checks.sourceChecks().size(),
        () -> new ExpectationOperator(spec.source(), checks),
        input,
        passes);
  }

  /** Runs every record through a fresh operator per pass; returns {min, median} ns per record. */
  private static <T> double[] time(
      String what,
      int checkCount,
      Supplier<OneInputStreamOperator<T, T>> operator,
      List<StreamRecord<T>> input,
      int passes)
      throws Exception {
    double[] ns = new double[passes + 2];
    for (int pass = 0; pass < ns.length; pass++) { // the first two warm up
      try (OneInputStreamOperatorTestHarness<T, T> h =
          new OneInputStreamOperatorTestHarness<>(operator.get())) {
        h.open();
        long t0 = System.nanoTime();
        int n = 0;
        for (StreamRecord<T> r : input) {
          h.processElement(r);
          if (++n % 10_000 == 0) {
            h.getOutput().clear();
          }
        }
        ns[pass] = (System.nanoTime() - t0) / (double) input.size();
      }
    }
    double[] timed = Arrays.copyOfRange(ns, 2, ns.length);
    Arrays.sort(timed);
    double min = timed[0];
    double median = timed[timed.length / 2];
    System.out.printf(
        Locale.ROOT,
        "%-24s %d checks: min %.0f ns/record, median %.0f ns/record (passes: %s)%n",
        what,
        checkCount,
        min,
        median,
        Arrays.toString(Arrays.stream(timed).map(Math::rint).toArray()));
    return new double[] {min, median};
  }
}
