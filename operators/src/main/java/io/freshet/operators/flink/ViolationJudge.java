package io.freshet.operators.flink;

import io.freshet.avro.CheckPartial;
import io.freshet.avro.Violation;
import io.freshet.operators.features.Expectations;
import io.freshet.spec.Freshness;
import io.freshet.spec.SourceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides violations, keyed by check: merges the period counts of every reader subtask ({@link
 * ExpectationOperator}) and, when the watermark passes the period's end (so every subtask has sent
 * its counts), emits a {@link Violation} if the period broke the check: any failing record for min,
 * max, allowed and rules; a null rate above the bound for max_null_rate. Counts arriving for a
 * period already decided (late events) are reported at once for per-record checks and left out of
 * null rates.
 *
 * <p>Freshness (key {@link ExpectationOperator#freshnessId}), in processing time: from the latest
 * heartbeat of each subtask, the silence (now minus the newest event any subtask read, or minus the
 * first heartbeat before any event) and the watermark lag (now minus the least watermark among
 * subtasks that have one) are checked every interval and exported as the gauges {@code
 * freshness.silenceMs} and {@code freshness.watermarkLagMs}; a bound passed is a violation when it
 * starts and again every bound's length while it lasts.
 */
public final class ViolationJudge extends KeyedProcessFunction<String, CheckPartial, Violation> {
  private static final long serialVersionUID = 1L;

  private final SourceSpec source;
  private final Expectations expectations;

  private transient MapState<Long, CheckPartial> periods;
  private transient MapState<Integer, CheckPartial> heartbeats;
  private transient ValueState<Long> nextCheck;
  private transient ValueState<Long> firstHeartbeat;
  private transient MapState<String, Long> breachReported;
  private transient MetricGroup metrics;
  private transient Map<String, Counter> violations;
  private transient volatile long silenceMs;
  private transient volatile long watermarkLagMs;

  public ViolationJudge(SourceSpec source, Expectations expectations) {
    this.source = source;
    this.expectations = expectations;
  }

  @Override
  public void open(OpenContext ctx) {
    periods =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "periods", Types.LONG, new AvroTypeInfo<>(CheckPartial.class)));
    heartbeats =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "heartbeats", Types.INT, new AvroTypeInfo<>(CheckPartial.class)));
    nextCheck = getRuntimeContext().getState(new ValueStateDescriptor<>("next-check", Types.LONG));
    firstHeartbeat =
        getRuntimeContext().getState(new ValueStateDescriptor<>("first-heartbeat", Types.LONG));
    breachReported =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("breach-reported", Types.STRING, Types.LONG));
    metrics = getRuntimeContext().getMetricGroup().addGroup("expectations");
    violations = new ConcurrentHashMap<>();
    for (Expectations.Check c : expectations.checks()) {
      counter(c.view() + "/" + c.label());
    }
    silenceMs = -1;
    watermarkLagMs = -1;
    if (source.freshness() != null) {
      MetricGroup f = metrics.addGroup("freshness");
      f.gauge("silenceMs", () -> silenceMs);
      f.gauge("watermarkLagMs", () -> watermarkLagMs);
    }
  }

  @Override
  public void processElement(CheckPartial p, Context ctx, Collector<Violation> out)
      throws Exception {
    if (p.getCheck().equals(ExpectationOperator.freshnessId(source))) {
      heartbeats.put(p.getSubtask(), CheckPartial.newBuilder(p).build()); // input may be reused
      if (firstHeartbeat.value() == null) {
        firstHeartbeat.update(p.getPeriodStart());
      }
      if (nextCheck.value() == null) {
        long at = ctx.timerService().currentProcessingTime();
        nextCheck.update(at);
        ctx.timerService().registerProcessingTimeTimer(at);
      }
      return;
    }
    Expectations.Check c = expectations.check(p.getCheck());
    if (c == null) {
      return; // a check the spec no longer has (restored state of an older spec)
    }
    long end = p.getPeriodStart() + c.periodMillis();
    if (end <= ctx.timerService().currentWatermark()) {
      if (c.kind() != Expectations.Kind.MAX_NULL_RATE && p.getFailing() > 0) {
        out.collect(violation(c, p, ctx.timerService().currentProcessingTime()));
      }
      return;
    }
    CheckPartial merged = periods.get(p.getPeriodStart());
    if (merged == null) {
      periods.put(p.getPeriodStart(), CheckPartial.newBuilder(p).build()); // input may be reused
      ctx.timerService().registerEventTimeTimer(end);
      return;
    }
    merged.setRecords(merged.getRecords() + p.getRecords());
    merged.setFailing(merged.getFailing() + p.getFailing());
    if (merged.getFirstObserved() == null) {
      merged.setFirstObserved(p.getFirstObserved());
    }
    List<String> samples = new ArrayList<>(merged.getSamples());
    for (String s : p.getSamples()) {
      if (samples.size() < ExpectationOperator.SAMPLES) {
        samples.add(s);
      }
    }
    merged.setSamples(samples);
    periods.put(p.getPeriodStart(), merged);
  }

  @Override
  public void onTimer(long ts, OnTimerContext ctx, Collector<Violation> out) throws Exception {
    if (ctx.getCurrentKey().equals(ExpectationOperator.freshnessId(source))) {
      checkFreshness(ts, ctx, out);
      return;
    }
    Expectations.Check c = expectations.check(ctx.getCurrentKey());
    if (c == null) {
      return;
    }
    long start = ts - c.periodMillis();
    CheckPartial p = periods.get(start);
    periods.remove(start);
    if (p == null || p.getRecords() == 0) {
      return;
    }
    long now = ctx.timerService().currentProcessingTime();
    if (c.kind() == Expectations.Kind.MAX_NULL_RATE) {
      double rate = p.getFailing() / (double) p.getRecords();
      if (rate > c.maxRate()) {
        p.setFirstObserved(
            String.format(
                Locale.ROOT, "null rate %.4f (%d of %d)", rate, p.getFailing(), p.getRecords()));
        out.collect(violation(c, p, now));
      }
    } else if (p.getFailing() > 0) {
      out.collect(violation(c, p, now));
    }
  }

  private Violation violation(Expectations.Check c, CheckPartial p, long now) {
    counter(c.view() + "/" + c.label()).inc();
    return new Violation(
        source.name(),
        c.view(),
        c.field(),
        c.rule(),
        c.expected(),
        p.getFirstObserved() == null ? "" : p.getFirstObserved().toString(),
        p.getFailing(),
        p.getRecords(),
        p.getPeriodStart(),
        p.getPeriodStart() + c.periodMillis(),
        new ArrayList<>(p.getSamples()),
        now);
  }

  private Counter counter(String name) {
    return violations.computeIfAbsent(
        name,
        n -> {
          String[] parts = n.split("/", 2);
          return metrics
              .addGroup("view", parts[0])
              .addGroup("check", parts[1])
              .counter("violations");
        });
  }

  private void checkFreshness(long now, OnTimerContext ctx, Collector<Violation> out)
      throws Exception {
    Freshness f = source.freshness();
    long newestEvent = -1;
    long leastWatermark = Long.MAX_VALUE;
    for (CheckPartial h : heartbeats.values()) {
      newestEvent = Math.max(newestEvent, h.getLastEventAt());
      if (h.getWatermark() > Long.MIN_VALUE) {
        leastWatermark = Math.min(leastWatermark, h.getWatermark());
      }
    }
    Long first = firstHeartbeat.value();
    silenceMs = now - (newestEvent >= 0 ? newestEvent : first == null ? now : first);
    watermarkLagMs = leastWatermark == Long.MAX_VALUE ? -1 : Math.max(0, now - leastWatermark);
    if (f.maxSilence() != null) {
      breach(
          "max_silence",
          "no event for at most " + f.maxSilence().toMillis() + " ms",
          silenceMs > f.maxSilence().toMillis(),
          "no event for " + silenceMs + " ms",
          f.maxSilence().toMillis(),
          now,
          out);
    }
    if (f.maxWatermarkLag() != null) {
      breach(
          "max_watermark_lag",
          "watermark at most " + f.maxWatermarkLag().toMillis() + " ms behind the clock",
          watermarkLagMs > f.maxWatermarkLag().toMillis(),
          "watermark " + watermarkLagMs + " ms behind the clock",
          f.maxWatermarkLag().toMillis(),
          now,
          out);
    }
    long next = now + f.checkInterval().toMillis();
    nextCheck.update(next);
    ctx.timerService().registerProcessingTimeTimer(next);
  }

  /** Reports a freshness bound passed when it starts, then every {@code bound} ms it lasts. */
  private void breach(
      String rule,
      String expected,
      boolean breached,
      String observed,
      long bound,
      long now,
      Collector<Violation> out)
      throws Exception {
    Long since = breachReported.get(rule);
    if (!breached) {
      breachReported.remove(rule);
      return;
    }
    if (since != null && now - since < bound) {
      return;
    }
    breachReported.put(rule, now);
    violations
        .computeIfAbsent(
            "freshness/" + rule,
            n -> metrics.addGroup("freshness").addGroup("check", rule).counter("violations"))
        .inc();
    out.collect(
        new Violation(
            source.name(),
            null,
            null,
            rule,
            expected,
            observed,
            1L,
            0L,
            now - bound,
            now,
            new ArrayList<>(),
            now));
  }
}
