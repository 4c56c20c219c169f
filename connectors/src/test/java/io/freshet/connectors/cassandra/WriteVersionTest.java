package io.freshet.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.testing.PaymentSpecs;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteVersionTest {
  @Test
  void timestampsOrderByValidFromThenRevisionThenWriterEpoch() {
    assertThat(WriteVersion.timestamp(1_000, 0, 0)).isEqualTo(1_000_000_000L);
    assertThat(WriteVersion.timestamp(1_000, 1, 0))
        .isGreaterThan(WriteVersion.timestamp(1_000, 0, 999));
    // a later writer's vector of the same valid_from and revision wins
    assertThat(WriteVersion.timestamp(1_000, 1, 8))
        .isGreaterThan(WriteVersion.timestamp(1_000, 1, 7));
    // any revision and epoch of an earlier valid_from loses to revision 0 of a later one
    assertThat(WriteVersion.timestamp(1_000, 5_000, 999))
        .isLessThan(WriteVersion.timestamp(1_001, 0, 0));
    assertThat(WriteVersion.timestamp(1_000, 5_000, 1_003)).isEqualTo(1_000_999_003L);
    // a row written with the former scale (valid_from * 1000 + revision) loses to any new write
    long now = java.time.Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    long weekAhead = now + java.time.Duration.ofDays(7).toMillis();
    assertThat(WriteVersion.timestamp(now - 86_400_000L * 365, 0, 0))
        .isGreaterThan(weekAhead * 1000 + 999);
    // no overflow at the far ends: they saturate, still ordered
    assertThat(WriteVersion.timestamp(Long.MAX_VALUE, 0, 0))
        .isGreaterThan(WriteVersion.timestamp(9_000_000_000_000L, 0, 0));
    assertThat(WriteVersion.timestamp(Long.MIN_VALUE, 0, 0))
        .isLessThan(WriteVersion.timestamp(-1, 0, 0));
  }

  @Test
  void ttlIsTimeLeftUntilExpiryPlusRetentionRoundedUpAndNeverZeroOrNegative() {
    long ttl = 3_600_000;
    assertThat(WriteVersion.ttlSeconds(0, ttl, 0, 0)).isEqualTo(3600);
    assertThat(WriteVersion.ttlSeconds(0, ttl, 0, 1)).isEqualTo(3600); // 3599.999 s rounds up
    assertThat(WriteVersion.ttlSeconds(0, ttl, 60_000, 0)).isEqualTo(3660);
    assertThat(WriteVersion.ttlSeconds(0, ttl, 0, ttl - 1)).isEqualTo(1);
    // already past: skipped (0), never a 0 TTL = forever
    assertThat(WriteVersion.ttlSeconds(0, ttl, 0, ttl)).isZero();
    assertThat(WriteVersion.ttlSeconds(0, ttl, 0, ttl * 5)).isZero();
    // huge ttl: capped at Cassandra's maximum, no overflow
    assertThat(WriteVersion.ttlSeconds(0, Long.MAX_VALUE, Long.MAX_VALUE, 0))
        .isEqualTo(WriteVersion.MAX_TTL_SECONDS);
  }

  @Test
  void noTtlReachesPastCassandras2038Limit() {
    long now = java.time.Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    long fifteenYears = java.time.Duration.ofDays(15 * 365).toMillis();
    int ttl = WriteVersion.ttlSeconds(now, fifteenYears, 0, now);
    // 2038-01-18T03:14:07Z: a day before the last second Cassandra's expiry times can hold
    assertThat(now / 1000 + ttl)
        .isEqualTo(WriteVersion.LAST_EXPIRY_SECONDS)
        .isEqualTo(java.time.Instant.parse("2038-01-18T03:14:07Z").getEpochSecond());
    // a ttl that ends before then is left alone
    long tenYears = java.time.Duration.ofDays(10 * 365).toMillis();
    assertThat(WriteVersion.ttlSeconds(now, tenYears, 0, now)).isEqualTo(tenYears / 1000);
  }

  @Test
  void insertBindsEveryColumnWithQuotedNames() {
    var spec = PaymentSpecs.oneView("risk", "30d", PaymentSpecs.COUNT, PaymentSpecs.COUNTRY);
    assertThat(CassandraFeatureWriter.insertCql("ks", spec.views().get(0)))
        .isEqualTo(
            "INSERT INTO \"ks\".\"risk\" (entity, valid_from, last_event_time, written_at,"
                + " spec_version, revision, warming_up, \"txn_count_1h\", \"last_country\") VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?");
  }

  @Test
  void insertAlsoNamesTheColumnsOfRemovedFeaturesAfterTheViewsOwn() {
    var spec = PaymentSpecs.oneView("risk", "30d", PaymentSpecs.COUNT);
    assertThat(CassandraFeatureWriter.insertCql("ks", spec.views().get(0), List.of("last_country")))
        .isEqualTo(
            "INSERT INTO \"ks\".\"risk\" (entity, valid_from, last_event_time, written_at,"
                + " spec_version, revision, warming_up, \"txn_count_1h\", \"last_country\") VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?");
  }

  @Test
  void newViewNameSuggestion() {
    assertThat(ViewTableSchema.nextVersionName("risk")).isEqualTo("risk_v2");
    assertThat(ViewTableSchema.nextVersionName("risk_v2")).isEqualTo("risk_v3");
  }
}
