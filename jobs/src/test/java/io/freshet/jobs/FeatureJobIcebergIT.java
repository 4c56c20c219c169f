package io.freshet.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.iceberg.IcebergHistorySink;
import io.freshet.connectors.iceberg.IcebergOptions;
import io.freshet.connectors.iceberg.IcebergUpdateSink;
import io.freshet.examples.payments.Payment;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.FlinkMiniClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The feature job with the Iceberg history sink on a MiniCluster (JDBC catalog on SQLite, file
 * warehouse), reading a checkpointed bounded source of payments. The history table must equal the
 * job's changelog exactly (no duplicate, no loss), also when the job fails mid-stream and restores
 * from its last checkpoint. {@link FeatureJobIcebergKafkaIT} covers the unbounded case.
 */
class FeatureJobIcebergIT {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  /** The uninterrupted run, shared by the tests of this class (computed by the first to ask). */
  private static CleanRun clean;

  /**
   * Asserts on the shared run whichever test computed it (else, run second, it checked nothing).
   */
  @Test
  void historyEqualsTheChangelog() throws Exception {
    CleanRun run = cleanRun();
    Configuration clean = new Configuration(run.conf());
    clean.set(IcebergOptions.NAMESPACE, "clean");
    assertSameRows(readHistory(clean, "clean", run.view()), run.expected());
  }

  /**
   * Fails the job right after a checkpoint's commit, restores it from that checkpoint and lets the
   * restored run replay the rest of the input to its end before any other checkpoint: the case
   * where Iceberg's (stateless) aggregator used to number its final committable 1, which the
   * committer dropped as already committed (the table kept only the first commit, e.g. 36,897 of
   * 164,127 rows). The test triggers every checkpoint itself, so the sequence is the same on every
   * run:
   *
   * <ol>
   *   <li>attempt 0 runs slowly; mid-stream the test triggers checkpoint c and waits for its
   *       commit;
   *   <li>the next record fails the job; it restores from c and replays the rest unthrottled;
   *   <li>once the restored run has reached the end of its input, the test triggers the final
   *       checkpoint, whose commit must hold every replayed row.
   * </ol>
   */
  @Test
  void historyEqualsTheChangelogAlsoAfterAFailureAndRestore(
      @InjectClusterClient ClusterClient<?> client) throws Exception {
    CleanRun run = cleanRun();
    ViewSpec view = run.view();
    Configuration failing = new Configuration(run.conf());
    failing.set(IcebergOptions.NAMESPACE, "restored");

    FailOnce.reset();
    // Checkpoints only when the test asks: no periodic one may reach the sink mid-replay.
    Configuration manual = new Configuration();
    manual.setString("execution.checkpointing.interval", "1h");
    manual.setString("execution.checkpointing.min-pause", "1h");
    StreamExecutionEnvironment env = environment(manual);
    PaymentSource source = new PaymentSource(run.payments());
    EventSource failOnce =
        (e, src, fields, watermarks) ->
            source
                .create(e, src, fields, watermarks)
                .transform("fail once", new AvroTypeInfo<>(Decoded.class), new FailOnce())
                .uid("fail-once");
    new FeatureJob(run.spec(), failOnce, historySinks(failing)).build(env);
    JobClient job = env.executeAsync("history with a failure");

    // 1. Mid-stream, checkpoint c and its commit.
    await(job, "attempt 0 mid-stream", () -> FailOnce.seen.get() >= 4_000);
    long c = checkpoint(client, job);
    await(
        job,
        "the commit of checkpoint " + c,
        () -> FailOnce.firstAttemptRuns() && committedCheckpoint(failing, view) >= c);
    assertThat(committedCheckpoint(failing, view)).as("committed before the failure").isEqualTo(c);
    // 2. Fail; the job restores from c and replays the rest of its input.
    FailOnce.failNow = true;
    await(
        job,
        "the end of the restored run's input",
        () -> FailOnce.firstAttemptRuns() && FailOnce.restoredInputEnded.getCount() == 0);
    // 3. The final checkpoint (again if the first one came before a task was ready to finish).
    while (checkpoint(client, job) >= 0) {
      try {
        job.getJobExecutionResult().get(5, TimeUnit.SECONDS);
      } catch (TimeoutException notYet) {
        // some task still waits for its final checkpoint
      }
    }
    job.getJobExecutionResult().get();

    assertThat(FailOnce.failed).as("the job failed once after a committed checkpoint").isTrue();
    assertThat(FailOnce.restoredFrom).as("restored from the committed checkpoint").isEqualTo(c);
    assertSameRows(readHistory(failing, "restored", view), run.expected());
    List<Snapshot> snapshots = new ArrayList<>();
    table(failing, "restored", view).snapshots().forEach(snapshots::add);
    assertThat(snapshots).as("commits before and after the failure").hasSizeGreaterThan(1);
    assertThat(snapshots.get(0).summary())
        .containsEntry("flink.max-committed-checkpoint-id", Long.toString(c));
    assertThat(snapshots.subList(1, snapshots.size()))
        .as("commits of the restored run, by the same job")
        .allSatisfy(
            s -> {
              assertThat(s.summary().get("flink.job-id"))
                  .isEqualTo(snapshots.get(0).summary().get("flink.job-id"));
              assertThat(Long.parseLong(s.summary().get("flink.max-committed-checkpoint-id")))
                  .isGreaterThan(c);
            });
  }

