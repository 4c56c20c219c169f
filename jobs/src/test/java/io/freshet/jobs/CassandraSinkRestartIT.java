package io.freshet.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.freshet.avro.DeadLetter;
import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.cassandra.CassandraFeatureSink;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.services.LocalServices;
import io.freshet.services.Service;
import io.freshet.services.ServicesConfig;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.Deadline;
import io.freshet.testing.FlinkMiniClusterExtension;
import io.freshet.testing.TestServices;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The feature job with the Cassandra sink on a MiniCluster, against a Cassandra instance of its own
 * that is stopped and started again in the middle of the stream. Writes first retry, then the job
 * fails over (fixed-delay restarts) and restores from its last checkpoint, replaying updates. In
 * the end Cassandra must hold exactly the last update of every entity, as computed by a run of the
 * same job without the sink (and checked against the naive oracle).
 */
class CassandraSinkRestartIT {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(CassandraSinkRestartIT.class);
  private static final int EVENTS = 6_000;
  private static final int ENTITIES = 60;
  private static final long STEP_MS = 50;

  /**
   * The first event's time: about two hours ago, on the hour. Recent, because the sink judges by
   * the wall clock which updates are already gone (last event + ttl + expired-retention before now)
   * and never writes those; a fixed instant would need a ttl of years, and Cassandra (in its
   * default storage compatibility mode) refuses any TTL that ends after 2038-01-19. On the hour, so
   * that the events sit at the same place against every window's boundaries in every run: the
   * features, and any failure, are the same each time, only shifted by whole hours.
   */
  private static final long T0 =
      Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.HOURS).toEpochMilli();

  /** Events generated so far in this JVM (the MiniCluster runs here). */
  static final AtomicLong GENERATED = new AtomicLong();

  /**
   * While set, the first pass of the throttled source stops half-way, so that the test sees the
   * stream mid-way however fast or slow the fresh Cassandra node takes its first writes.
   */
  static volatile boolean holdHalfWay;

  private static final String YAML =
      "source:\n  name: payments\n  topic: payments\n  schema: payment.avsc\n"
          + "  entity: customer_id\n  event_time: event_time\n"
          + "  max_out_of_orderness: 2s\n  allowed_lateness: 10m\n"
          + "views:\n  - name: restart_view\n    ttl: 30d\n    features:\n"
          + "      - {name: txn_count_10m, agg: count, window: 10m}\n"
          + "      - {name: amount_sum_1h, agg: sum, field: amount, window: 1h}\n"
          + "      - {name: last_country, agg: last, field: country}\n";

  @Test
  void survivesACassandraRestartAndConvergesToTheLastUpdateOfEveryEntity() throws Exception {
    FeatureSpec spec = SpecParser.parse(Path.of("../examples/payments/restart.yaml"), YAML);
    ViewSpec view = spec.views().get(0);
    SourceFields fields = SourceFields.of(spec);

    // 1. The reference: the same job without the sink; the newest update per entity.
    Map<String, FeatureUpdate> expected = new HashMap<>();
    {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      FeatureJob.Outputs out =
          new FeatureJob(spec, generator(fields, false), FeatureSinks.NONE).build(env);
      try (CloseableIterator<FeatureUpdate> it =
          out.updates().get(view.name()).executeAndCollect()) {
        it.forEachRemaining(u -> expected.merge(u.getEntity(), u, (a, b) -> newer(b, a) ? b : a));
      }
    }
    assertThat(expected).hasSize(ENTITIES);
    // ... which the oracle agrees with.
    NaiveOracle oracle = new NaiveOracle(view, fields);
    Map<String, List<NaiveOracle.Event>> byEntity = new HashMap<>();
    for (int i = 0; i < EVENTS; i++) {
      EventRow e = event(fields, i);
      byEntity
          .computeIfAbsent(e.getEntity(), k -> new ArrayList<>())
          .add(new NaiveOracle.Event(e.getEventTime(), e.getValues()));
    }
    for (FeatureUpdate u : expected.values()) {
      Object[] want = oracle.vector(byEntity.get(u.getEntity()), u.getValidFrom());
      for (int i = 0; i < want.length; i++) {
        Object got = u.getValues().get(i);
        String what = view.features().get(i).name() + " of " + u.getEntity();
        if (want[i] instanceof Double d) {
          assertThat((Double) got).as(what).isCloseTo(d, org.assertj.core.data.Offset.offset(1e-6));
        } else {
          assertThat(got).as(what).isEqualTo(want[i]);
        }
      }
    }

    // 2. Our own Cassandra, restarted mid-stream.
    ServicesConfig config =
        ServicesConfig.onFreePorts(
            Path.of("target", "cassandra-restart-" + Long.toHexString(System.nanoTime())));
    LocalServices cassandra = new LocalServices(config);
    try {
      cassandra.start(EnumSet.of(Service.CASSANDRA));
      Configuration conf = new Configuration();
      conf.set(CassandraOptions.CONTACT_POINTS, List.of("127.0.0.1:" + config.cqlPort()));
      conf.set(CassandraOptions.LOCAL_DATACENTER, LocalServices.cassandraLocalDatacenter());
      conf.set(CassandraOptions.KEYSPACE, "restart_it");
      conf.set(CassandraOptions.CONSISTENCY, "ONE");
      conf.set(CassandraOptions.MAX_IN_FLIGHT, 32);
      // Write every update at once, as for live traffic (these events are 2 h old, which would be
      // held until each checkpoint): the sink must be mid-write when Cassandra goes away.
      conf.set(CassandraOptions.HOLD_OLDER_THAN, Duration.ZERO);
      conf.set(CassandraOptions.REQUEST_TIMEOUT, Duration.ofSeconds(2));
      // Few retries, so the outage outlasts them and the job must restore from a checkpoint.
      conf.set(CassandraOptions.RETRY_MAX_ATTEMPTS, 3);
      conf.set(CassandraOptions.RECONNECT_MAX_DELAY, Duration.ofMillis(500));

      Configuration jobConf = new Configuration();
      jobConf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      jobConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 60);
      jobConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
      env.enableCheckpointing(500);
      FeatureSinks sinks =
          new FeatureSinks() {
            @Override
            public void updates(SourceSpec src, ViewSpec v, DataStream<FeatureUpdate> updates) {
              updates
                  .sinkTo(CassandraFeatureSink.forView(src, v, conf))
                  .uid(CassandraFeatureSink.uid(src, v))
                  .name("cassandra: " + v.name());
            }

            @Override
            public void deadLetters(SourceSpec src, DataStream<DeadLetter> dead) {}
          };
      new FeatureJob(spec, generator(fields, true), sinks).build(env);
      GENERATED.set(0);
      holdHalfWay = true;
      JobClient job = env.executeAsync("cassandra restart");

      try (CqlSession session =
          TestServices.sessionBuilder(new InetSocketAddress("127.0.0.1", config.cqlPort()))
              .build()) {
        awaitRows(session, ENTITIES, job);
        // Mid-stream: Cassandra does not hold the final vector of every entity yet.
        long finalAlready =
            session.execute("SELECT entity, valid_from FROM restart_it.restart_view").all().stream()
                .filter(
                    r ->
                        r.getLong("valid_from")
                            == expected.get(r.getString("entity")).getValidFrom())
                .count();
        assertThat(finalAlready)
            .as("entities already final when Cassandra stops")
            .isLessThan(ENTITIES);
      }
      long atStop = GENERATED.get();
      assertThat(atStop).as("the source is held half-way").isLessThanOrEqualTo(EVENTS / 2 + 1);
      // The job is running: stop Cassandra, let the second half of the stream come (its writes
      // fail, retry, and fail the job over), then start Cassandra again.
      cassandra.stop(EnumSet.of(Service.CASSANDRA));
      holdHalfWay = false;
      cassandra.start(EnumSet.of(Service.CASSANDRA));
      job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
      // Restores replay the source from their checkpoint: more than EVENTS generated in total.
      LOG.info(
          "{} events generated for {} (replays after restores included); Cassandra stopped at {}",
          GENERATED.get(),
          EVENTS,
          atStop);
      assertThat(GENERATED.get())
          .as("events generated, replays after a restore included: the job failed over")
          .isGreaterThan(EVENTS);

      // 3. Cassandra holds exactly the last update of every entity.
      try (CqlSession session =
          TestServices.sessionBuilder(new InetSocketAddress("127.0.0.1", config.cqlPort()))
              .build()) {
        List<Row> rows = session.execute("SELECT * FROM restart_it.restart_view").all();
        assertThat(rows).hasSize(ENTITIES);
        for (Row r : rows) {
          FeatureUpdate want = expected.get(r.getString("entity"));
          String what = "row of " + r.getString("entity");
          assertThat(r.getLong("valid_from")).as(what).isEqualTo(want.getValidFrom());
          assertThat(r.getLong("last_event_time")).as(what).isEqualTo(want.getLastEventTime());
          assertThat(r.getInt("revision")).as(what).isEqualTo(want.getRevision());
          List<Object> got = new ArrayList<>();
          got.add(r.isNull("txn_count_10m") ? null : r.getLong("txn_count_10m"));
          got.add(r.isNull("amount_sum_1h") ? null : r.getDouble("amount_sum_1h"));
          got.add(r.getString("last_country"));
          assertThat(got).as(what).containsExactlyElementsOf(want.getValues());
        }
      }
    } finally {
      holdHalfWay = false;
      cassandra.stop();
    }
  }

  private static boolean newer(FeatureUpdate a, FeatureUpdate b) {
    return a.getValidFrom() > b.getValidFrom()
        || (a.getValidFrom() == b.getValidFrom() && a.getRevision() > b.getRevision());
  }

  /** Waits until the sink has written rows of {@code n} entities (and the job still runs). */
  private static void awaitRows(CqlSession session, long n, JobClient job) throws Exception {
    Deadline deadline = Deadline.in(java.time.Duration.ofSeconds(120));
    while (true) {
      assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("job ended").isFalse();
      try {
        long rows =
            session.execute("SELECT count(*) FROM restart_it.restart_view").one().getLong(0);
        if (rows >= n) {
          return;
        }
      } catch (com.datastax.oss.driver.api.core.servererrors.InvalidQueryException
          | com.datastax.oss.driver.api.core.servererrors.ServerError notYet) {
        // the table is not created yet, or is being created
      }
      assertThat(deadline.hasTimeLeft()).as("waiting for rows of %s entities", n).isTrue();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /** Event i: deterministic, event times increasing by STEP_MS; ENTITIES entities. */
  static EventRow event(SourceFields fields, long i) {
    String entity = "c" + (i * 7919 % ENTITIES);
    List<Object> values = new ArrayList<>();
    for (String f : fields.names()) {
      values.add(
          switch (f) {
            case "amount" -> i % 13 == 0 ? null : (i % 97) + 0.5;
            case "country" -> List.of("FR", "DE", "NL", "US").get((int) (i % 4));
            default -> "m" + (i % 17);
          });
    }
    return new EventRow(entity, T0 + i * STEP_MS, values);
  }

  /** A replayable (checkpointed) source of the events; throttled to last a few seconds. */
  private static EventSource generator(SourceFields fields, boolean throttled) {
    return (env, source, names, watermarks) ->
        env.fromSequence(0, EVENTS - 1)
            .setParallelism(1)
            .uid("sequence")
            .name("sequence")
            .map(
                i -> {
                  if (throttled) { // about 1 ms per event: 6-7 s for the stream
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    while (holdHalfWay && i == EVENTS / 2) {
                      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                  }
                  GENERATED.incrementAndGet();
                  return new Decoded(event(fields, i), null, -1, -1L);
                },
                new AvroTypeInfo<>(Decoded.class))
            .setParallelism(1)
            .uid("events")
            .name("events")
            .assignTimestampsAndWatermarks(PerEventWatermarks.of(watermarks))
            .setParallelism(1)
            .uid("watermarks")
            .name("watermarks");
  }
}
