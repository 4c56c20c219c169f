package io.freshet.connectors.iceberg;

import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.iceberg.flink.sink.FreshetCommittables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the task of Iceberg's pre-commit aggregator (see {@link RestoreSafeIcebergSink}) and
 * passes its committables through unchanged.
 *
 * <p>Its one piece of state is what matters: Flink restores only tasks that have state, and only a
 * restored task tells its operators (the aggregator among them) which checkpoint it restored. With
 * the guard in the task, the aggregator numbers the committables it emits after a restore above the
 * restored checkpoint, so Iceberg's committer never mistakes them for already committed ones.
 *
 * <p>It also gives each run that starts without state a commit identity of its own. Iceberg's
 * committer takes a committable as already committed when the table holds a commit of the same job
 * id and operator with a checkpoint id at or above it. A job started without state under a job id
 * that committed before (Kubernetes application mode without high availability: every start is job
 * 00000000000000000000000000000000) numbers its checkpoints from 1 again, and its bounded end as
 * Long.MAX_VALUE like the first run's: every commit was dropped, and the history silently stopped
 * growing ({@code SameJobIdIT}). So a fresh start draws a run id, kept in this operator's state,
 * and every committable is recorded under {@code <job id>-run-<run id>}; a restore keeps the run
 * id, so a restored run still recognises its own commits. (State written before run ids existed
 * restores with none: its commits stay under the plain job id, as they were.)
 *
 * <p>Error contract: after a restore from checkpoint {@code r}, a committable numbered {@code <= r}
 * fails the job with an {@link IllegalStateException} (Iceberg's committer would drop it silently,
 * and its rows with it). That only happens if the guard does not share the aggregator's task, for
 * example with operator chaining disabled.
 *
 * @param <CommT> Iceberg's committable type
 */
final class AggregatorRestoreGuard<CommT> extends AbstractStreamOperator<CommittableMessage<CommT>>
    implements OneInputStreamOperator<CommittableMessage<CommT>, CommittableMessage<CommT>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AggregatorRestoreGuard.class);

  /**
   * The id of the last checkpoint this task took: one long, replaced at every checkpoint, never
   * cleared. Its presence (not its value) is what makes Flink restore the task.
   */
  private static final ListStateDescriptor<Long> LAST_CHECKPOINT_ID =
      new ListStateDescriptor<>("last-checkpoint-id", Types.LONG);

  /** The run id drawn at a start without state; absent in state written before run ids. */
  private static final ListStateDescriptor<String> RUN_ID =
      new ListStateDescriptor<>("run-id", Types.STRING);

  private transient ListState<Long> lastCheckpointId;
  private transient ListState<String> runIdState;
  private transient OptionalLong restoredCheckpointId;

  /** This run's id, or null to keep the plain job id (restored from state without one). */
  private transient String runId;

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    lastCheckpointId = context.getOperatorStateStore().getListState(LAST_CHECKPOINT_ID);
    runIdState = context.getOperatorStateStore().getListState(RUN_ID);
    restoredCheckpointId = context.getRestoredCheckpointId();
    if (context.isRestored()) {
      runId = null;
      for (String id : runIdState.get()) {
        runId = id;
      }
    } else {
      runId = java.util.UUID.randomUUID().toString();
      LOG.info(
          "{} starts without state: its commits are recorded as run {}", getOperatorName(), runId);
    }
    if (restoredCheckpointId.isPresent()) {
      LOG.info(
          "Iceberg aggregator task of {} restored from checkpoint {} (last taken: {})",
          getOperatorName(),
          restoredCheckpointId.getAsLong(),
          lastCheckpointId.get());
    }
  }

  @Override
  public void processElement(StreamRecord<CommittableMessage<CommT>> element) {
    long checkpointId = element.getValue().getCheckpointIdOrEOI();
    if (restoredCheckpointId.isPresent() && checkpointId <= restoredCheckpointId.getAsLong()) {
      throw new IllegalStateException(
          String.format(
              "%s: a committable for checkpoint %d reached the committer after a restore from"
                  + " checkpoint %d; Iceberg's committer would take it as already committed and"
                  + " drop its rows. The guard must run in the same task as Iceberg's aggregator:"
                  + " keep operator chaining enabled.",
              getOperatorName(), checkpointId, restoredCheckpointId.getAsLong()));
    }
    if (runId != null && element.getValue() instanceof CommittableWithLineage<CommT> c) {
      output.collect(element.<CommittableMessage<CommT>>replace(c.map(this::underRunId)));
    } else {
      output.collect(element);
    }
  }

  @SuppressWarnings("unchecked")
  private CommT underRunId(CommT committable) {
    String jobId = FreshetCommittables.jobId(committable);
    return (CommT) FreshetCommittables.withJobId(committable, jobId + "-run-" + runId);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    lastCheckpointId.update(List.of(context.getCheckpointId()));
    runIdState.update(runId == null ? List.of() : List.of(runId));
  }
}
