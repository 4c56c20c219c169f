package io.freshet.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.freshet.spec.ValueType;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The serving client against the real Cassandra, on tables laid out as the sink writes them
 * (written here with plain CQL): statuses and ages under an injected clock, metadata from
 * freshet_views, several entities and several views, sync and async.
 */
@ExtendWith(RealServicesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureClientIT {
  private static final long NOW = 1_800_000_000_000L;
  private static final long HOUR = 3_600_000L;

  private CqlSession session;
  private String keyspace;

  @BeforeAll
  void tables(TestServices services) {
    session = services.cqlSession();
    keyspace = services.keyspace();
    session.execute(
        "CREATE TABLE freshet_views (view_name text PRIMARY KEY, source text, features"
            + " list<text>, types list<text>, ttl_ms bigint, spec_version text, updated_at"
            + " timestamp)");
    session.execute(
        "CREATE TABLE risk (entity text PRIMARY KEY, valid_from bigint, last_event_time bigint,"
            + " written_at bigint, spec_version text, revision int, \"count_1h\" bigint,"
            + " \"avg_7d\" double, \"country\" text, \"flagged\" boolean)");
    session.execute(
        "CREATE TABLE profile (entity text PRIMARY KEY, valid_from bigint, last_event_time"
            + " bigint, written_at bigint, spec_version text, revision int, \"tier\" text)");
    view(
        "risk",
        List.of("count_1h", "avg_7d", "country", "flagged"),
        List.of("bigint", "double", "text", "boolean"),
        24 * HOUR);
    view("profile", List.of("tier"), List.of("text"), 30 * 24 * HOUR);
    risk("fresh", NOW - HOUR, 3L, 12.5, "FR", true);
    risk("partial", NOW - HOUR, 1L, null, null, null);
    risk("at_ttl", NOW - 24 * HOUR, 2L, 1.0, "DE", false);
    risk("expired", NOW - 24 * HOUR - 1, 9L, 9.0, "NL", true);
    risk("o'brien \"名前\" ;--", NOW - 2, 4L, 4.0, "US", false);
    // A window exit (or a correction) is valid from later than the entity's last event: the ttl
    // runs from last_event_time, so these two are EXPIRED and live although valid_from is recent.
    risk("exited", NOW - HOUR, NOW - 24 * HOUR - 1, 0L, null, "NL", true);
    risk("exited_at_ttl", NOW - 1, NOW - 24 * HOUR, 0L, null, "DE", false);
    session.execute(
        SimpleStatement.newInstance(
            "INSERT INTO profile (entity, valid_from, last_event_time, written_at, spec_version,"
                + " revision, tier) VALUES (?, ?, ?, ?, 'v1', 0, 'gold')",
            "fresh",
            NOW - 5 * HOUR,
            NOW - 5 * HOUR,
            NOW));
  }

  private void view(String name, List<String> features, List<String> types, long ttl) {
    session.execute(
        SimpleStatement.newInstance(
            "INSERT INTO freshet_views (view_name, source, features, types, ttl_ms, spec_version)"
                + " VALUES (?, 'payments', ?, ?, ?, 'v1')",
            name,
            features,
            types,
            ttl));
  }

  private void risk(
      String entity, long last, Long count, Double avg, String country, Boolean flagged) {
    risk(entity, last, last, count, avg, country, flagged);
  }

  private void risk(
      String entity,
      long validFrom,
      long last,
      Long count,
      Double avg,
      String country,
      Boolean flagged) {
    session.execute(
        SimpleStatement.newInstance(
            "INSERT INTO risk (entity, valid_from, last_event_time, written_at, spec_version,"
                + " revision, count_1h, avg_7d, country, flagged)"
                + " VALUES (?, ?, ?, ?, 'v1', 1, ?, ?, ?, ?)",
            entity,
            validFrom,
            last,
            NOW - 1,
            count,
            avg,
            country,
            flagged));
  }

  private FeatureClient client() {
    return FeatureClient.builder()
        .session(session)
        .keyspace(keyspace)
        .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
        .build();
  }

  @Test
  void presentValuesAreTypedWithTheirAge() {
    try (FeatureClient client = client()) {
      FeatureVector v = client.get("risk", "fresh");
      assertThat(v.found()).isTrue();
      assertThat(v.status()).isEqualTo(FeatureStatus.PRESENT);
      assertThat(v.age()).isEqualTo(Duration.ofHours(1));
      assertThat(v.revision()).isEqualTo(1);
      assertThat(v.specVersion()).isEqualTo("v1");
      assertThat(v.get("count_1h").asLong()).isEqualTo(3L);
      assertThat(v.get("avg_7d").asDouble()).isEqualTo(12.5);
      assertThat(v.get("country").asString()).isEqualTo("FR");
      assertThat(v.get("flagged").asBoolean()).isTrue();
      assertThat(v.features())
          .extracting(FeatureValue::type)
          .containsExactly(ValueType.LONG, ValueType.DOUBLE, ValueType.STRING, ValueType.BOOLEAN);
      assertThat(v.features()).allMatch(f -> f.age().equals(Duration.ofHours(1)));
      assertThat(client.viewMetadata("risk").ttl()).isEqualTo(Duration.ofHours(24));
    }
  }

  @Test
  void expiredIsStrictlyOlderThanTtlFromLastEventTime() {
    try (FeatureClient client = client()) {
      FeatureVector atTtl = client.get("risk", "at_ttl");
      assertThat(atTtl.status()).isEqualTo(FeatureStatus.PRESENT); // now - last == ttl
      assertThat(atTtl.get("count_1h").asLong()).isEqualTo(2L);
      FeatureVector expired = client.get("risk", "expired");
      assertThat(expired.found()).isTrue();
      assertThat(expired.status()).isEqualTo(FeatureStatus.EXPIRED);
      assertThat(expired.age()).isEqualTo(Duration.ofMillis(24 * HOUR + 1));
      assertThat(expired.features())
          .allSatisfy(
              f -> {
                assertThat(f.status()).isEqualTo(FeatureStatus.EXPIRED);
                assertThat(f.value()).isNull();
              });
    }
  }

  /**
   * Rows valid from later than their last event (a window exit, a correction): expiry and age are
   * measured from last_event_time, never from valid_from (store/Expiry).
   */
  @Test
  void expiryAndAgeRunFromLastEventTimeNotValidFrom() {
    try (FeatureClient client = client()) {
      FeatureVector exited = client.get("risk", "exited");
      assertThat(exited.validFrom()).isEqualTo(NOW - HOUR);
      assertThat(exited.status()).isEqualTo(FeatureStatus.EXPIRED);
      assertThat(exited.age()).isEqualTo(Duration.ofMillis(24 * HOUR + 1));
      assertThat(exited.get("count_1h").status()).isEqualTo(FeatureStatus.EXPIRED);
      assertThat(exited.get("count_1h").value()).isNull();
      FeatureVector atTtl = client.get("risk", "exited_at_ttl");
      assertThat(atTtl.status()).isEqualTo(FeatureStatus.PRESENT);
      assertThat(atTtl.age()).isEqualTo(Duration.ofHours(24));
      assertThat(atTtl.get("country").asString()).isEqualTo("DE");
      assertThat(client.getMany("risk", List.of("exited", "exited_at_ttl")).values())
          .extracting(FeatureVector::status)
          .containsExactly(FeatureStatus.EXPIRED, FeatureStatus.PRESENT);
    }
  }

  @Test
  void missingEntityAndMissingValues() {
    try (FeatureClient client = client()) {
      FeatureVector none = client.get("risk", "never-seen");
      assertThat(none.found()).isFalse();
      assertThat(none.status()).isEqualTo(FeatureStatus.MISSING);
      assertThat(none.age()).isNull();
      assertThat(none.features()).allMatch(f -> f.status() == FeatureStatus.MISSING);
      FeatureVector partial = client.get("risk", "partial");
      assertThat(partial.get("count_1h").status()).isEqualTo(FeatureStatus.PRESENT);
      assertThat(partial.get("avg_7d").status()).isEqualTo(FeatureStatus.MISSING);
      assertThat(partial.get("country").status()).isEqualTo(FeatureStatus.MISSING);
    }
  }

  @Test
  void manyEntitiesAndManyViewsSyncAndAsync() throws Exception {
    try (FeatureClient client = client()) {
      List<String> ids = List.of("expired", "o'brien \"名前\" ;--", "nobody", "fresh");
      Map<String, FeatureVector> many = client.getMany("risk", ids);
      assertThat(many.keySet()).containsExactlyElementsOf(ids);
      assertThat(many.values())
          .extracting(FeatureVector::status)
          .containsExactly(
              FeatureStatus.EXPIRED,
              FeatureStatus.PRESENT,
              FeatureStatus.MISSING,
              FeatureStatus.PRESENT);
      assertThat(many.get("o'brien \"名前\" ;--").get("country").asString()).isEqualTo("US");

      Map<String, FeatureVector> views =
          client.getViewsAsync("fresh", List.of("profile", "risk")).toCompletableFuture().get();
      assertThat(views.keySet()).containsExactly("profile", "risk");
      assertThat(views.get("profile").get("tier").asString()).isEqualTo("gold");
      assertThat(views.get("profile").age()).isEqualTo(Duration.ofHours(5));
      assertThat(client.getAsync("risk", "fresh").toCompletableFuture().get().get(0).asLong())
          .isEqualTo(3L);
    }
  }

  @Test
  void unknownViewOrFeatureSaysWhatIsWrong() {
    try (FeatureClient client = client()) {
      assertThatThrownBy(() -> client.get("nope", "fresh"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no view 'nope' in keyspace '" + keyspace + "'");
      assertThatThrownBy(() -> client.get("risk", "fresh").get("nope"))
          .hasMessageContaining("view 'risk' has no feature 'nope'");
    }
  }

  /**
   * With a Micrometer registry, every read is a timed read of its view, every feature value served
   * counts under its status, and every vector found records its age.
   */
  @Test
  void readsStatusesAndAgesAreCountedPerViewInTheRegistryGiven() {
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (FeatureClient client =
        FeatureClient.builder()
            .session(session)
            .keyspace(keyspace)
            .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
            .meterRegistry(registry)
            .build()) {
      client.get("risk", "fresh"); // 4 PRESENT, 1 h old
      client.get("risk", "expired"); // 4 EXPIRED
      client.get("risk", "nobody"); // 4 MISSING, no age
      client.getMany("profile", List.of("fresh", "nobody")); // 1 PRESENT (5 h), 1 MISSING
    }
    assertThat(
            registry
                .get("freshet.client.reads")
                .tags("view", "risk", "outcome", "success")
                .timer()
                .count())
        .isEqualTo(3);
    assertThat(
            registry
                .get("freshet.client.reads")
                .tags("view", "profile", "outcome", "success")
                .timer()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get("freshet.client.features")
                .tags("view", "risk", "status", "PRESENT")
                .counter()
                .count())
        .isEqualTo(4);
    assertThat(
            registry
                .get("freshet.client.features")
                .tags("view", "risk", "status", "EXPIRED")
                .counter()
                .count())
        .isEqualTo(4);
    assertThat(
            registry
                .get("freshet.client.features")
                .tags("view", "risk", "status", "MISSING")
                .counter()
                .count())
        .isEqualTo(4);
    assertThat(
            registry
                .get("freshet.client.features")
                .tags("view", "profile", "status", "MISSING")
                .counter()
                .count())
        .isEqualTo(1);
    var riskAge = registry.get("freshet.client.vector.age").tags("view", "risk").summary();
    assertThat(riskAge.count()).as("vectors found").isEqualTo(2);
    assertThat(riskAge.max()).isEqualTo((24 * HOUR + 1) / 1000.0);
    var profileAge = registry.get("freshet.client.vector.age").tags("view", "profile").summary();
    assertThat(profileAge.count()).isEqualTo(1);
    assertThat(profileAge.max()).isEqualTo(5 * HOUR / 1000.0);
  }
}
