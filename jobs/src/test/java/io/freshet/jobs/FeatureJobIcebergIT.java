package io.freshet.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.DeadLetter;
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
import io.freshet.testing.Deadline;
import io.freshet.testing.FlinkMiniClusterExtension;
import io.freshet.testing.HistoryRows;
import io.freshet.testing.Payments;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
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

  /**
   * How long a wait for something the job must do (a commit, a restore, its end) may take before
   * the test fails saying what it waited for. Only a broken or stuck job comes near it.
   */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  /** Events attempt 0 of the failure test reads before checkpoint c. */
  private static final long HOLD = 10_000;

  /** Events attempt 0 of the failure test reads after checkpoint c, before the failing one. */
  private static final long AFTER_CHECKPOINT = 2_000;

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
   * Fails the job after a checkpoint's commit, restores it from that checkpoint and lets the
   * restored run replay the rest of the input to its end before any other checkpoint: the case
   * where Iceberg's (stateless) aggregator used to number its final committable 1, which the
   * committer dropped as already committed (the table kept only the first commit, e.g. 36,897 of
   * 164,127 rows). The test steers the source ({@link GatedSource}) and triggers every checkpoint
   * itself, so the sequence is the same on every run, however fast the machine:
   *
   * <ol>
   *   <li>attempt 0 reads {@value #HOLD} events and waits at the gate; the test triggers checkpoint
   *       c there and waits for its commit;
   *   <li>{@value #AFTER_CHECKPOINT} more events pass, and updates of theirs reach the history
   *       writer (rows written after c, which the table must never hold); one more event fails the
   *       job;
   *   <li>it restores from c (once) and replays the rest of its input, ungated, to its end;
   *   <li>the test triggers the final checkpoint, the first since the restore: it must complete,
   *       commit every replayed row and end the job.
   * </ol>
   */
  @Test
  void historyEqualsTheChangelogAlsoAfterAFailureAndRestore(@InjectMiniCluster MiniCluster cluster)
      throws Exception {
    CleanRun run = cleanRun();
    ViewSpec view = run.view();
    Configuration failing = new Configuration(run.conf());
    failing.set(IcebergOptions.NAMESPACE, "restored");

    FailOnce.reset();
    RowsAfterCheckpoint.reset();
    GatedSource.reset(HOLD);
    // Checkpoints only when the test asks: no periodic one may reach the sink mid-replay.
    Configuration manual = new Configuration();
    manual.setString("execution.checkpointing.interval", "1h");
    manual.setString("execution.checkpointing.min-pause", "1h");
    StreamExecutionEnvironment env = environment(manual);
    PaymentSource source = new PaymentSource(run.payments(), true);
    EventSource failOnce =
        (e, src, fields, watermarks) ->
            source
                .create(e, src, fields, watermarks)
                .transform("fail once", new AvroTypeInfo<>(Decoded.class), new FailOnce())
                .uid("fail-once");
    FeatureSinks history = historySinks(failing);
    FeatureSinks counted =
        new FeatureSinks() {
          @Override
          public void updates(SourceSpec src, ViewSpec v, DataStream<FeatureUpdate> updates) {
            history.updates(
                src,
                v,
                updates
                    .transform(
                        "rows after checkpoint", updates.getType(), new RowsAfterCheckpoint())
                    .uid("rows-after-checkpoint-" + v.name()));
          }

          @Override
          public void deadLetters(SourceSpec src, DataStream<DeadLetter> deadLetters) {
            history.deadLetters(src, deadLetters);
          }
        };
    new FeatureJob(run.spec(), failOnce, counted).build(env);
    JobClient job = env.executeAsync("history with a failure");

    // 1. Attempt 0 holds mid-stream: checkpoint c there, and its commit.
    await(job, "attempt 0 to pass " + HOLD + " events", () -> FailOnce.seen.get() == HOLD);
    long c = checkpoint(cluster, job);
    await(job, "the commit of checkpoint " + c, () -> committedCheckpoint(failing, view) >= c);
    assertThat(committedCheckpoint(failing, view)).as("committed before the failure").isEqualTo(c);
    // 2. More events, whose rows reach the writer after c; then the failure.
    GatedSource.holdAt(HOLD + AFTER_CHECKPOINT);
    await(
        job,
        "attempt 0 to pass " + AFTER_CHECKPOINT + " events after checkpoint " + c,
        () -> FailOnce.seen.get() == HOLD + AFTER_CHECKPOINT);
    // More rows than writers: some writer has taken a row after c and moved on to the next.
    await(
        job,
        "rows written after checkpoint " + c,
        () -> RowsAfterCheckpoint.rows.get() > FlinkMiniClusterExtension.PARALLELISM);
    FailOnce.failNow = true;
    GatedSource.holdAt(HOLD + AFTER_CHECKPOINT + 1); // the one event that fails the job
    // 3. The job restores from c (its failed attempt's tasks all cancelled by then) and replays
    // the rest of its input.
    await(
        job,
        "the restore after the injected failure",
        () -> FailOnce.restores.get() == FlinkMiniClusterExtension.PARALLELISM);
    GatedSource.open();
    await(
        job,
        "the end of the restored run's input",
        () -> FailOnce.restoredInputEnded.getCount() == 0);
    // 4. Every task has read its input: the next checkpoint is every task's final one.
    long last = checkpoint(cluster, job);
    try {
      job.getJobExecutionResult().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "the job did not end within "
              + PATIENCE.toSeconds()
              + " s of checkpoint "
              + last
              + ", taken after every task had read its input (job "
              + job.getJobStatus().get()
              + ")",
          e);
    }

    assertThat(FailOnce.failed).as("the job failed once after a committed checkpoint").isTrue();
    assertThat(FailOnce.restoredFrom).as("restored from the committed checkpoint").isEqualTo(c);
    assertThat(FailOnce.restores.get())
        .as("restores of the failing operator's subtasks: one failure, one restore, no other")
        .isEqualTo(FlinkMiniClusterExtension.PARALLELISM);
    assertThat(GatedSource.emitted())
        .as("events emitted: by attempt 0 up to the one that failed it, then the replay from c")
        .isEqualTo(HOLD + AFTER_CHECKPOINT + 1 + run.payments().size() - HOLD);
    assertSameRows(readHistory(failing, "restored", view), run.expected());
    List<Snapshot> snapshots = new ArrayList<>();
    table(failing, "restored", view).snapshots().forEach(snapshots::add);
    assertThat(snapshots)
        .as("commits: checkpoint c before the failure, the final checkpoint after the restore")
        .extracting(s -> Long.parseLong(s.summary().get("flink.max-committed-checkpoint-id")))
        .containsExactly(c, last);
    assertThat(snapshots)
        .as("commits by this job, under one commit identity before and after the restore")
        .extracting(s -> s.summary().get("flink.job-id"))
        .containsOnly(snapshots.get(0).summary().get("flink.job-id"))
        .allMatch(id -> id.startsWith(job.getJobID().toString()));
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
    List<Payment> payments =
        Payments.complete(11, 40_000, T0, 20_000, Payments.uniformCustomers(200));

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
    return FeatureSinks.of(
        List.of(new IcebergUpdateSink()), conf, (source, deadLetters) -> {}, (source, v) -> {});
  }

  /**
   * Triggers a checkpoint once every task of the job runs (before that Flink refuses to trigger
   * one) and returns its id once complete. A checkpoint that fails fails the test, with Flink's
   * reason: nothing is retried.
   */
  private static long checkpoint(MiniCluster cluster, JobClient job) throws Exception {
    await(job, "every task of the job to run", () -> tasksRunning(cluster, job.getJobID()));
    try {
      return cluster
          .triggerCheckpoint(job.getJobID(), CheckpointType.DEFAULT)
          .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("checkpoint failed: " + e.getCause(), e.getCause());
    }
  }

  /** Whether every task of the job is running (or, its input read, finished). */
  private static boolean tasksRunning(MiniCluster cluster, JobID job) {
    try {
      for (AccessExecutionVertex task :
          cluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
        ExecutionState state = task.getExecutionState();
        if (state != ExecutionState.RUNNING && state != ExecutionState.FINISHED) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("reading the tasks of job " + job, e);
    }
  }

  /**
   * Waits for a condition while the job runs; fails, saying what it waited for, if the job ends
   * first (with the job's failure) or the {@link #PATIENCE} runs out.
   */
  static void await(JobClient job, String what, BooleanSupplier condition) throws Exception {
    await(job, () -> what, condition);
  }

  /** {@link #await(JobClient, String, BooleanSupplier)}, saying what it waited for at the end. */
  static void await(JobClient job, Supplier<String> what, BooleanSupplier condition)
      throws Exception {
    Deadline deadline = Deadline.in(PATIENCE);
    while (!condition.getAsBoolean()) {
      JobStatus status = job.getJobStatus().get();
      if (status.isGloballyTerminalState()) {
        Throwable failure = null;
        try {
          job.getJobExecutionResult().get();
        } catch (ExecutionException e) {
          failure = e.getCause();
        }
        throw new AssertionError("job " + status + " while waiting for " + what.get(), failure);
      }
      if (!deadline.hasTimeLeft()) {
        throw new AssertionError(
            "waited " + PATIENCE.toSeconds() + " s for " + what.get() + " (job " + status + ")");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
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
   * The payments' pass-through in the failing run: throws once {@link #failNow} is set, counts what
   * attempt 0 passed, and counts down {@link #restoredInputEnded} when a restored attempt reaches
   * the end of its input. It keeps its record count in operator state, so that its task is restored
   * and learns the checkpoint id.
   */
  static final class FailOnce extends AbstractStreamOperator<Decoded>
      implements OneInputStreamOperator<Decoded, Decoded>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Records this subtask passed on; replaced at every checkpoint, never cleared. */
    private static final ListStateDescriptor<Long> PASSED =
        new ListStateDescriptor<>("passed", Types.LONG);

    static final AtomicLong seen = new AtomicLong();
    static final AtomicInteger restores = new AtomicInteger();
    static volatile boolean failNow;
    static volatile boolean failed;
    static volatile long restoredFrom;
    static volatile CountDownLatch restoredInputEnded;

    static void reset() {
      seen.set(0);
      restores.set(0);
      failNow = false;
      failed = false;
      restoredFrom = -1;
      restoredInputEnded = new CountDownLatch(FlinkMiniClusterExtension.PARALLELISM);
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
        restores.incrementAndGet();
      }
    }

    @Override
    public void processElement(StreamRecord<Decoded> element) {
      if (!restored) {
        if (failNow) {
          failed = true;
          throw new IllegalStateException("injected failure after a committed checkpoint");
        }
        seen.incrementAndGet();
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
      }
    }
  }

  /**
   * Passes updates on to the history sink (in its writer's task, so when it passes one, the writer
   * has taken the one before) and counts those that attempt 0 passes after its first checkpoint.
   */
  static final class RowsAfterCheckpoint extends AbstractStreamOperator<FeatureUpdate>
      implements OneInputStreamOperator<FeatureUpdate, FeatureUpdate> {
    private static final long serialVersionUID = 1L;

    static final AtomicLong rows = new AtomicLong();

    static void reset() {
      rows.set(0);
    }

    private transient boolean afterCheckpoint;

    @Override
    public void processElement(StreamRecord<FeatureUpdate> element) {
      if (afterCheckpoint) {
        rows.incrementAndGet();
      }
      output.collect(element);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
      super.snapshotState(context);
      afterCheckpoint = getRuntimeContext().getTaskInfo().getAttemptNumber() == 0;
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
    {
      for (Record r : HistoryRows.read(table)) {
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

  /**
   * The payments as decoded events, from a checkpointed bounded source at parallelism 1: Flink's
   * collection source, or, {@code gated}, the {@link GatedSource} that the test steps through.
   */
  private record PaymentSource(List<Payment> payments, boolean gated) implements EventSource {
    PaymentSource(List<Payment> payments) {
      this(payments, false);
    }

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
                new EventRow(p.getCustomerId(), p.getEventTime().toEpochMilli(), values),
                null,
                -1,
                -1L));
      }
      AvroTypeInfo<Decoded> type = new AvroTypeInfo<>(Decoded.class);
      return (gated ? GatedSource.of(env, events, type) : env.fromData(events, type))
          .uid("payments")
          .name("payments")
          .assignTimestampsAndWatermarks(PerEventWatermarks.of(watermarks))
          .uid("payments-watermarks")
          .name("watermarks");
    }
  }
}
