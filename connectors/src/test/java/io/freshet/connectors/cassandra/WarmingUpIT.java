package io.freshet.connectors.cassandra;

import static io.freshet.connectors.cassandra.TestViews.update;
import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.MAX;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureStatus;
import io.freshet.serving.FeatureVector;
import io.freshet.spec.FeatureSpec;
import io.freshet.testing.PaymentSpecs;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A feature added to saved state is served as WARMING_UP while the vector lists it, and PRESENT or
 * MISSING once a later vector no longer does; a table made before the warming_up column gains it
 * when the writer opens, and a client reads a table without it as before.
 */
@ExtendWith(RealServicesExtension.class)
class WarmingUpIT {
  /** A fixed instant, ttl 30 days: no vector here expires. */
  private static final long T = 1_796_000_000_000L;

  /** The job's writer for the spec's view, on a clock a minute after T. */
  private static CassandraFeatureWriter writer(TestServices services, FeatureSpec spec)
      throws Exception {
    return CassandraFeatureWriter.open(
        spec.source(),
        spec.views().get(0),
        TestViews.cassandra(services),
        0,
        new UnregisteredMetricsGroup(),
        () -> T + 60_000);
  }

  private static FeatureClient client(TestServices services, FeatureSpec spec) {
    return FeatureClient.builder()
        .spec(spec)
        .session(services.cqlSession())
        .keyspace(services.keyspace())
        .clock(Clock.fixed(Instant.ofEpochMilli(T + 60_000), ZoneOffset.UTC))
        .build();
  }

  @Test
  void aWarmingFeatureIsServedAsWarmingUpUntilAVectorNoLongerListsIt(TestServices services)
      throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("warm", "30d", COUNT, MAX);
    try (CassandraFeatureWriter w = writer(services, spec);
        FeatureClient client = client(services, spec)) {
      FeatureUpdate warming = update(spec, "c1", T, T, 0, 3L, null);
      warming.setWarmingUp(List.of("amount_max_1h"));
      w.write(warming, null);
      w.flush(true);
      FeatureVector v = client.get("warm", "c1");
      assertThat(v.get("txn_count_1h").status()).isEqualTo(FeatureStatus.PRESENT);
      assertThat(v.get("amount_max_1h").status()).isEqualTo(FeatureStatus.WARMING_UP);
      assertThat(v.get("amount_max_1h").value()).isNull();
      assertThat(v.warmingUp()).containsExactly("amount_max_1h");

      // warmed up with no event in its window: still null, but MISSING, not WARMING_UP
      w.write(update(spec, "c1", T + 1000, T, 0, 3L, null), null);
      w.flush(true);
      v = client.get("warm", "c1");
      assertThat(v.get("amount_max_1h").status()).isEqualTo(FeatureStatus.MISSING);
      assertThat(v.warmingUp()).isEmpty();
    }
  }

  @Test
  void aTableMadeBeforeTheColumnGainsItAndIsReadWithoutItUntilThen(TestServices services)
      throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("older", "30d", COUNT);
    String table = services.keyspace() + ".older";
    var session = services.cqlSession();
    // the table as writers made it before warming_up existed, with one row and its metadata
    session.execute(
        "CREATE TABLE "
            + table
            + " (entity text PRIMARY KEY, valid_from bigint, last_event_time bigint,"
            + " written_at bigint, spec_version text, revision int, \"txn_count_1h\" bigint)");
    session.execute(
        "INSERT INTO "
            + table
            + " (entity, valid_from, last_event_time, written_at, spec_version, revision,"
            + " txn_count_1h) VALUES ('c0', ?, ?, ?, 'v0', 0, 7)",
        T,
        T,
        T);
    try (FeatureClient before = client(services, spec)) {
      FeatureVector v = before.getMany("older", List.of("c0")).get("c0");
      assertThat(v.get("txn_count_1h").value()).as("read without warming_up").isEqualTo(7L);
      assertThat(v.warmingUp()).isEmpty();
    }
    try (CassandraFeatureWriter w = writer(services, spec)) {
      w.write(update(spec, "c1", T, T, 0, 2L), null);
      w.flush(true);
    }
    assertThat(
            session
                .execute(
                    "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND"
                        + " table_name = 'older' AND column_name = 'warming_up'",
                    services.keyspace())
                .one())
        .as("warming_up added to the older table")
        .isNotNull();
    try (FeatureClient after = client(services, spec)) {
      var both = after.getMany("older", List.of("c0", "c1"));
      assertThat(both.get("c0").get("txn_count_1h").value()).isEqualTo(7L);
      assertThat(both.get("c1").get("txn_count_1h").value()).isEqualTo(2L);
    }
  }
}
