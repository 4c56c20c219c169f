package io.freshet.connectors.iceberg;

import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
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

  private transient ListState<Long> lastCheckpointId;
  private transient OptionalLong restoredCheckpointId;

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    lastCheckpointId = context.getOperatorStateStore().getListState(LAST_CHECKPOINT_ID);
    restoredCheckpointId = context.getRestoredCheckpointId();
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
    output.collect(element);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    lastCheckpointId.update(List.of(context.getCheckpointId()));
  }
}
