package io.freshet.jobs;

import io.freshet.avro.CheckPartial;
import io.freshet.avro.DeadLetter;
import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.avro.Violation;
import io.freshet.operators.features.Expectations;
import io.freshet.operators.features.SourceFields;
import io.freshet.operators.flink.ExpectationOperator;
import io.freshet.operators.flink.FeatureExpectationOperator;
import io.freshet.operators.flink.LateToDeadLetter;
import io.freshet.operators.flink.SplitDeadLetters;
import io.freshet.operators.flink.StampWrittenAt;
import io.freshet.operators.flink.ViewFeatureOperator;
import io.freshet.operators.flink.ViolationJudge;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The feature job of one spec: builds the topology, does not run it.
 *
 * <pre>
 *  source (decode per partition, watermarks)
 *    ─► expectations ─► split ─┬─► dead letters ──────────────────────────────────┐
 *         │                    └─► keyBy(entity)                                  │
 *         │                         ├─► features: view A ─► feature checks ─► sinks
 *         │                         │      ├─ too late ───────────────────────────┤
 *         │                         │      └─ period counts (feature checks) ──┐  │
 *         │                         └─► features: view B ─► sinks              │  ├─► dead-letter sink
 *         └─► period counts, heartbeats ───────────────────────────────────────┤
 *                                     keyBy(check) ─► violations ─► violation sink
 * </pre>
 *
 * The expectations operator is there only when the spec has expectations on source fields or a
 * freshness SLA, a view's feature expectations operator only when it has feature_expectations.
 *
 * <p>Every operator's uid derives from the source and view names, so savepoints survive upgrades.
 */
public final class FeatureJob {
  private final FeatureSpec spec;
  private final EventSource source;
  private final FeatureSinks sinks;

  /**
   * The job's terminal streams.
   *
   * @param violations expectation and freshness violations, or null when the spec has neither
   */
  public record Outputs(
      Map<String, DataStream<FeatureUpdate>> updates,
      DataStream<DeadLetter> deadLetters,
      DataStream<Violation> violations) {}

  public FeatureJob(FeatureSpec spec, EventSource source, FeatureSinks sinks) {
    this.spec = spec;
    this.source = source;
    this.sinks = sinks;
  }

  public Outputs build(StreamExecutionEnvironment env) {
    SourceSpec src = spec.source();
    SourceFields fields = SourceFields.of(spec);
    WatermarkStrategy<Decoded> watermarks =
        WatermarkStrategy.<Decoded>forBoundedOutOfOrderness(src.maxOutOfOrderness())
            .withTimestampAssigner(
                (d, kafkaTs) -> d.getEvent() != null ? d.getEvent().getEventTime() : Long.MIN_VALUE)
            .withIdleness(src.idleTimeout());
    DataStream<Decoded> decoded = source.create(env, src, fields.names(), watermarks);
    Expectations expectations = Expectations.of(spec, fields);
    List<DataStream<CheckPartial>> partials = new ArrayList<>();
    if (!expectations.sourceChecks().isEmpty() || src.freshness() != null) {
      SingleOutputStreamOperator<Decoded> checked =
          decoded
              .transform(
                  "expectations: " + src.name(),
                  new AvroTypeInfo<>(Decoded.class),
                  new ExpectationOperator(src, expectations))
              .uid("expectations-" + src.name())
              .name("expectations: " + src.name())
              .setParallelism(decoded.getParallelism()); // chained to the source
      partials.add(checked.getSideOutput(ExpectationOperator.PARTIALS));
      decoded = checked;
    }
    SingleOutputStreamOperator<EventRow> events =
        decoded
            .process(new SplitDeadLetters(), new AvroTypeInfo<>(EventRow.class))
            .uid("dead-letter-split-" + src.name())
            .name("split dead letters: " + src.name())
            .setParallelism(decoded.getParallelism()); // chained to the source
    DataStream<DeadLetter> dead = events.getSideOutput(SplitDeadLetters.DEAD_LETTERS);

    int decodedEntities =
        env.getConfiguration()
            .getOptional(JobOptions.DECODED_ENTITIES)
            .orElse(ViewFeatureOperator.DECODED_ENTITIES_BY_HEAP);
    boolean liveWriteBack = env.getConfiguration().get(JobOptions.LIVE_WRITE_BACK);
    Map<String, DataStream<FeatureUpdate>> updates = new LinkedHashMap<>();
    for (ViewSpec view : spec.views()) {
      SingleOutputStreamOperator<FeatureUpdate> viewUpdates =
          events
              .keyBy(EventRow::getEntity)
              .transform(
                  "features: " + view.name(),
                  new AvroTypeInfo<>(FeatureUpdate.class),
                  new ViewFeatureOperator(src, view, fields, decodedEntities, liveWriteBack))
              .uid("features-" + src.name() + "-" + view.name())
              .name("features: " + view.name());
      DataStream<DeadLetter> late =
          viewUpdates
              .getSideOutput(ViewFeatureOperator.LATE)
              .map(
                  new LateToDeadLetter(
                      src.name(), src.topic(), view.name(), src.allowedLateness().toMillis()),
                  new AvroTypeInfo<>(DeadLetter.class))
              .uid("too-late-" + src.name() + "-" + view.name())
              .name("too late: " + view.name());
      dead = dead.union(late);
      if (!expectations.featureChecks(view.name()).isEmpty()) {
        viewUpdates =
            viewUpdates
                .transform(
                    "feature expectations: " + view.name(),
                    new AvroTypeInfo<>(FeatureUpdate.class),
                    new FeatureExpectationOperator(view.name(), expectations))
                .uid("feature-expectations-" + src.name() + "-" + view.name())
                .name("feature expectations: " + view.name())
                .setParallelism(viewUpdates.getParallelism()); // chained to the features
        partials.add(viewUpdates.getSideOutput(ExpectationOperator.PARTIALS));
      }
      DataStream<FeatureUpdate> stamped =
          viewUpdates
              .map(new StampWrittenAt(), new AvroTypeInfo<>(FeatureUpdate.class))
              .uid("written-at-" + src.name() + "-" + view.name())
              .name("written_at: " + view.name());
      updates.put(view.name(), stamped);
      sinks.updates(src, view, stamped);
    }
    sinks.deadLetters(src, dead);
    DataStream<Violation> violations = null;
    if (!partials.isEmpty()) {
      DataStream<CheckPartial> all = partials.get(0);
      for (DataStream<CheckPartial> more : partials.subList(1, partials.size())) {
        all = all.union(more);
      }
      violations =
          all.keyBy(p -> p.getCheck().toString())
              .process(new ViolationJudge(src, expectations), new AvroTypeInfo<>(Violation.class))
              .uid("violations-" + src.name())
              .name("violations: " + src.name());
      sinks.violations(src, violations);
    }
    return new Outputs(updates, dead, violations);
  }
}
