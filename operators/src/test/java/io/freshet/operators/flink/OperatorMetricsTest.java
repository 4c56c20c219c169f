package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The operator metrics a dashboard reads, under the names it reads them by ({@code
 * view.<view>.corrections}, {@code view.<view>.lateEventsDropped}, {@code
 * deadLetters.reason.<REASON>.count}): registered through a real metric registry, counted once per
 * event.
 */
class OperatorMetricsTest {
  private static final long MIN = 60_000L;

  /** Every metric the operator under test registers, by its full identifier. */
  private static final class Registered {
    final Map<String, Metric> byIdentifier = new ConcurrentHashMap<>();
    final TaskMetricGroup task;

    Registered() {
      TestingMetricRegistry registry =
          TestingMetricRegistry.builder()
              .setNumberReporters(1)
              .setRegisterConsumer(
                  (metric, name, group) ->
                      byIdentifier.put(group.getMetricIdentifier(name), metric))
              .build();
      task =
          TaskManagerMetricGroup.createTaskManagerMetricGroup(
                  registry, "localhost", ResourceID.generate())
              .addJob(new JobID(), "job")
              .addTask(ExecutionAttemptID.randomId(), "task");
    }

    MockEnvironment environment() {
      return new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    /** The count of the one counter whose identifier ends with {@code .suffix}. */
    long count(String suffix) {
      List<Metric> found =
          byIdentifier.entrySet().stream()
              .filter(e -> e.getKey().endsWith("." + suffix))
              .map(Map.Entry::getValue)
              .toList();
      assertThat(found).as("one metric named %s in %s", suffix, byIdentifier.keySet()).hasSize(1);
      return ((Counter) found.get(0)).getCount();
    }
  }

  @Test
  void correctionsAndTooLateEventsAreCountedPerView() throws Exception {
    FeatureSpec spec =
        TestSpecs.countOnly(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(2));
    Registered metrics = new Registered();
    ViewFeatureOperator op =
        new ViewFeatureOperator(spec.source(), spec.views().get(0), SourceFields.of(spec));
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<String, EventRow, FeatureUpdate>(
            op, EventRow::getEntity, Types.STRING, metrics.environment())) {
      h.open();
      h.processElement(event("a", 10 * MIN));
      h.processElement(event("b", 10 * MIN));
      h.processWatermark(20 * MIN);
      assertThat(metrics.count("view.counts.corrections")).isZero();
      assertThat(metrics.count("view.counts.lateEventsDropped")).isZero();
      // allowed lateness is 5 min: two within it (corrections), one beyond it (dropped)
      h.processElement(event("a", 16 * MIN));
      h.processElement(event("b", 15 * MIN));
      h.processElement(event("a", 15 * MIN - 1));
      assertThat(metrics.count("view.counts.corrections")).isEqualTo(2);
      assertThat(metrics.count("view.counts.lateEventsDropped")).isEqualTo(1);
      assertThat(metrics.count("view.counts.eventsApplied")).isEqualTo(4);
      assertThat(metrics.count("view.counts.updatesEmitted")).isEqualTo(4);
      assertThat(h.getSideOutput(ViewFeatureOperator.LATE)).hasSize(1);
    }
  }

  @Test
  void deadLettersAreCountedByReasonAndInTotal() throws Exception {
    Registered metrics = new Registered();
    try (var h =
        new OneInputStreamOperatorTestHarness<Decoded, EventRow>(
            new ProcessOperator<>(new SplitDeadLetters()), metrics.environment())) {
      h.open();
      h.processElement(new StreamRecord<>(new Decoded(event("a", 1).getValue(), null, -1, -1L)));
      h.processElement(new StreamRecord<>(new Decoded(null, deadLetter("NOT_AVRO"), -1, -1L)));
      h.processElement(new StreamRecord<>(new Decoded(null, deadLetter("NOT_A_NUMBER"), -1, -1L)));
      h.processElement(new StreamRecord<>(new Decoded(null, deadLetter("NOT_AVRO"), -1, -1L)));
      assertThat(metrics.count("deadLetters.reason.NOT_AVRO.count")).isEqualTo(2);
      assertThat(metrics.count("deadLetters.reason.NOT_A_NUMBER.count")).isEqualTo(1);
      assertThat(metrics.count("deadLetters.total")).isEqualTo(3);
      assertThat(h.extractOutputValues()).extracting(EventRow::getEntity).containsExactly("a");
      assertThat(h.getSideOutput(SplitDeadLetters.DEAD_LETTERS))
          .extracting(r -> r.getValue().getReasonCode())
          .containsExactly("NOT_AVRO", "NOT_A_NUMBER", "NOT_AVRO");
    }
  }

  private static StreamRecord<EventRow> event(String entity, long ts) {
    return new StreamRecord<>(Harness.row(entity, ts, null, 1L, "m", true), ts);
  }

  private static DeadLetter deadLetter(String reason) {
    return new DeadLetter("txns", "txns", 0, 1L, 0L, null, null, reason, "test", 0L);
  }
}
