package io.freshet.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.serving.FeatureClient;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cassandra down or slow: the server starts anyway, answers /health, and answers reads and /ready
 * with a 503 within its timeout, never a hang; when Cassandra answers again, so does the server.
 * Three ways: a closed port, a server that accepts connections and never answers, and the real
 * Cassandra behind a proxy that stops forwarding after the server connected.
 */
@ExtendWith(RealServicesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureServerUnavailableIT {
  private static final long NOW = System.currentTimeMillis();

  /** A timed-out answer may come this much after the timeout on a busy two-core machine. */
  private static final long SLACK_MS = 2_000;

  private static final Map<String, Object> READ =
      Map.of("view", "risk", "entities", List.of("fresh"));

  private TestServices services;

  @BeforeAll
  void fill(TestServices services) throws Exception {
    this.services = services;
    try (OnlineRows risk = new OnlineRows(services, TestSpecs.RISK, NOW)) {
      risk.put("fresh", NOW - 60_000, 3L, 12.5, 40.0, "FR");
    }
  }

  private FeatureServer serverOn(int cassandraPort, Duration timeout) {
    return FeatureServer.builder()
        .spec(TestSpecs.RISK)
        .cassandra(
            FeatureClient.builder()
                .contactPoints("127.0.0.1:" + cassandraPort)
                .localDatacenter(services.cassandraLocalDatacenter())
                .keyspace(services.keyspace()),
            "127.0.0.1:" + cassandraPort)
        .timeout(timeout)
        .port(0)
        .build()
        .start();
  }

  /** Sends a request and checks it got a 503 (with Retry-After) within timeout + slack. */
  private static Http.Response unavailableWithin(Duration timeout, Http http, String path) {
    long start = System.nanoTime();
    Http.Response r = path.equals("/v1/features") ? http.features(READ) : http.get(path);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.status()).as(r.toString()).isEqualTo(503);
    assertThat(r.json().get("error").asText()).isEqualTo("unavailable");
    assertThat(r.header("Retry-After")).isEqualTo("1");
    assertThat(tookMs).as("ms to answer " + path).isLessThan(timeout.toMillis() + SLACK_MS);
    return r;
  }

  @Test
  void aClosedPortGets503sWithinTheTimeoutAndHealthStaysUp() {
    Duration timeout = Duration.ofMillis(500);
    try (FeatureServer server = serverOn(Servers.closedPort(), timeout)) {
      Http http = new Http(server.uri());
      assertThat(http.get("/health").status()).isEqualTo(200);
      for (int i = 0; i < 3; i++) {
        Http.Response r = unavailableWithin(timeout, http, "/v1/features");
        assertThat(r.json().get("message").asText()).contains("Cassandra (127.0.0.1:");
      }
      unavailableWithin(timeout, http, "/ready");
      assertThat(server.connected()).isFalse();
      assertThat(http.get("/metrics").body()).contains("freshet_serve_cassandra_connected 0");
      // what needs no Cassandra still works
      assertThat(http.get("/v1/views/risk").status()).isEqualTo(200);
      assertThat(http.get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void aCassandraThatNeverAnswersGets503WithinTheDefaultTimeout() throws Exception {
    Duration timeout = Duration.ofSeconds(1);
    try (PausableProxy silent = PausableProxy.silent();
        FeatureServer server = serverOn(silent.port(), timeout)) {
      Http http = new Http(server.uri());
      Http.Response r = unavailableWithin(timeout, http, "/v1/features");
      assertThat(r.json().get("message").asText())
          .isEqualTo(
              "not connected to Cassandra (127.0.0.1:"
                  + silent.port()
                  + ") within 1000 ms: still connecting");
      unavailableWithin(timeout, http, "/ready");
    }
  }

  @Test
  void readsCassandraStopsAnsweringGet503sAndTheServerRecoversWithIt() throws Exception {
    Duration timeout = Duration.ofSeconds(1);
    try (PausableProxy proxy = new PausableProxy(services.cassandraContactPoint());
        FeatureServer server = serverOn(proxy.port(), timeout)) {
      Http http = new Http(server.uri()).awaitReady();
      assertThat(http.features(READ).status()).isEqualTo(200);

      proxy.pause();
      Http.Response r = unavailableWithin(timeout, http, "/v1/features");
      assertThat(r.json().get("message").asText())
          .isEqualTo("Cassandra (127.0.0.1:" + proxy.port() + ") did not answer within 1000 ms");
      unavailableWithin(timeout, http, "/ready");

      proxy.resume();
      http.awaitReady();
      Http.Response back = http.features(READ);
      assertThat(back.status()).as(back.toString()).isEqualTo(200);
      assertThat(
              back.json()
                  .get("results")
                  .get(0)
                  .get("features")
                  .get("txn_count_1h")
                  .get("value")
                  .asLong())
          .isEqualTo(3L);
    }
  }
}
