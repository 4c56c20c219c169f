package io.freshet.connectors.cassandra;

import static io.freshet.connectors.cassandra.TestViews.update;
import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.COUNTRY;
import static io.freshet.testing.PaymentSpecs.MAX;
import static io.freshet.testing.PaymentSpecs.SUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import io.freshet.avro.FeatureUpdate;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureStatus;
import io.freshet.serving.FeatureVector;
import io.freshet.spec.FeatureSpec;
import io.freshet.testing.PaymentSpecs;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Cassandra writer against the real node: versioned, idempotent upserts (duplicates, replays,
 * reordering, corrections), TTL, entity ids of any characters, schema creation and evolution, and
 * fatal errors surfacing on the writing thread. Values are read back through the serving client.
 */
@ExtendWith(RealServicesExtension.class)
class CassandraFeatureWriterIT {
  /**
   * The writer's and the serving client's "now": a fixed instant, not the wall clock, so that every
   * age, hold and TTL these tests check comes from the clock they give the writer (a writer that
   * read the wall clock instead would be months off). Only Cassandra's own countdown of a TTL runs
   * on the wall clock, and the TTL checks allow for it.
   */
  private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00Z

  private static final long T = NOW - Duration.ofHours(2).toMillis();

  /** How long a wait for an asynchronous write may take before the test fails. */
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private TestServices services;
  private Configuration conf;
  private FeatureClient client;
  private final AtomicLong clock = new AtomicLong(NOW);

  @BeforeEach
  void setUp(TestServices services) {
    this.services = services;
    conf = TestViews.cassandra(services);
    conf.set(CassandraOptions.MAX_IN_FLIGHT, 8);
    client =
        FeatureClient.builder()
            .session(services.cqlSession())
            .keyspace(services.keyspace())
            .clock(
                java.time.Clock.fixed(
                    java.time.Instant.ofEpochMilli(NOW), java.time.ZoneOffset.UTC))
            .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private CassandraFeatureWriter open(FeatureSpec spec) throws Exception {
    return CassandraFeatureWriter.open(
        spec.source(), spec.views().get(0), conf, 0, new UnregisteredMetricsGroup(), clock::get);
  }

  /** The Cassandra TTL left on an entity's txn_count_1h cell, in seconds. */
  private int ttlSeconds(String table, String entity) {
    Row r =
        services
            .cqlSession()
            .execute(
                "SELECT TTL(txn_count_1h) FROM " + table + " WHERE entity = ?", (Object) entity)
            .one();
    return r.getInt(0);
  }

  /** The update as the job stamps it when it emits it now. */
  private static FeatureUpdate emittedNow(FeatureUpdate u) {
    u.setWrittenAt(NOW);
    return u;
  }

  private static void writeAll(CassandraFeatureWriter w, FeatureUpdate... updates)
      throws Exception {
    for (FeatureUpdate u : updates) {
      w.write(u, null);
    }
    w.flush(true); // waits for every write, as at the end of input
  }

  @Test
  void duplicatesReplaysAndReorderingNeverRegressAndCorrectionsWin() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("risk", "30d", COUNT, SUM, COUNTRY);
    FeatureUpdate u1 = update(spec, "c1", T, T, 0, 1L, 10.0, "FR");
    FeatureUpdate u2 = update(spec, "c1", T + 1000, T + 1000, 0, 2L, 30.0, "DE");
    FeatureUpdate u3 = update(spec, "c1", T + 2000, T + 2000, 0, 3L, 32.5, null);
    try (CassandraFeatureWriter w = open(spec)) {
      // newest first, then the older ones, duplicates and a replay of everything
      writeAll(w, u3, u1, u2, u3, u2, u1, u1, u2, u3);
      FeatureVector v = client.get("risk", "c1");
      assertThat(v.validFrom()).isEqualTo(T + 2000);
      assertThat(v.writtenAt())
          .as("written_at as u3 carries it")
          .hasToString("2025-12-31T22:00:02Z");
      assertThat(v.get("txn_count_1h").asLong()).isEqualTo(3L);
      assertThat(v.get("amount_sum_1h").asDouble()).isEqualTo(32.5);
      // null in the newest vector shadows the older "DE": MISSING, not a stale value
      assertThat(v.get("last_country").status()).isEqualTo(FeatureStatus.MISSING);
      assertThat(v.get("last_country").value()).isNull();

      // A correction of the same valid_from wins; a replay of the uncorrected vector does not.
      FeatureUpdate c1 = update(spec, "c1", T + 2000, T + 2000, 1, 4L, 40.0, "NL");
      FeatureUpdate c2 = update(spec, "c1", T + 2000, T + 2000, 2, 5L, 41.0, "NL");
      writeAll(w, c2, c1, u3, c1);
      v = client.get("risk", "c1");
      assertThat(v.revision()).isEqualTo(2);
      assertThat(v.get("txn_count_1h").asLong()).isEqualTo(5L);
      assertThat(v.get("last_country").asString()).isEqualTo("NL");

      // A window exit later (new valid_from, same last event) moves forward.
      writeAll(w, update(spec, "c1", T + 3_600_000, T + 2000, 0, 0L, 0.0, "NL"));
      v = client.get("risk", "c1");
      assertThat(v.get("txn_count_1h").asLong()).isZero();
      assertThat(v.lastEventTime()).isEqualTo(T + 2000);
      assertThat(v.status()).isEqualTo(FeatureStatus.PRESENT);
      assertThat(v.age()).isEqualTo(Duration.ofMillis(NOW - T - 2000));
    }
  }