  /** An uninterrupted run's inputs and changelog, after checking its history table. */
  private record CleanRun(
      FeatureSpec spec,
      ViewSpec view,
      List<Payment> payments,
      Configuration conf,
      List<String> expected) {}

  private static synchronized CleanRun cleanRun() throws Exception {
    if (clean == null) {
      clean = uninterruptedRun();
    }
    return clean;
  }

  /** Runs the job without failures; its history must equal its changelog exactly. */
  private static CleanRun uninterruptedRun() throws Exception {
    FeatureSpec spec = SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
    ViewSpec view = spec.views().get(0);
    List<Payment> payments = payments(40_000);

    Path dir = Path.of("target", "iceberg-it-" + UUID.randomUUID()).toAbsolutePath();
    Configuration conf = new Configuration();
    conf.set(IcebergOptions.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"));
    conf.set(IcebergOptions.WAREHOUSE, dir.resolve("warehouse").toUri().toString());

    // 1. An uninterrupted run: its changelog, and its history table.
    Configuration clean = new Configuration(conf);
    clean.set(IcebergOptions.NAMESPACE, "clean");
    StreamExecutionEnvironment env = environment();
    FeatureJob.Outputs out =
        new FeatureJob(spec, new PaymentSource(payments), historySinks(clean)).build(env);
    List<FeatureUpdate> changelog = new ArrayList<>();
    try (CloseableIterator<FeatureUpdate> it = out.updates().get(view.name()).executeAndCollect()) {
      it.forEachRemaining(u -> changelog.add(FeatureUpdate.newBuilder(u).build()));
    }
    List<String> expected = canonical(changelog);
    assertThat(expected).hasSizeGreaterThan(40_000).doesNotHaveDuplicates();
    assertSameRows(readHistory(clean, "clean", view), expected);
    return new CleanRun(spec, view, payments, conf, expected);
  }

  static StreamExecutionEnvironment environment() {
    return environment(new Configuration());
  }

  /** The product's pipeline settings, checkpoints every 500 ms, then {@code overrides}. */
  static StreamExecutionEnvironment environment(Configuration overrides) {
    Configuration c = new Configuration();
    c.set(PipelineOptions.GENERIC_TYPES, false);
    c.set(PipelineOptions.OBJECT_REUSE, true);
    c.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
    c.setString("execution.checkpointing.interval", "500ms");
    c.setString("restart-strategy.type", "fixed-delay");
    c.setString("restart-strategy.fixed-delay.attempts", "3");
    c.setString("restart-strategy.fixed-delay.delay", "200ms");
    c.addAll(overrides);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
    env.setParallelism(2);
    return env;
  }

  /** The Iceberg history attached as the job attaches its stores; dead letters dropped. */
  static FeatureSinks historySinks(Configuration conf) {
    return FeatureSinks.of(List.of(new IcebergUpdateSink()), conf, (source, deadLetters) -> {});
  }

  /**
   * Triggers a checkpoint and returns its id once complete, retrying while tasks deploy; -1 once
   * the job has ended.
   */
  private static long checkpoint(ClusterClient<?> client, JobClient job) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!job.getJobStatus().get().isGloballyTerminalState()) {
      try {
        return client.triggerCheckpoint(job.getJobID(), CheckpointType.DEFAULT).get();
      } catch (ExecutionException e) {
        assertThat(System.nanoTime())
            .as("checkpoint failed: %s", e.getCause())
            .isLessThan(deadline);
      }
    }
    return -1;
  }

  /** Waits for a condition while the job runs (fails if the job ends or the patience runs out). */
  static void await(JobClient job, String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(job.getJobStatus().get().isGloballyTerminalState())
          .as("job ended while waiting for %s", what)
          .isFalse();
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** The flink.max-committed-checkpoint-id of the table's current snapshot (-1: none yet). */
  static long committedCheckpoint(Configuration conf, ViewSpec view) {
    Snapshot current = table(conf, conf.get(IcebergOptions.NAMESPACE), view).currentSnapshot();
    return current == null
        ? -1
        : Long.parseLong(current.summary().get("flink.max-committed-checkpoint-id"));
  }

  /**
   * The payments' pass-through in the failing run, steered by the test: slow in attempt 0 (so that
   * the test checkpoints mid-stream), throws once when {@link #failNow} is set, and counts down
   * {@link #restoredInputEnded} when a restored attempt reaches the end of its input. It keeps its
   * record count in operator state, so that its task is restored and learns the checkpoint id.
   */
  static final class FailOnce extends AbstractStreamOperator<Decoded>
      implements OneInputStreamOperator<Decoded, Decoded>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Records this subtask passed on; replaced at every checkpoint, never cleared. */
    private static final ListStateDescriptor<Long> PASSED =
        new ListStateDescriptor<>("passed", Types.LONG);

    static final AtomicLong seen = new AtomicLong();
    static volatile boolean failNow;
    static volatile boolean failed;
    static volatile boolean firstAttemptEnded;
    static volatile long restoredFrom;
    static volatile CountDownLatch restoredInputEnded;

    static void reset() {
      seen.set(0);
      failNow = false;
      failed = false;
      firstAttemptEnded = false;
      restoredFrom = -1;
      restoredInputEnded = new CountDownLatch(FlinkMiniClusterExtension.PARALLELISM);
    }

    /** True; fails the test if attempt 0 read all its input (the failure came too late). */
    static boolean firstAttemptRuns() {
      assertThat(firstAttemptEnded)
          .as("attempt 0 read all its input before the injected failure: throttle it more")
          .isFalse();
      return true;
    }

    private transient ListState<Long> passed;
    private transient long count;
    private transient boolean restored;

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
      super.initializeState(context);
      passed = context.getOperatorStateStore().getListState(PASSED);
      for (long n : passed.get()) {
        count += n;
      }
      restored = context.getRestoredCheckpointId().isPresent();
      if (restored) {
        restoredFrom = context.getRestoredCheckpointId().getAsLong();
      }
    }

    @Override
    public void processElement(StreamRecord<Decoded> element) throws Exception {
      if (!restored) {
        if (failNow) {
          failed = true;
          throw new IllegalStateException("injected failure after a committed checkpoint");
        }
        seen.incrementAndGet();
        if (count % 2 == 0) {
          Thread.sleep(1); // throttle (about 2,000 records/s) so that the test acts mid-stream
        }
      }
      count++;
      output.collect(element);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
      super.snapshotState(context);
      passed.update(List.of(count));
    }

    @Override
    public void endInput() {
      if (restored) {
        restoredInputEnded.countDown();
      } else {
        firstAttemptEnded = true;
      }
    }
  }

  /** Equal as multisets, with a readable report of the rows missing and the rows extra. */
  static void assertSameRows(List<String> actual, List<String> expected) {
    java.util.Map<String, Integer> diff = new java.util.HashMap<>();
    expected.forEach(r -> diff.merge(r, 1, Integer::sum));
    actual.forEach(r -> diff.merge(r, -1, Integer::sum));
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    diff.forEach(
        (row, n) -> {
          for (int i = 0; i < Math.abs(n); i++) {
            (n > 0 ? missing : extra).add(row);
          }
        });
    Collections.sort(missing);
    Collections.sort(extra);
    assertThat(missing.size() + extra.size())
        .as(
            "history has %d rows, changelog %d; %d missing (first: %s), %d extra (first: %s)",
            actual.size(),
            expected.size(),
            missing.size(),
            missing.stream().limit(3).toList(),
            extra.size(),
            extra.stream().limit(3).toList())
        .isZero();
  }

  static Table table(Configuration conf, String namespace, ViewSpec view) {
    Catalog catalog =
        HistoryCatalogs.load(
            conf.get(IcebergOptions.CATALOG_NAME), IcebergHistorySink.catalogProperties(conf));
    return catalog.loadTable(HistoryTables.identifier(namespace, view.name()));
  }

  /** The table's rows in the canonical text of {@link #canonical}, sorted. */
  static List<String> readHistory(Configuration conf, String namespace, ViewSpec view)
      throws Exception {
    Table table = table(conf, namespace, view);
    List<String> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record r : records) {
        List<Object> values = new ArrayList<>();
        for (var f : view.features()) {
          values.add(r.getField(f.name()));
        }
        rows.add(
            line(
                (String) r.getField(StoreColumn.ENTITY.column()),
                millis(r.getField(StoreColumn.VALID_FROM.column())),
                millis(r.getField(StoreColumn.LAST_EVENT_TIME.column())),
                (String) r.getField(StoreColumn.SPEC_VERSION.column()),
                (Boolean) r.getField(StoreColumn.CORRECTION.column()),
                (Integer) r.getField(StoreColumn.REVISION.column()),
                values));
      }
    }
    Collections.sort(rows);
    return rows;
  }

  private static long millis(Object ts) {
    return ((OffsetDateTime) ts).toInstant().toEpochMilli();
  }

  /** Every field but written_at (processing time, stamped again on replay), sorted. */
  static List<String> canonical(List<FeatureUpdate> updates) {
    List<String> out = new ArrayList<>();
    for (FeatureUpdate u : updates) {
      List<Object> values = new ArrayList<>();
      for (Object v : u.getValues()) {
        values.add(v instanceof CharSequence c ? c.toString() : v);
      }
      out.add(
          line(
              u.getEntity().toString(),
              u.getValidFrom(),
              u.getLastEventTime(),
              u.getSpecVersion().toString(),
              u.getCorrection(),
              u.getRevision(),
              values));
    }
    Collections.sort(out);
    return out;
  }

  private static String line(
      String entity,
      long validFrom,
      long lastEvent,
      String version,
      boolean correction,
      int revision,
      List<Object> values) {
    return entity
        + "|"
        + validFrom
        + "|"
        + lastEvent
        + "|"
        + version
        + "|"
        + correction
        + "|"
        + revision
        + "|"
        + values;
  }

  /** Payments of 200 customers, out of order by up to 2 s (within the watermark bound). */
  private static List<Payment> payments(int n) {
    Random rnd = new Random(11);
    List<Payment> out = new ArrayList<>();
    long clock = T0;
    for (int i = 0; i < n; i++) {
      clock += rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(20_000);
      out.add(
          new Payment(
              "p" + i,
              "c" + rnd.nextInt(200),
              "m" + rnd.nextInt(40),
              Math.round(rnd.nextDouble() * 40_000) / 100.0,
              "EUR",
              List.of("FR", "DE", "NL", "US").get(rnd.nextInt(4)),
              Instant.ofEpochMilli(clock - rnd.nextInt(2000))));
    }
    return out;
  }

  /** The payments as decoded events, from Flink's checkpointed bounded collection source. */
  private record PaymentSource(List<Payment> payments) implements EventSource {
    @Override
    public DataStream<Decoded> create(
        StreamExecutionEnvironment env,
        SourceSpec source,
        List<String> fields,
        WatermarkStrategy<Decoded> watermarks) {
      List<Decoded> events = new ArrayList<>();
      for (Payment p : payments) {
        List<Object> values = new ArrayList<>();
        for (String f : fields) {
          Object v = p.get(f);
          values.add(v instanceof CharSequence c ? c.toString() : v);
        }
        events.add(
            new Decoded(
                new EventRow(p.getCustomerId(), p.getEventTime().toEpochMilli(), values), null));
      }
      return env.fromData(events, new AvroTypeInfo<>(Decoded.class))
          .uid("payments")
          .name("payments")
          .assignTimestampsAndWatermarks(PerEventWatermarks.of(watermarks))
          .uid("payments-watermarks")
          .name("watermarks");
    }
  }
}
