package io.freshet.operators.flink;

import io.freshet.avro.CheckPartial;
import io.freshet.avro.DeadLetter;
import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.operators.features.Expectations;
import io.freshet.spec.Freshness;
import io.freshet.spec.SourceSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Checks the spec's expectations on every decoded event, in the source's task (chained, no
 * serialization): per record min, max, allowed values and cross-field rules, counted in metrics as
 * they fail; per event-time period of each view, the counts (and up to {@link #SAMPLES} offending
 * records with their partition and offset) that {@link ViolationJudge} merges across subtasks into
 * violations when the watermark passes the period's end. A record that breaks a check marked {@code
 * dead_letter} becomes a dead letter (reason EXPECTATION); every other record goes on unchanged.
 *
 * <p>With a freshness SLA, it also sends {@link ViolationJudge} a heartbeat every check interval
 * (processing time): when this subtask last read an event, and its watermark.
 *
 * <pre>
 *  Decoded ─► checks ─┬─► Decoded (events, dead letters, expectation dead letters) ─► split
 *                     └─► PARTIALS (period counts on watermark, heartbeats) ─► keyBy(check) ─► judge
 * </pre>
 */
public final class ExpectationOperator extends AbstractStreamOperator<Decoded>
    implements OneInputStreamOperator<Decoded, Decoded>, ProcessingTimeCallback {
  private static final long serialVersionUID = 1L;

  /** Offending records kept per check and period, per subtask. */
  public static final int SAMPLES = 5;

  public static final OutputTag<CheckPartial> PARTIALS =
      new OutputTag<>("expectation-partials", new AvroTypeInfo<>(CheckPartial.class));

  private final SourceSpec source;
  private final Expectations expectations;

  private transient List<Expectations.Check> checks;
  private transient Counter[] failures;
  private transient PeriodCounts counts;
  private transient int subtask;
  private transient long lastEventAt;
  private transient long watermark;

  public ExpectationOperator(SourceSpec source, Expectations expectations) {
    this.source = source;
    this.expectations = expectations;
  }

  /** The id of a source's freshness heartbeats (the key the judge checks freshness under). */
  public static String freshnessId(SourceSpec source) {
    return "freshness:" + source.name();
  }

  /** A counter of failing records per check: {@code expectations.view.<v>.check.<c>.failures}. */
  static Counter[] failureCounters(MetricGroup operator, List<Expectations.Check> checks) {
    MetricGroup group = operator.addGroup("expectations");
    Counter[] failures = new Counter[checks.size()];
    for (int i = 0; i < checks.size(); i++) {
      Expectations.Check c = checks.get(i);
      failures[i] =
          group.addGroup("view", c.view()).addGroup("check", c.label()).counter("failures");
    }
    return failures;
  }

  @Override
  public void open() throws Exception {
    super.open();
    checks = expectations.sourceChecks();
    failures = failureCounters(getMetricGroup(), checks);
    subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    counts = new PeriodCounts(checks, subtask);
    lastEventAt = -1;
    watermark = Long.MIN_VALUE;
    Freshness f = source.freshness();
    if (f != null) {
      long now = getProcessingTimeService().getCurrentProcessingTime();
      getProcessingTimeService().registerTimer(now + f.checkInterval().toMillis(), this);
    }
  }

  @Override
  public void processElement(StreamRecord<Decoded> element) {
    Decoded d = element.getValue();
    EventRow e = d.getEvent();
    if (e == null) {
      output.collect(element);
      return;
    }
    if (source.freshness() != null) {
      lastEventAt = getProcessingTimeService().getCurrentProcessingTime();
    }
    List<Object> values = e.getValues();
    String deadBecause = null;
    for (int i = 0; i < checks.size(); i++) {
      Expectations.Check c = checks.get(i);
      String observed = c.observe(values);
      if (observed != null && c.kind() != Expectations.Kind.MAX_NULL_RATE) {
        failures[i].inc();
        if (c.deadLetter() && deadBecause == null) {
          deadBecause =
              "expectation "
                  + c.view()
                  + ":"
                  + (c.field() == null ? "" : c.field() + ":")
                  + c.rule()
                  + " ("
                  + c.expected()
                  + ") broken: "
                  + observed;
        }
      }
      List<String> samples = counts.count(i, e.getEventTime(), observed);
      if (samples != null) {
        samples.add(
            d.getPartition()
                + ":"
                + d.getOffset()
                + " entity="
                + e.getEntity()
                + " event_time="
                + e.getEventTime()
                + " "
                + observed);
      }
    }
    if (deadBecause == null) {
      output.collect(element);
    } else {
      output.collect(
          element.replace(
              new Decoded(
                  null,
                  new DeadLetter(
                      source.name(),
                      source.topic(),
                      d.getPartition(),
                      d.getOffset(),
                      e.getEventTime(),
                      ByteBuffer.wrap(e.getEntity().getBytes(StandardCharsets.UTF_8)),
                      LateToDeadLetter.encode(e),
                      "EXPECTATION",
                      deadBecause,
                      System.currentTimeMillis()),
                  d.getPartition(),
                  d.getOffset())));
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    watermark = mark.getTimestamp();
    counts.closeUpTo(
        watermark, (p, start) -> output.collect(PARTIALS, new StreamRecord<>(p, start)));
    super.processWatermark(mark);
  }

  @Override
  public void onProcessingTime(long time) {
    Freshness f = source.freshness();
    output.collect(
        PARTIALS,
        new StreamRecord<>(
            new CheckPartial(
                freshnessId(source),
                subtask,
                time,
                0L,
                0L,
                null,
                new ArrayList<>(),
                lastEventAt,
                watermark)));
    getProcessingTimeService().registerTimer(time + f.checkInterval().toMillis(), this);
  }
}
