package io.freshet.bench;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.Decoded;
import io.freshet.avro.FeatureUpdate;
import io.freshet.jobs.EventSource;
import io.freshet.jobs.FeatureJob;
import io.freshet.jobs.FeatureSinks;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Runs Freshet's {@link FeatureJob} (the production topology, unchanged) on generated payments,
 * with a counting, sampling sink in place of Cassandra and Iceberg.
 *
 * <p>The source adds a watermark after each event of the data's last minute ({@link
 * WatermarkAtTheEnd}), so that the run computes its events up to the data's end.
 *
 * <pre>
 *  DataGeneratorSource(Decoded) ─► FeatureJob: split ─► keyBy(customer) ─► features ─► Probe ─► discard
 *                                                 └─► dead letters ─────────────────► Probe ─► discard
 * </pre>
 */
final class FreshetRun {
  private FreshetRun() {}

  static RunResult run(FeatureSpec spec, PaymentGenerator gen, Configuration conf, int sampleEvery)
      throws Exception {
    Configuration c = new Configuration(conf);
    c.set(PipelineOptions.GENERIC_TYPES, false); // no Kryo anywhere in Freshet's job
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(c);
    ViewSpec view = spec.views().get(0);

    long end = Long.MIN_VALUE;
    for (long i = 0; i < gen.events(); i++) {
      end = Math.max(end, gen.payment(i).eventTime());
    }
    long tailFrom = end - TimeUnit.MINUTES.toMillis(1);
    EventSource source =
        (e, src, fields, watermarks) ->
            e.fromSource(
                    new DataGeneratorSource<>(
                        new GeneratedPayments.AsDecoded(gen, fields),
                        gen.events(),
                        new AvroTypeInfo<>(Decoded.class)),
                    new WatermarkAtTheEnd<>(watermarks, tailFrom),
                    "generated payments")
                .uid("bench-source-" + src.name());
    FeatureSinks sinks =
        new FeatureSinks() {
          @Override
          public void updates(SourceSpec src, ViewSpec v, DataStream<FeatureUpdate> updates) {
            updates
                .process(new Probe.Updates("updates", sampleEvery), Types.VOID)
                .uid("bench-probe-" + v.name())
                .name("count and sample: " + v.name())
                .sinkTo(new DiscardingSink<>())
                .uid("bench-discard-" + v.name());
          }

          @Override
          public void deadLetters(SourceSpec src, DataStream<DeadLetter> deadLetters) {
            deadLetters
                .process(new Probe.Counter<>("deadLetters"), Types.VOID)
                .uid("bench-probe-dead-letters")
                .name("count dead letters")
                .sinkTo(new DiscardingSink<>())
                .uid("bench-discard-dead-letters");
          }
        };
    if (spec.views().size() != 1) {
      throw new IllegalArgumentException("the benchmark spec must have exactly one view");
    }
    new FeatureJob(spec, source, sinks).build(env);

    long start = System.nanoTime();
    JobExecutionResult result = env.execute("freshet bench: " + view.name());
    long wall = (System.nanoTime() - start) / 1_000_000;
    List<Probe.Sample> samples =
        new ArrayList<>(
            result.<List<Probe.Sample>>getAccumulatorResult("updates." + Probe.SAMPLES));
    Long dead = result.getAccumulatorResult("deadLetters." + Probe.COUNT);
    Long updates = result.getAccumulatorResult("updates." + Probe.COUNT);
    // every subtask walked its events up to at least its greatest valid_from
    long walkedTo = Long.MAX_VALUE;
    for (var a : result.getAllAccumulatorResults().entrySet()) {
      if (a.getKey().startsWith("updates." + Probe.MAX_TIME)) {
        walkedTo = Math.min(walkedTo, (Long) a.getValue());
      }
    }
    long walked = 0;
    for (long i = 0; i < gen.events(); i++) {
      if (gen.payment(i).eventTime() <= walkedTo) {
        walked++;
      }
    }
    return new RunResult(
        gen.events(),
        result.getNetRuntime(),
        wall,
        updates == null ? 0 : updates,
        dead == null ? 0 : dead,
        samples,
        0,
        walkedTo,
        walked);
  }

  /** Times the generated source alone: generate, watermark, count. */
  static RunResult sourceOnly(FeatureSpec spec, PaymentGenerator gen, Configuration conf)
      throws Exception {
    Configuration c = new Configuration(conf);
    c.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(c);
    SourceSpec src = spec.source();
    env.fromSource(
            new DataGeneratorSource<>(
                new GeneratedPayments.AsDecoded(gen, SourceFields.of(spec).names()),
                gen.events(),
                new AvroTypeInfo<>(Decoded.class)),
            WatermarkStrategy.<Decoded>forBoundedOutOfOrderness(src.maxOutOfOrderness())
                .withTimestampAssigner((d, ts) -> d.getEvent().getEventTime()),
            "generated payments")
        .uid("bench-source-only")
        .process(new Probe.Counter<>("decoded"), Types.VOID)
        .uid("bench-probe-source")
        .sinkTo(new DiscardingSink<>())
        .uid("bench-discard-source");
    long start = System.nanoTime();
    JobExecutionResult result = env.execute("freshet bench: source only");
    long wall = (System.nanoTime() - start) / 1_000_000;
    Long n = result.getAccumulatorResult("decoded." + Probe.COUNT);
    return RunResult.complete(
        gen.events(), result.getNetRuntime(), wall, n == null ? 0 : n, 0, List.of());
  }
}
