package io.freshet.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureValue;
import io.freshet.serving.FeatureVector;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The feature server on the real Cassandra, filled by the job's own writer: every endpoint, every
 * 400, the entity limit, and the metrics, with a plain HTTP client. Values, statuses and ages are
 * checked against the Java client reading the same rows at the same clock.
 */
@ExtendWith(RealServicesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureServerIT {
  private static final long NOW = System.currentTimeMillis();
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final String ODD = "o'brien \"名前\" ;--";

  private TestServices services;
  private FeatureServer server;
  private Http http;

  @BeforeAll
  void start(TestServices services) throws Exception {
    this.services = services;
    try (OnlineRows risk = new OnlineRows(services, TestSpecs.RISK, NOW)) {
      risk.put("fresh", NOW - HOUR, 3L, 12.5, 40.0, "FR")
          .put("partial", NOW - 2 * HOUR, 1L, null, null, null)
          // past the 7d ttl, still kept by the writer's expired-retention (1 h): EXPIRED
          .put("expired", NOW - 7 * DAY - 10 * MINUTE, 9L, 9.0, 9.0, "NL")
          .put(ODD, NOW - 2, 4L, 4.0, 4.0, "US")
          .put("42", NOW - MINUTE, 2L, 2.0, 2.0, "DE");
      for (int i = 0; i < 1000; i += 100) {
        risk.put("e" + i, NOW - i * MINUTE, (long) i, 1.0 * i, 1.0 * i, "SE");
      }
    }
    try (OnlineRows profile = new OnlineRows(services, TestSpecs.PROFILE, NOW)) {
      profile.put("fresh", NOW - 5 * HOUR, 7L, "DE");
    }
    server = server().build().start();
    http = new Http(server.uri()).awaitReady();
  }

  private FeatureServer.Builder server() {
    return FeatureServer.builder()
        .spec(TestSpecs.RISK)
        .spec(TestSpecs.PROFILE)
        .cassandra(OnlineRows.client(services, NOW), "test keyspace " + services.keyspace())
        .port(0);
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static JsonNode ok(Http.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    return r.json();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void oneViewAnswersEachFeatureAsTheJavaClientDoes() {
    List<String> entities = List.of("fresh", "partial", "expired", "nobody", ODD, "e0");
    Map<String, Object> request = body("amount", 25, "country", "FR");
    JsonNode answer =
        ok(http.features(body("view", "risk", "entities", entities, "request", request)));
    assertThat(strings(answer.get("features")))
        .containsExactly(
            "txn_count_1h",
            "amount_avg_7d",
            "amount_p95_24h",
            "last_country",
            "amount_vs_avg",
            "abroad");
    JsonNode results = answer.get("results");
    assertThat(results).hasSize(entities.size());

    JsonNode fresh = results.get(0).get("features");
    assertThat(results.get(0).get("entity").asText()).isEqualTo("fresh");
    assertThat(fresh.get("txn_count_1h").get("value").isIntegralNumber()).isTrue();
    assertThat(fresh.get("txn_count_1h").get("value").asLong()).isEqualTo(3L);
    assertThat(fresh.get("amount_avg_7d").get("value").asDouble()).isEqualTo(12.5);
    assertThat(fresh.get("last_country").get("value").asText()).isEqualTo("FR");
    assertThat(fresh.get("last_country").get("status").asText()).isEqualTo("PRESENT");
    assertThat(fresh.get("last_country").get("age_ms").asLong()).isEqualTo(HOUR);

    JsonNode partial = results.get(1).get("features");
    assertThat(partial.get("txn_count_1h").get("status").asText()).isEqualTo("PRESENT");
    assertThat(partial.get("amount_avg_7d").get("status").asText()).isEqualTo("MISSING");
    assertThat(partial.get("amount_avg_7d").get("value").isNull()).isTrue();
    assertThat(partial.get("amount_avg_7d").get("age_ms").asLong()).isEqualTo(2 * HOUR);

    JsonNode expired = results.get(2).get("features");
    assertThat(expired.get("txn_count_1h").get("status").asText()).isEqualTo("EXPIRED");
    assertThat(expired.get("txn_count_1h").get("value").isNull()).isTrue();
    assertThat(expired.get("txn_count_1h").get("age_ms").asLong()).isEqualTo(7 * DAY + 10 * MINUTE);

    JsonNode nobody = results.get(3).get("features");
    assertThat(nobody.get("txn_count_1h").get("status").asText()).isEqualTo("MISSING");
    assertThat(nobody.get("txn_count_1h").get("age_ms").isNull()).isTrue();

    assertThat(results.get(4).get("entity").asText()).isEqualTo(ODD);
    assertThat(results.get(4).get("features").get("last_country").get("value").asText())
        .isEqualTo("US");

    // request-time features: 25 / 12.5, FR != FR; an input missing (partial's average), expired
    // (the row's values are withheld) or a division by zero (e0's average is 0) gives null
    assertThat(fresh.get("amount_vs_avg").get("value").asDouble()).isEqualTo(2.0);
    assertThat(fresh.get("abroad").get("value").asBoolean()).isFalse();
    assertThat(partial.get("amount_vs_avg").get("status").asText()).isEqualTo("MISSING");
    assertThat(expired.get("amount_vs_avg").get("status").asText()).isEqualTo("EXPIRED");
    assertThat(nobody.get("abroad").get("status").asText()).isEqualTo("MISSING");
    assertThat(results.get(4).get("features").get("abroad").get("value").asBoolean()).isTrue();
    JsonNode zero = results.get(5).get("features");
    assertThat(zero.get("amount_avg_7d").get("value").asDouble()).isEqualTo(0.0);
    assertThat(zero.get("amount_vs_avg").get("value").isNull()).isTrue();
    assertThat(zero.get("amount_vs_avg").get("status").asText()).isEqualTo("MISSING");

    // the same rows through the Java client at the same clock: the same value, status and age
    try (FeatureClient client = OnlineRows.client(services, NOW).spec(TestSpecs.RISK).build()) {
      Map<String, FeatureVector> vectors = client.getMany("risk", entities, request);
      SoftAssertions soft = new SoftAssertions();
      for (int i = 0; i < entities.size(); i++) {
        JsonNode served = results.get(i).get("features");
        for (FeatureValue f : vectors.get(entities.get(i)).features()) {
          JsonNode s = served.get(f.name());
          String where = entities.get(i) + "/" + f.name();
          soft.assertThat(s.get("status").asText()).as(where).isEqualTo(f.status().name());
          soft.assertThat(s.get("age_ms").isNull() ? null : s.get("age_ms").asLong())
              .as(where)
              .isEqualTo(f.age() == null ? null : f.age().toMillis());
          Object value =
              s.get("value").isNull()
                  ? null
                  : s.get("value").isIntegralNumber()
                      ? (Object) s.get("value").asLong()
                      : s.get("value").isNumber()
                          ? (Object) s.get("value").asDouble()
                          : s.get("value").isBoolean()
                              ? (Object) s.get("value").asBoolean()
                              : s.get("value").asText();
          soft.assertThat(value).as(where).isEqualTo(f.value());
        }
      }
      soft.assertAll();
    }
  }

  @Test
  void chosenFeaturesKeepTheirOrderAndNamesAndRepeatedEntitiesAreAnsweredAgain() {
    JsonNode answer =
        ok(
            http.features(
                body(
                    "view",
                    "risk",
                    "entities",
                    List.of(ODD, "fresh", ODD),
                    "features",
                    List.of("last_country", "risk:txn_count_1h"))));
    assertThat(strings(answer.get("features")))
        .containsExactly("last_country", "risk:txn_count_1h");
    JsonNode results = answer.get("results");
    assertThat(results).hasSize(3);
    assertThat(results.get(0)).isEqualTo(results.get(2));
    Iterator<String> keys = results.get(1).get("features").fieldNames();
    assertThat(keys.next()).isEqualTo("last_country");
    assertThat(keys.next()).isEqualTo("risk:txn_count_1h");
    assertThat(keys.hasNext()).isFalse();
    assertThat(results.get(1).get("features").get("risk:txn_count_1h").get("value").asLong())
        .isEqualTo(3L);
  }

  @Test
  void featuresAcrossViewsOfTwoSpecs() {
    JsonNode answer =
        ok(
            http.features(
                body(
                    "entities",
                    List.of("fresh", "nobody"),
                    "features",
                    List.of(
                        "profile:first_country", "risk:txn_count_1h", "profile:merchants_30d"))));
    JsonNode fresh = answer.get("results").get(0).get("features");
    assertThat(fresh.get("profile:first_country").get("value").asText()).isEqualTo("DE");
    assertThat(fresh.get("profile:first_country").get("age_ms").asLong()).isEqualTo(5 * HOUR);
    assertThat(fresh.get("profile:merchants_30d").get("value").asLong()).isEqualTo(7L);
    assertThat(fresh.get("risk:txn_count_1h").get("value").asLong()).isEqualTo(3L);
    assertThat(fresh.get("risk:txn_count_1h").get("age_ms").asLong()).isEqualTo(HOUR);
    JsonNode nobody = answer.get("results").get(1).get("features");
    assertThat(nobody.get("profile:first_country").get("status").asText()).isEqualTo("MISSING");
    assertThat(nobody.get("risk:txn_count_1h").get("status").asText()).isEqualTo("MISSING");
  }

  @Test
  void wholeNumberEntityIdsAreTheirDecimalText() {
    JsonNode answer = ok(http.post("/v1/features", "{\"view\": \"risk\", \"entities\": [42]}"));
    assertThat(answer.get("results").get(0).get("entity").asText()).isEqualTo("42");
    assertThat(
            answer.get("results").get(0).get("features").get("txn_count_1h").get("value").asLong())
        .isEqualTo(2L);
  }

  @Test
  void atMostAThousandEntitiesPerRequest() {
    List<String> thousand = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      thousand.add("e" + i);
    }
    JsonNode answer = ok(http.features(body("view", "risk", "entities", thousand)));
    JsonNode results = answer.get("results");
    assertThat(results).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      JsonNode count = results.get(i).get("features").get("txn_count_1h");
      assertThat(results.get(i).get("entity").asText()).isEqualTo("e" + i);
      if (i % 100 == 0) {
        assertThat(count.get("value").asLong()).isEqualTo(i);
        assertThat(count.get("age_ms").asLong()).isEqualTo(i * MINUTE);
      } else {
        assertThat(count.get("status").asText()).isEqualTo("MISSING");
      }
    }
    thousand.add("e1000");
    Http.Response tooMany = http.features(body("view", "risk", "entities", thousand));
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.json().get("error").asText()).isEqualTo("too_many_entities");
    assertThat(tooMany.json().get("message").asText())
        .isEqualTo(
            "1001 entities in one request; the limit is 1000: split them into requests of at most"
                + " 1000 (the server's --max-entities)");
  }

  @Test
  void theViewsFromTheSpecs() {
    JsonNode views = ok(http.get("/v1/views")).get("views");
    assertThat(views).hasSize(2);
    JsonNode risk = views.get(0);
    assertThat(risk.get("name").asText()).isEqualTo("risk");
    assertThat(risk.get("source").asText()).isEqualTo("payments");
    assertThat(risk.get("entity").asText()).isEqualTo("customer_id");
    assertThat(risk.get("ttl").asText()).isEqualTo("7d");
    assertThat(risk.get("ttl_ms").asLong()).isEqualTo(7 * DAY);
    assertThat(risk.get("spec_version").asText())
        .isEqualTo(TestSpecs.RISK.views().get(0).version(TestSpecs.RISK.source()));
    JsonNode features = risk.get("features");
    assertThat(features).hasSize(4);
    assertThat(features.get(0).toString())
        .isEqualTo(
            "{\"name\":\"txn_count_1h\",\"type\":\"long\",\"aggregation\":\"count\","
                + "\"window\":\"1h\",\"window_ms\":3600000}");
    assertThat(features.get(1).get("field").asText()).isEqualTo("amount");
    assertThat(features.get(1).get("type").asText()).isEqualTo("double");
    assertThat(features.get(2).get("quantile").asDouble()).isEqualTo(0.95);
    assertThat(features.get(3).get("type").asText()).isEqualTo("string");
    assertThat(features.get(3).get("window").isNull()).as("a lifetime feature").isTrue();
    assertThat(risk.get("description").asText()).isEqualTo("Card risk per customer");
    assertThat(risk.get("owner").asText()).isEqualTo("fraud-team");
    assertThat(risk.get("tags").toString()).isEqualTo("[\"fraud\",\"payments\"]");
    assertThat(features.get(3).get("description").asText())
        .isEqualTo("where the card was last used");
    assertThat(risk.get("request_fields").toString())
        .isEqualTo("{\"amount\":\"double\",\"country\":\"string\"}");
    assertThat(risk.get("request_features").get(0).toString())
        .isEqualTo(
            "{\"name\":\"amount_vs_avg\",\"type\":\"double\",\"expression\":\"amount /"
                + " amount_avg_7d\",\"inputs\":[\"amount\",\"amount_avg_7d\"]}");
    assertThat(views.get(1).has("description")).as("a view without docs").isFalse();
    assertThat(views.get(1).get("name").asText()).isEqualTo("profile");
    assertThat(views.get(1).get("source").asText()).isEqualTo("accounts");

    assertThat(ok(http.get("/v1/views/profile"))).isEqualTo(views.get(1));
    Http.Response unknown = http.get("/v1/views/rsk");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText()).isEqualTo("unknown_view");
    assertThat(unknown.json().get("message").asText())
        .isEqualTo(
            "no view 'rsk' (did you mean 'risk'?); this server serves [risk, profile] (from its"
                + " --spec files)");
  }

  @Test
  void healthAndReadiness() {
    assertThat(ok(http.get("/health")).get("status").asText()).isEqualTo("ok");
    assertThat(ok(http.get("/ready")).get("status").asText()).isEqualTo("ready");
  }

  /** Each refusal: status, error code and a message that says what to change. */
  @Test
  void badRequestsSayWhatToFix() {
    String[][] cases = {
      {"{\"view\": \"risk\", \"entities\": [", "malformed_json", "not valid JSON at line 1"},
      {"", "malformed_json", "the body is empty"},
      {"{\"view\": \"risk\", \"entities\": [\"a\"]} x", "malformed_json", "not valid JSON"},
      {"{\"view\": \"risk\", \"view\": \"risk\", \"entities\": [\"a\"]}", "malformed_json", "view"},
      {"[\"a\"]", "invalid_request", "the body must be a JSON object"},
      {
        "{\"view\": \"risk\", \"entity\": [\"a\"]}",
        "unknown_field",
        "unknown field 'entity' (did you mean 'entities'?)"
      },
      {
        "{\"view\": \"rsk\", \"entities\": [\"a\"]}",
        "unknown_view",
        "no view 'rsk' (did you mean 'risk'?); this server serves [risk, profile]"
      },
      {
        "{\"view\": \"risk\", \"entities\": [\"a\"], \"features\": [\"txn_cnt_1h\"]}",
        "unknown_feature",
        "view 'risk' has no feature 'txn_cnt_1h' (did you mean 'txn_count_1h'?); its features are"
            + " [txn_count_1h, amount_avg_7d, amount_p95_24h, last_country, amount_vs_avg, abroad]"
      },
      {
        "{\"view\": \"risk\", \"entities\": [\"a\"], \"request\": {\"amout\": 3}}",
        "unknown_request_field",
        "request field 'amout' is not declared by the views read (risk); their request fields:"
            + " [amount, country]"
      },
      {
        "{\"view\": \"risk\", \"entities\": [\"a\"], \"request\": {\"amount\": \"3\"}}",
        "invalid_request_field",
        "request field 'amount' of view 'risk': expected a number, got \"3\""
      },
      {
        "{\"view\": \"risk\", \"entities\": [\"a\"], \"request\": {\"amount\": [3]}}",
        "invalid_request_field",
        "request field 'amount' is a list: request fields are numbers, strings, booleans or null"
      },
      {
        "{\"view\": \"risk\", \"entities\": [\"a\"], \"request\": 3}",
        "invalid_request",
        "\"request\" must be an object of request fields"
      },
      {
        "{\"entities\": [\"a\"], \"features\": [\"txn_count_1h\"]}",
        "unqualified_feature",
        "feature 'txn_count_1h' names no view: write view:feature (e.g. 'risk:txn_count_1h')"
      },
      {"{\"entities\": [\"a\"], \"features\": [\"nope:x\"]}", "unknown_view", "no view 'nope'"},
      {
        "{\"entities\": [\"a\"], \"features\": [\"risk:nope\"]}",
        "unknown_feature",
        "view 'risk' has no feature 'nope'"
      },
      {
        "{\"view\": \"risk\", \"entities\": [\"a\"], \"features\": [\"profile:first_country\"]}",
        "invalid_request",
        "leave out \"view\" to read features of several views"
      },
      {"{\"view\": \"risk\"}", "invalid_request", "\"entities\" is missing"},
      {"{\"view\": \"risk\", \"entities\": []}", "empty_entities", "\"entities\" is empty"},
      {"{\"view\": \"risk\", \"entities\": \"a\"}", "invalid_request", "must be a list"},
      {
        "{\"view\": \"risk\", \"entities\": [\"a\", 4.5]}",
        "invalid_entity",
        "entities[1] is the number 4.5: entity ids are strings"
      },
      {"{\"view\": \"risk\", \"entities\": [null]}", "invalid_entity", "entities[0] is null"},
      {"{\"view\": \"risk\", \"entities\": [\"\"]}", "invalid_entity", "an empty string"},
      {
        "{\"view\": \"risk\", \"entities\": [\"a\"], \"features\": []}",
        "empty_features",
        "leave \"features\" out to read every feature"
      },
      {
        "{\"view\": \"risk\", \"entities\": [\"a\"], \"features\": [\"last_country\","
            + " \"last_country\"]}",
        "duplicate_feature",
        "listed twice"
      },
      {"{\"entities\": [\"a\"]}", "invalid_request", "give \"view\" to read a whole view"},
      {"{\"view\": 3, \"entities\": [\"a\"]}", "invalid_request", "\"view\" must be a view name"},
    };
    SoftAssertions soft = new SoftAssertions();
    for (String[] c : cases) {
      Http.Response r = http.post("/v1/features", c[0]);
      soft.assertThat(r.status()).as(c[0] + " -> " + r).isEqualTo(400);
      soft.assertThat(r.header("Content-Type")).as(c[0]).startsWith("application/json");
      JsonNode e = r.json();
      soft.assertThat(e.get("error").asText()).as(c[0] + " -> " + r).isEqualTo(c[1]);
      soft.assertThat(e.get("message").asText()).as(c[0]).contains(c[2]);
      soft.assertThat(e.get("status").asInt()).as(c[0]).isEqualTo(400);
    }
    soft.assertAll();
  }

  @Test
  void aBodyOverTheSizeLimitGets413() {
    StringBuilder big = new StringBuilder("{\"view\": \"risk\", \"entities\": [\"");
    big.append("x".repeat(5 * 1024 * 1024)).append("\"]}");
    Http.Response r = http.post("/v1/features", big.toString());
    assertThat(r.status()).as(r.status() + "").isEqualTo(413);
    assertThat(r.json().get("error").asText()).isEqualTo("payload_too_large");
  }

  /** Its own server, so that the counts are this test's alone. */
  @Test
  void metricsCountRequestsErrorsAndLatencyPerViewAndEndpoint() {
    try (FeatureServer own = server().build().start()) {
      Http h = new Http(own.uri()).awaitReady();
      for (int i = 0; i < 3; i++) {
        ok(h.features(body("view", "risk", "entities", List.of("fresh", "expired", "nobody"))));
      }
      ok(
          h.features(
              body(
                  "entities",
                  List.of("fresh"),
                  "features",
                  List.of("profile:first_country", "risk:last_country"))));
      assertThat(h.features(body("view", "rsk", "entities", List.of("a"))).status()).isEqualTo(400);
      assertThat(
              h.features(
                      body("view", "risk", "entities", List.of("a"), "features", List.of("nope")))
                  .status())
          .isEqualTo(400);
      ok(h.get("/v1/views/risk"));
      assertThat(h.get("/nowhere").status()).isEqualTo(404);

      Http.Response r = h.get("/metrics");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("text/plain");
      String m = r.body();
      assertThat(m)
          .contains(
              "freshet_serve_requests_seconds_count{endpoint=\"/v1/features\",method=\"POST\","
                  + "status=\"200\",view=\"risk\"} 4")
          .contains(
              "freshet_serve_requests_seconds_count{endpoint=\"/v1/features\",method=\"POST\","
                  + "status=\"200\",view=\"profile\"} 1")
          .contains(
              "freshet_serve_requests_seconds_count{endpoint=\"/v1/features\",method=\"POST\","
                  + "status=\"400\",view=\"\"} 2")
          .contains(
              "freshet_serve_requests_seconds_count{endpoint=\"/v1/views/{view}\",method=\"GET\","
                  + "status=\"200\",view=\"risk\"} 1")
          .contains(
              "freshet_serve_requests_seconds_bucket{endpoint=\"/v1/features\",method=\"POST\","
                  + "status=\"200\",view=\"risk\",le=\"5.0\"} 4")
          .contains(
              "freshet_serve_errors_total{endpoint=\"/v1/features\",error=\"unknown_view\","
                  + "status=\"400\",view=\"\"} 1")
          .contains(
              "freshet_serve_errors_total{endpoint=\"/v1/features\",error=\"unknown_feature\","
                  + "status=\"400\",view=\"\"} 1")
          .contains(
              "freshet_serve_errors_total{endpoint=\"unmatched\",error=\"not_found\","
                  + "status=\"404\",view=\"\"} 1")
          .contains("freshet_serve_vectors_total{status=\"PRESENT\",view=\"risk\"} 4")
          .contains("freshet_serve_vectors_total{status=\"EXPIRED\",view=\"risk\"} 3")
          .contains("freshet_serve_vectors_total{status=\"MISSING\",view=\"risk\"} 3")
          .contains("freshet_serve_vector_age_seconds_count{view=\"risk\"} 7")
          .contains("freshet_serve_cassandra_connected 1")
          .contains("jvm_memory_used_bytes");
      assertThat(m).as("no request text in labels").doesNotContain("rsk").doesNotContain("nowhere");
    }
  }
}
