package io.freshet.connectors.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.iceberg.flink.sink.FreshetCommittables;
import org.apache.iceberg.flink.sink.TestCommittables;
import org.junit.jupiter.api.Test;

class AggregatorRestoreGuardTest {
  private static final String JOB = "0000000000000000000000000000c0de";

  /** The job ids of the committables the guard passed on, in order. */
  private static List<String> jobIds(List<CommittableMessage<Object>> out) {
    return out.stream()
        .filter(m -> m instanceof CommittableWithLineage<Object>)
        .map(m -> FreshetCommittables.jobId(((CommittableWithLineage<Object>) m).getCommittable()))
        .toList();
  }

  @Test
  void aStartWithoutStateRecordsItsCommitsUnderARunIdThatARestoreKeeps() throws Exception {
    OperatorSubtaskState snapshot;
    String first;
    try (var h = harness()) {
      h.open();
      h.processElement(committable("manifest-1", 1));
      first = jobIds(h.extractOutputValues()).get(0);
      assertThat(first).startsWith(JOB + "-run-").hasSizeGreaterThan(JOB.length() + 10);
      assertThat(
              TestCommittables.manifest(
                  ((CommittableWithLineage<Object>) h.extractOutputValues().get(0))
                      .getCommittable()))
          .isEqualTo("manifest-1");
      snapshot = h.snapshot(1, 0);
    }
    try (var restored = harness()) {
      restored.setRestoredCheckpointId(1);
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(committable("manifest-2", 2));
      assertThat(jobIds(restored.extractOutputValues()))
          .as("a restored run recognises its own commits")
          .containsExactly(first);
    }
    try (var again = harness()) {
      again.open();
      again.processElement(committable("manifest-1", 1));
      assertThat(jobIds(again.extractOutputValues()))
          .as("another start without state under the same job id")
          .singleElement()
          .isNotEqualTo(first);
    }
  }

  @Test
  void stateWrittenBeforeRunIdsKeepsThePlainJobId() throws Exception {
    // what the guard snapshotted before run ids: one long of last-checkpoint-id, nothing else
    OperatorSubtaskState legacy;
    try (var h =
        new OneInputStreamOperatorTestHarness<
            CommittableMessage<Object>, CommittableMessage<Object>>(new LegacyGuard())) {
      h.open();
      legacy = h.snapshot(3, 0);
    }
    try (var restored = harness()) {
      restored.setRestoredCheckpointId(3);
      restored.initializeState(legacy);
      restored.open();
      restored.processElement(committable("manifest-4", 4));
      assertThat(jobIds(restored.extractOutputValues())).containsExactly(JOB);
    }
  }

  /** The guard's state as it was before run ids: only the last checkpoint id. */
  private static final class LegacyGuard
      extends org.apache.flink.streaming.api.operators.AbstractStreamOperator<
          CommittableMessage<Object>>
      implements org.apache.flink.streaming.api.operators.OneInputStreamOperator<
          CommittableMessage<Object>, CommittableMessage<Object>> {
    private transient org.apache.flink.api.common.state.ListState<Long> last;

    @Override
    public void initializeState(org.apache.flink.runtime.state.StateInitializationContext c)
        throws Exception {
      super.initializeState(c);
      last =
          c.getOperatorStateStore()
              .getListState(
                  new org.apache.flink.api.common.state.ListStateDescriptor<>(
                      "last-checkpoint-id", org.apache.flink.api.common.typeinfo.Types.LONG));
    }

    @Override
    public void processElement(StreamRecord<CommittableMessage<Object>> element) {
      output.collect(element);
    }

    @Override
    public void snapshotState(org.apache.flink.runtime.state.StateSnapshotContext c)
        throws Exception {
      super.snapshotState(c);
      last.update(List.of(c.getCheckpointId()));
    }
  }

  @Test
  void passesCommittablesThroughAndAlwaysSnapshotsState() throws Exception {
    try (var h = harness()) {
      h.open();
      h.processElement(summary(1));
      h.processElement(committable("manifest-1", 1));
      assertThat(h.extractOutputValues())
          .extracting(CommittableMessage::getCheckpointId)
          .containsExactly(1L, 1L);
      OperatorSubtaskState snapshot = h.snapshot(1, 0);
      // the state that makes Flink restore the aggregator's task, even before any committable
      assertThat(snapshot.hasState()).isTrue();
      assertThat(snapshot.getManagedOperatorState()).isNotEmpty();
    }
  }

  @Test
  void afterARestoreRejectsACommittableAtOrBelowTheRestoredCheckpoint() throws Exception {
    OperatorSubtaskState snapshot;
    try (var first = harness()) {
      first.open();
      snapshot = first.snapshot(7, 0);
    }
    try (var restored = harness()) {
      restored.setRestoredCheckpointId(7);
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(summary(8));
      assertThat(restored.extractOutputValues()).hasSize(1);
      // what an unrestored aggregator emits at the end of its input: last checkpoint 0, plus one
      assertThatThrownBy(() -> restored.processElement(summary(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("checkpoint 1")
          .hasMessageContaining("restore from checkpoint 7");
      assertThatThrownBy(() -> restored.processElement(committable("manifest-7", 7)))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  private static OneInputStreamOperatorTestHarness<
          CommittableMessage<Object>, CommittableMessage<Object>>
      harness() throws Exception {
    return new OneInputStreamOperatorTestHarness<>(new AggregatorRestoreGuard<Object>());
  }

  private static StreamRecord<CommittableMessage<Object>> summary(long checkpointId) {
    return new StreamRecord<>(new CommittableSummary<>(0, 1, checkpointId, 1, 0));
  }

  private static StreamRecord<CommittableMessage<Object>> committable(
      String manifest, long checkpointId) {
    return new StreamRecord<>(
        new CommittableWithLineage<>(
            TestCommittables.of(manifest, JOB, "operator", checkpointId), checkpointId, 0));
  }
}
