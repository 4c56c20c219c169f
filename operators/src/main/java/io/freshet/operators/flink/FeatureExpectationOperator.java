package io.freshet.operators.flink;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.features.Expectations;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Checks the spec's {@code feature_expectations} of one view on every update it emits, chained to
 * the view's features task: per update a feature's min, max and allowed values, per event-time
 * period (of {@code valid_from}) its null rate. Failing updates are counted in metrics ({@code
 * expectations.view.<v>.check.<feature>.feature_<rule>.failures}) and, per period, sent as counts
 * with up to {@link ExpectationOperator#SAMPLES} samples ({@code entity=... valid_from=...
 * revision=... value}) to {@link ViolationJudge}, which merges the subtasks' counts when the
 * watermark passes the period's end. Every update goes on unchanged: a feature value is the job's
 * output, never a dead letter.
 *
 * <p>A feature still warming up (added to saved state, null until its window has passed) is not
 * checked in that update: its null is by design, not a data problem. A correction counts in the
 * period of its {@code valid_from}; one arriving after that period closed counts in the metrics and
 * is reported at once for per-record checks, as for late source records.
 */
public final class FeatureExpectationOperator extends AbstractStreamOperator<FeatureUpdate>
    implements OneInputStreamOperator<FeatureUpdate, FeatureUpdate> {
  private static final long serialVersionUID = 1L;

  private final String view;
  private final Expectations expectations;

  private transient List<Expectations.Check> checks;
  private transient Counter[] failures;
  private transient PeriodCounts counts;

  public FeatureExpectationOperator(String view, Expectations expectations) {
    this.view = view;
    this.expectations = expectations;
  }

  @Override
  public void open() throws Exception {
    super.open();
    checks = expectations.featureChecks(view);
    failures = ExpectationOperator.failureCounters(getMetricGroup(), checks);
    counts = new PeriodCounts(checks, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
  }

  @Override
  public void processElement(StreamRecord<FeatureUpdate> element) {
    FeatureUpdate u = element.getValue();
    List<Object> values = u.getValues();
    List<? extends CharSequence> warming = u.getWarmingUp();
    for (int i = 0; i < checks.size(); i++) {
      Expectations.Check c = checks.get(i);
      if (!warming.isEmpty() && warmingUp(warming, c.field())) {
        continue;
      }
      String observed = c.observe(values);
      if (observed != null && c.kind() != Expectations.Kind.MAX_NULL_RATE) {
        failures[i].inc();
      }
      List<String> samples = counts.count(i, u.getValidFrom(), observed);
      if (samples != null) {
        samples.add(
            "entity="
                + u.getEntity()
                + " valid_from="
                + u.getValidFrom()
                + " revision="
                + u.getRevision()
                + " "
                + observed);
      }
    }
    output.collect(element);
  }

  private static boolean warmingUp(List<? extends CharSequence> warming, String feature) {
    for (CharSequence w : warming) {
      if (feature.contentEquals(w)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    counts.closeUpTo(
        mark.getTimestamp(),
        (p, start) -> output.collect(ExpectationOperator.PARTIALS, new StreamRecord<>(p, start)));
    super.processWatermark(mark);
  }
}
