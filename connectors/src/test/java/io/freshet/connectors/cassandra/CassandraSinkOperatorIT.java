package io.freshet.connectors.cassandra;

import static io.freshet.connectors.cassandra.TestViews.update;
import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.SUM;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureStatus;
import io.freshet.serving.FeatureVector;
import io.freshet.spec.FeatureSpec;
import io.freshet.testing.PaymentSpecs;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink as Flink runs it (its writer operator in a test harness) against the real node: a
 * checkpoint taken while writes are unfinished holds them in the operator's state, and an operator
 * restored from that state writes them. The restored operator writes to another keyspace, so that
 * what it writes there can only have come from the checkpoint.
 */
@ExtendWith(RealServicesExtension.class)
class CassandraSinkOperatorIT {
  private static final long T = System.currentTimeMillis() - Duration.ofHours(1).toMillis();

  @Test
  void theUnfinishedWritesOfACheckpointAreWrittenByTheRestoredOperator(TestServices services)
      throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("operator_state", "30d", COUNT, SUM);
    Configuration conf = TestViews.cassandra(services);
    conf.set(CassandraOptions.MAX_IN_FLIGHT, 1);
    int entities = 2_000;
    OperatorSubtaskState checkpoint;
    try (var first = harness(spec, conf)) {
      first.open();
      for (int e = 0; e < entities; e++) {
        first.processElement(new StreamRecord<>(update(spec, "o" + e, T, T, 0, 1L, e * 2.0)));
      }
      checkpoint = first.snapshot(1, 1);
    }
    assertThat(checkpoint.getManagedOperatorState())
        .as("the writer's unfinished writes, in the operator's state")
        .isNotEmpty();

    String restoredKeyspace = services.keyspace() + "_restored";
    Configuration elsewhere = new Configuration(conf);
    elsewhere.set(CassandraOptions.KEYSPACE, restoredKeyspace);
    try (var restored = harness(spec, elsewhere)) {
      restored.initializeState(checkpoint);
      restored.open();
      restored.endInput(); // waits for every write
    }
    try (FeatureClient client =
        FeatureClient.builder().session(services.cqlSession()).keyspace(restoredKeyspace).build()) {
      int written = 0;
      for (int e = 0; e < entities; e++) {
        FeatureVector v = client.get("operator_state", "o" + e);
        if (v.status() == FeatureStatus.PRESENT) {
          written++;
          assertThat(v.get("amount_sum_1h").asDouble()).as("entity o%d", e).isEqualTo(e * 2.0);
        }
      }
      assertThat(written).as("entities the restored operator wrote").isPositive();
    } finally {
      services.cqlSession().execute("DROP KEYSPACE IF EXISTS \"" + restoredKeyspace + "\"");
    }
  }

  private static OneInputStreamOperatorTestHarness<FeatureUpdate, CommittableMessage<Void>> harness(
      FeatureSpec spec, Configuration conf) throws Exception {
    return new OneInputStreamOperatorTestHarness<>(
        new SinkWriterOperatorFactory<>(
            CassandraFeatureSink.forView(spec.source(), spec.views().get(0), conf)));
  }
}
