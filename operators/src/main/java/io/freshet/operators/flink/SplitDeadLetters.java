package io.freshet.operators.flink;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Passes decoded events on and sends dead letters to a side output, counted by reason. */
public final class SplitDeadLetters extends ProcessFunction<Decoded, EventRow> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  private transient MetricGroup metrics;
  private transient Counter total;
  private transient Map<String, Counter> byReason;
  private transient LongCounter read;
  private transient LongCounter deadLetters;

  @Override
  public void open(OpenContext ctx) {
    metrics = getRuntimeContext().getMetricGroup().addGroup("deadLetters");
    total = metrics.counter("total");
    byReason = new HashMap<>();
    read = new LongCounter();
    deadLetters = new LongCounter();
    getRuntimeContext().addAccumulator(JobCounts.EVENTS_READ, read);
    getRuntimeContext().addAccumulator(JobCounts.DEAD_LETTERS, deadLetters);
  }

  @Override
  public void processElement(Decoded d, Context ctx, Collector<EventRow> out) {
    read.add(1L);
    if (d.getEvent() != null) {
      out.collect(d.getEvent());
      return;
    }
    DeadLetter dl = d.getDeadLetter();
    total.inc();
    deadLetters.add(1L);
    byReason
        .computeIfAbsent(dl.getReasonCode(), r -> metrics.addGroup("reason", r).counter("count"))
        .inc();
    ctx.output(DEAD_LETTERS, dl);
  }
}
