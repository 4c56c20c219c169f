package io.freshet.connectors.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class AggregatorRestoreGuardTest {

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
          CommittableMessage<String>, CommittableMessage<String>>
      harness() throws Exception {
    return new OneInputStreamOperatorTestHarness<>(new AggregatorRestoreGuard<String>());
  }

  private static StreamRecord<CommittableMessage<String>> summary(long checkpointId) {
    return new StreamRecord<>(new CommittableSummary<>(0, 1, checkpointId, 1, 0));
  }

  private static StreamRecord<CommittableMessage<String>> committable(
      String manifest, long checkpointId) {
    return new StreamRecord<>(new CommittableWithLineage<>(manifest, checkpointId, 0));
  }
}