  /**
   * A failed attempt wrote a vector; its replay after the restore classified a late event otherwise
   * and computed another vector under the same valid_from and revision. The replay's writer opened
   * later, so its vector wins whole: with a timestamp of valid_from and revision alone the two
   * shared it and Cassandra kept the larger value of each cell (count 2 and country FR of one
   * vector beside sum 99.0 of the other). An older writer still open never wins back.
   */
  @Test
  void aReplayWithAnotherVectorUnderTheSameVersionWinsWholeNeverMixed() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("replay", "30d", COUNT, SUM, COUNTRY);
    FeatureUpdate failedAttempt = update(spec, "c9", T, T, 0, 1L, 99.0, "FR");
    FeatureUpdate replayed = update(spec, "c9", T, T, 0, 2L, 10.0, "DE");
    try (CassandraFeatureWriter before = open(spec)) {
      writeAll(before, failedAttempt);
      try (CassandraFeatureWriter after = open(spec)) {
        writeAll(after, replayed);
        FeatureVector v = client.get("replay", "c9");
        assertThat(v.get("txn_count_1h").asLong()).isEqualTo(2L);
        assertThat(v.get("amount_sum_1h").asDouble()).isEqualTo(10.0);
        assertThat(v.get("last_country").asString()).isEqualTo("DE");
        // the failed attempt's writer, still open, writing its vector again: no effect
        writeAll(before, failedAttempt);
        v = client.get("replay", "c9");
        assertThat(v.get("amount_sum_1h").asDouble()).isEqualTo(10.0);
        assertThat(v.get("last_country").asString()).isEqualTo("DE");
        // a newer version of the old writer wins as usual
        writeAll(before, update(spec, "c9", T, T, 1, 3L, 11.0, "NL"));
        v = client.get("replay", "c9");
        assertThat(v.get("txn_count_1h").asLong()).isEqualTo(3L);
        assertThat(v.get("last_country").asString()).isEqualTo("NL");
      }
    }
  }

  /**
   * Rows written before the writer-epoch timestamps (valid_from * 1000 + revision, up to a week
   * ahead in the bug of issue 13) lose to any write of this version.
   */
  @Test
  void aRowWrittenWithTheFormerTimestampsLosesToTheNextWrite() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("former", "30d", COUNT);
    try (CassandraFeatureWriter w = open(spec)) {
      long weekAhead = NOW + Duration.ofDays(7).toMillis();
      services
          .cqlSession()
          .execute(
              "INSERT INTO "
                  + services.keyspace()
                  + "."
                  + io.freshet.store.StoreNames.table("former")
                  + " (entity, valid_from, last_event_time, written_at, spec_version,"
                  + " revision, txn_count_1h) VALUES ('c1', ?, ?, ?, 'old', 0, 0) USING TIMESTAMP ?",
              weekAhead,
              weekAhead,
              weekAhead,
              weekAhead * 1000 + 999);
      writeAll(w, update(spec, "c1", T, T, 0, 5L));
      FeatureVector v = client.get("former", "c1");
      assertThat(v.validFrom()).isEqualTo(T);
      assertThat(v.get("txn_count_1h").asLong()).isEqualTo(5L);
    }
  }

  @Test
  void aBackfillThatOutrunsCassandraWritesOnlyCurrentVectorsAndEndsWithTheNewest()
      throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("backfill", "30d", COUNT, SUM);
    conf.set(CassandraOptions.MAX_IN_FLIGHT, 2);
    conf.set(CassandraOptions.MAX_WAITING, 50);
    int entities = 300;
    int perEntity = 40;
    try (CassandraFeatureWriter w = open(spec)) {
      // as the engine emits them: bursts of one entity's updates, entities interleaved
      for (int round = 0; round < 4; round++) {
        for (int e = 0; e < entities; e++) {
          for (int k = round * perEntity / 4; k < (round + 1) * perEntity / 4; k++) {
            long t = T + k * 1000L;
            w.write(update(spec, "b" + e, t, t, 0, (long) k, k * 1.5), null);
          }
        }
      }
      // an older replay of a waiting or written entity never wins
      w.write(update(spec, "b7", T, T, 0, 0L, 0.0), null);
      w.flush(true);
      long updates = (long) entities * perEntity + 1;
      assertThat(w.writesCompleted() + w.updatesCoalesced())
          .as("every update written or replaced by a newer one")
          .isGreaterThanOrEqualTo(updates);
      assertThat(w.updatesCoalesced()).as("the backfill outran 2 writes in flight").isPositive();
      assertThat(w.writesCompleted()).isLessThan(updates);
    }
    for (int e = 0; e < entities; e++) {
      FeatureVector v = client.get("backfill", "b" + e);
      assertThat(v.validFrom()).as("entity b%d", e).isEqualTo(T + (perEntity - 1) * 1000L);
      assertThat(v.get("txn_count_1h").asLong()).isEqualTo(perEntity - 1L);
      assertThat(v.get("amount_sum_1h").asDouble()).isEqualTo((perEntity - 1) * 1.5);
    }
  }

  @Test
  void recentUpdatesAreWrittenAtOnceAndHistoricalOnesAtTheNextCheckpoint() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("hold", "30d", COUNT);
    RecordingMetricGroup metrics = new RecordingMetricGroup();
    // holds updates older than 1 min by default
    try (CassandraFeatureWriter w =
        CassandraFeatureWriter.open(
            spec.source(), spec.views().get(0), conf, 0, metrics, clock::get)) {
      // emitted now (written_at), valid from two hours ago: a catch-up
      w.write(emittedNow(update(spec, "old", T, T, 0, 1L)), null);
      w.write(emittedNow(update(spec, "old", T + 1000, T + 1000, 0, 2L)), null);
      w.write(emittedNow(update(spec, "new", NOW - 1000, NOW - 1000, 0, 7L)), null);
      // sent as write() returned, not later: nothing waits, the historical update is held
      assertThat(metrics.gauge("view.hold.cassandraWaiting")).as("updates waiting").isEqualTo(0);
      assertThat(metrics.gauge("view.hold.cassandraHeld")).as("updates held").isEqualTo(1);
      // the write's own completion, without a flush
      metrics.awaitCount("view.hold.cassandraWrites", 1, PATIENCE);
      assertThat(client.get("hold", "new").status())
          .as("the recent update written without a flush")
          .isEqualTo(FeatureStatus.PRESENT);
      assertThat(client.get("hold", "old").status())
          .as("the historical update is held until the checkpoint")
          .isEqualTo(FeatureStatus.MISSING);
      w.flush(false); // the checkpoint releases it; it is written without waiting for it
      metrics.awaitCount("view.hold.cassandraWrites", 2, PATIENCE);
      FeatureVector old = client.get("hold", "old");
      assertThat(old.get("txn_count_1h").asLong()).isEqualTo(2L);
      assertThat(w.updatesCoalesced()).isEqualTo(1);
      assertThat(w.writesCompleted()).isEqualTo(2);
    }
  }

  /**
   * A checkpoint does not wait for Cassandra: with one write in flight and 2,000 entities waiting,
   * the checkpoint's flush returns at once and the checkpoint holds what is not written yet. Every
   * entity is then either in Cassandra or in the checkpoint, and a writer restored from it, after
   * the first one is gone, writes the rest.
   */
  @Test
  void aCheckpointHoldsTheUnfinishedWritesAndARestoredWriterSendsThem() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("pending", "30d", COUNT, SUM);
    conf.set(CassandraOptions.MAX_IN_FLIGHT, 1);
    int entities = 2_000;
    List<FeatureUpdate> checkpoint;
    CassandraFeatureWriter w = open(spec);
    try {
      for (int e = 0; e < entities; e++) {
        w.write(update(spec, "p" + e, T, T, 0, 1L, 1.0), null);
        w.write(update(spec, "p" + e, T + 1000, T + 1000, 0, 2L, e * 1.0), null);
      }
      long flushStarted = System.nanoTime();
      w.flush(false);
      checkpoint = w.snapshotState(1);
      long flushMillis = (System.nanoTime() - flushStarted) / 1_000_000;
      assertThat(checkpoint)
          .as(
              "the writes not finished at the checkpoint (flush and snapshot took %d ms)",
              flushMillis)
          .isNotEmpty()
          .hasSizeLessThanOrEqualTo(entities);
      assertThat(checkpoint)
          .as("only the newest update of each entity")
          .allSatisfy(u -> assertThat(u.getValidFrom()).isEqualTo(T + 1000));
    } finally {
      w.abandon(); // its process died: the writes it had not sent are lost with it
    }
    // each entity is in Cassandra or in the checkpoint
    java.util.Set<String> inCheckpoint = new java.util.HashSet<>();
    checkpoint.forEach(u -> inCheckpoint.add(u.getEntity().toString()));
    client.refreshViews();
    int missing = 0;
    for (int e = 0; e < entities; e++) {
      FeatureVector v = client.get("pending", "p" + e);
      boolean written = v.status() == FeatureStatus.PRESENT && v.get("txn_count_1h").asLong() == 2L;
      if (!written) {
        missing++;
        assertThat(inCheckpoint)
            .as("entity p%d, not written, is in the checkpoint", e)
            .contains("p" + e);
      }
    }
    assertThat(missing).as("entities the first writer left unwritten").isPositive();
    // bytes and back, as Flink stores them
    PendingWritesSerializer serializer = new PendingWritesSerializer();
    List<FeatureUpdate> restored = new java.util.ArrayList<>();
    for (FeatureUpdate u : checkpoint) {
      restored.add(serializer.deserialize(serializer.getVersion(), serializer.serialize(u)));
    }
    RecordingMetricGroup metrics = new RecordingMetricGroup();
    try (CassandraFeatureWriter r =
        CassandraFeatureWriter.open(
            spec.source(), spec.views().get(0), conf, 0, metrics, clock::get)) {
      r.restore(restored);
      r.flush(true);
      assertThat(metrics.count("view.pending.cassandraRestoredWrites"))
          .isEqualTo(checkpoint.size());
    }
    for (int e = 0; e < entities; e++) {
      FeatureVector v = client.get("pending", "p" + e);
      assertThat(v.get("txn_count_1h").asLong()).as("entity p%d", e).isEqualTo(2L);
      assertThat(v.get("amount_sum_1h").asDouble()).as("entity p%d", e).isEqualTo(e * 1.0);
    }
  }

  /**
   * A job stopped with a savepoint (no drain) takes its last checkpoint and closes: the writes the
   * savepoint holds are written at the close too, so that Cassandra serves every emitted update
   * while the job is stopped.
   */
  @Test
  void closingWritesWhatIsUnfinished() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("closing", "30d", COUNT);
    conf.set(CassandraOptions.MAX_IN_FLIGHT, 1);
    try (CassandraFeatureWriter w = open(spec)) {
      for (int e = 0; e < 500; e++) {
        w.write(update(spec, "s" + e, T, T, 0, 5L), null);
      }
      w.flush(false);
      assertThat(w.snapshotState(1)).as("unfinished at the savepoint").isNotEmpty();
    }
    client.refreshViews();
    for (int e = 0; e < 500; e++) {
      assertThat(client.get("closing", "s" + e).get("txn_count_1h").asLong())
          .as("entity s%d", e)
          .isEqualTo(5L);
    }
  }

  /** With drain-on-checkpoint, the checkpoint's flush waits for every write and holds none. */
  @Test
  void drainOnCheckpointWritesEverythingBeforeTheCheckpoint() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("drained", "30d", COUNT);
    conf.set(CassandraOptions.MAX_IN_FLIGHT, 1);
    conf.set(CassandraOptions.DRAIN_ON_CHECKPOINT, true);
    try (CassandraFeatureWriter w = open(spec)) {
      for (int e = 0; e < 300; e++) {
        w.write(update(spec, "d" + e, T, T, 0, 3L), null);
      }
      w.flush(false);
      assertThat(w.snapshotState(1)).as("nothing left for the checkpoint").isEmpty();
    }
    client.refreshViews();
    for (int e = 0; e < 300; e++) {
      assertThat(client.get("drained", "d" + e).get("txn_count_1h").asLong()).isEqualTo(3L);
    }
  }

  @Test
  void ttlIsMeasuredFromLastEventTimeAndExpiredReplaysAreSkipped() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("short_ttl", "1h", COUNT);
    conf.set(CassandraOptions.EXPIRED_RETENTION, Duration.ofMinutes(10));
    try (CassandraFeatureWriter w = open(spec)) {
      long last = NOW - Duration.ofMinutes(30).toMillis();
      // expires at last + 1h, dropped 10 min later: about 40 min from now
      writeAll(w, update(spec, "fresh", last, last, 0, 1L));
      assertThat(ttlSeconds("short_ttl", "fresh")).isBetween(40 * 60 - 60, 40 * 60 + 1);
      // an old update replayed long after its expiry: not written (TTL 0 would mean forever)
      long old = NOW - Duration.ofHours(3).toMillis();
      writeAll(w, update(spec, "gone", old, old, 0, 7L));
      assertThat(client.get("short_ttl", "gone").status()).isEqualTo(FeatureStatus.MISSING);
      assertThat(
              services
                  .cqlSession()
                  .execute("SELECT count(*) FROM short_ttl WHERE entity = 'gone'")
                  .one()
                  .getLong(0))
          .isZero();
      // expired but within retention: stored, served as EXPIRED
      long stale = NOW - Duration.ofMinutes(65).toMillis();
      writeAll(w, update(spec, "stale", stale, stale, 0, 2L));
      FeatureVector v = client.get("short_ttl", "stale");
      assertThat(v.found()).isTrue();
      assertThat(v.status()).isEqualTo(FeatureStatus.EXPIRED);
      assertThat(v.get(0).status()).isEqualTo(FeatureStatus.EXPIRED);
      assertThat(v.get(0).value()).isNull();
    }
  }

  /**
   * A ttl that would keep a vector past 2038-01-19 (Cassandra's expiry times are 32-bit seconds,
   * and the node refuses such a write) is capped a day before then instead of failing every write.
   * On the wall clock: the limit is the node's, from its own now.
   */
  @Test
  void aTtlReachingPast2038IsCappedNotRefused() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("long_ttl", "5000d", COUNT);
    long now = System.currentTimeMillis();
    try (CassandraFeatureWriter w =
        CassandraFeatureWriter.open(
            spec.source(),
            spec.views().get(0),
            conf,
            0,
            new UnregisteredMetricsGroup(),
            System::currentTimeMillis)) {
      writeAll(w, update(spec, "lasting", now, now, 0, 4L));
    }
    int ttl = ttlSeconds("long_ttl", "lasting");
    assertThat(now / 1000 + ttl)
        .as("expiry of the capped cell")
        .isBetween(WriteVersion.LAST_EXPIRY_SECONDS - 120, WriteVersion.LAST_EXPIRY_SECONDS);
  }

  /**
   * Window exits are valid from later than the last event: the Cassandra TTL, the skip of updates
   * already gone and the served status all run from last_event_time (store/Expiry), not valid_from.
   */
  @Test
  void ttlOfAWindowExitRunsFromItsLastEventNotItsValidFrom() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("exit_ttl", "1h", COUNT);
    conf.set(CassandraOptions.EXPIRED_RETENTION, Duration.ofMinutes(10));
    RecordingMetricGroup metrics = new RecordingMetricGroup();
    try (CassandraFeatureWriter w =
        CassandraFeatureWriter.open(
            spec.source(), spec.views().get(0), conf, 0, metrics, clock::get)) {
      long minute = Duration.ofMinutes(1).toMillis();
      // last event 65 min ago, exit 5 min ago: expired 5 min ago, dropped in about 5 min
      writeAll(w, update(spec, "stale_exit", NOW - 5 * minute, NOW - 65 * minute, 0, 0L));
      assertThat(ttlSeconds("exit_ttl", "stale_exit")).isBetween(5 * 60 - 60, 5 * 60 + 1);
      FeatureVector v = client.get("exit_ttl", "stale_exit");
      assertThat(v.validFrom()).isEqualTo(NOW - 5 * minute);
      assertThat(v.status()).isEqualTo(FeatureStatus.EXPIRED);
      assertThat(v.age()).isEqualTo(Duration.ofMinutes(65));
      // last event 3 h ago, exit a minute ago: past its retention, never written
      writeAll(w, update(spec, "gone_exit", NOW - minute, NOW - 180 * minute, 0, 0L));
      assertThat(client.get("exit_ttl", "gone_exit").found()).isFalse();
      assertThat(metrics.count("view.exit_ttl.expiredSkipped")).isEqualTo(1);
      assertThat(metrics.count("view.exit_ttl.cassandraWrites")).isEqualTo(1);
    }
  }

  @Test
  void entityIdsOfAnyCharacters() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("odd_ids", "30d", COUNT, COUNTRY);
    List<String> ids =
        List.of(
            "o'brien",
            "\"quoted\"",
            "with space",
            "名前-顧客",
            "emoji 🚀",
            "semi;colon -- comment",
            "'; DROP TABLE odd_ids; --",
            "back\\slash\nnewline");
    try (CassandraFeatureWriter w = open(spec)) {
      long i = 0;
      for (String id : ids) {
        w.write(update(spec, id, T + i, T + i, 0, ++i, id), null);
      }
      w.flush(true);
    }
    Map<String, FeatureVector> got = client.getMany("odd_ids", ids);
    assertThat(got.keySet()).containsExactlyElementsOf(ids);
    long i = 0;
    for (String id : ids) {
      FeatureVector v = got.get(id);
      assertThat(v.entity()).isEqualTo(id);
      assertThat(v.get("txn_count_1h").asLong()).as(id).isEqualTo(++i);
      assertThat(v.get("last_country").asString()).as(id).isEqualTo(id);
    }
  }

  @Test
  void schemaEvolvesByAddedFeaturesAndRefusesRetypedOnes() throws Exception {
    FeatureSpec v1 = PaymentSpecs.oneView("evolving", "30d", COUNT, SUM);
    try (CassandraFeatureWriter w = open(v1)) {
      writeAll(w, update(v1, "c1", T, T, 0, 1L, 5.0));
    }
    // added feature: ALTER TABLE ADD; old rows read MISSING for it
    FeatureSpec v2 = PaymentSpecs.oneView("evolving", "30d", COUNT, SUM, MAX);
    try (CassandraFeatureWriter w = open(v2)) {
      writeAll(w, update(v2, "c2", T, T, 0, 1L, 5.0, 5.0));
    }
    assertThat(ViewTableSchema.columns(services.cqlSession(), services.keyspace(), "evolving"))
        .containsEntry("amount_max_1h", "double");
    client.refreshViews();
    assertThat(client.viewMetadata("evolving").features())
        .containsExactly("txn_count_1h", "amount_sum_1h", "amount_max_1h");
    FeatureVector old = client.get("evolving", "c1");
    assertThat(old.get("amount_sum_1h").asDouble()).isEqualTo(5.0);
    assertThat(old.get("amount_max_1h").status()).isEqualTo(FeatureStatus.MISSING);

    // retyped feature (sum over amount is double; a count of the same name is bigint): refused,
    // and the job must not restart in a loop
    FeatureSpec retyped =
        PaymentSpecs.oneView(
            "evolving", "30d", COUNT, "{name: amount_sum_1h, agg: count, window: 1h}", MAX);
    assertThatThrownBy(() -> open(retyped))
        .isInstanceOf(SuppressRestartsException.class)
        .rootCause()
        .isInstanceOf(ViewSchemaException.class)
        .hasMessageContaining("feature 'amount_sum_1h' changed type from double to bigint")
        .hasMessageContaining("declare a new view");
  }

  @Test
  void aRemovedFeatureKeepsItsColumnWhichEveryRowWrittenAfterHoldsNullIn() throws Exception {
    FeatureSpec a = PaymentSpecs.oneView("shrinking", "30d", COUNT, SUM);
    FeatureSpec b = PaymentSpecs.oneView("shrinking", "30d", COUNT);
    try (CassandraFeatureWriter w = open(a)) {
      writeAll(w, update(a, "c1", T, T, 0, 1L, 5.0), update(a, "c2", T, T, 0, 1L, 6.0));
    }
    // B starts without the sum: no refusal, the column stays, B's insert sets it (to null)
    try (CassandraFeatureWriter w = open(b)) {
      assertThat(w.insertQuery()).contains("\"txn_count_1h\", \"amount_sum_1h\")");
      writeAll(w, update(b, "c1", T + 1000, T + 1000, 0, 2L));
    }
    try (CassandraFeatureWriter other =
        CassandraFeatureWriter.open(
            b.source(), b.views().get(0), conf, 1, new UnregisteredMetricsGroup(), clock::get)) {
      assertThat(other.insertQuery()).as("subtasks that await the table").contains("amount_sum_1h");
    }
    assertThat(ViewTableSchema.columns(services.cqlSession(), services.keyspace(), "shrinking"))
        .containsEntry("amount_sum_1h", "double");
    Row c1 =
        services
            .cqlSession()
            .execute("SELECT txn_count_1h, amount_sum_1h FROM shrinking WHERE entity = 'c1'")
            .one();
    assertThat(c1.getLong("txn_count_1h")).isEqualTo(2L);
    assertThat(c1.isNull("amount_sum_1h")).as("no stale sum beside B's vector").isTrue();

    // freshet_views lists B's features: an up-to-date client has no sum
    client.refreshViews();
    assertThat(client.viewMetadata("shrinking").features()).containsExactly("txn_count_1h");
    assertThatThrownBy(() -> client.get("shrinking", "c1").get("amount_sum_1h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no feature 'amount_sum_1h'");
    // a client built on A reads the sum as MISSING from B's rows, and A's rows whole
    try (FeatureClient onA =
        FeatureClient.builder()
            .session(services.cqlSession())
            .keyspace(services.keyspace())
            .spec(a)
            .clock(
                java.time.Clock.fixed(
                    java.time.Instant.ofEpochMilli(NOW), java.time.ZoneOffset.UTC))
            .build()) {
      FeatureVector v1 = onA.get("shrinking", "c1");
      assertThat(v1.get("txn_count_1h").asLong()).isEqualTo(2L);
      assertThat(v1.get("amount_sum_1h").status()).isEqualTo(FeatureStatus.MISSING);
      FeatureVector v2 = onA.get("shrinking", "c2");
      assertThat(v2.get("amount_sum_1h").asDouble()).as("not rewritten since A").isEqualTo(6.0);
    }

    // back to A: the sum is computed and written again
    try (CassandraFeatureWriter w = open(a)) {
      assertThat(w.insertQuery()).contains("\"txn_count_1h\", \"amount_sum_1h\")");
      writeAll(w, update(a, "c1", T + 2000, T + 2000, 0, 3L, 9.0));
    }
    client.refreshViews();
    assertThat(client.get("shrinking", "c1").get("amount_sum_1h").asDouble()).isEqualTo(9.0);
  }

  @Test
  void fatalErrorsFailTheNextWriteOrFlushLoudly() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("dropped", "30d", COUNT);
    try (CassandraFeatureWriter w = open(spec)) {
      writeAll(w, update(spec, "c1", T, T, 0, 1L));
      services.cqlSession().execute("DROP TABLE dropped");
      w.write(update(spec, "c1", T + 1, T + 1, 0, 2L), null);
      assertThatThrownBy(() -> w.flush(true))
          .isInstanceOf(CassandraWriteException.class)
          .hasMessageContaining("fatal error in the Cassandra write of view 'dropped'")
          .hasMessageContaining("entity 'c1' after 1 attempt");
      // and it stays failed
      assertThatThrownBy(() -> w.write(update(spec, "c2", T, T, 0, 1L), null))
          .isInstanceOf(CassandraWriteException.class);
    }
  }
}
