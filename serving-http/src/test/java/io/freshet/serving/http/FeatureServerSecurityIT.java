package io.freshet.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens (401 without a token, with an unknown one or another scheme, on every route but the
 * health probes) and TLS with a self-signed keystore made by keytool, on the real Cassandra.
 */
@ExtendWith(RealServicesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureServerSecurityIT {
  private static final long NOW = System.currentTimeMillis();
  private static final Map<String, Object> READ =
      Map.of("view", "risk", "entities", List.of("fresh"));

  private Path dir;
  private TestServices services;
  private Path tokens;

  @BeforeAll
  void fill(TestServices services, @TempDir Path dir) throws Exception {
    this.services = services;
    this.dir = dir;
    try (OnlineRows risk = new OnlineRows(services, TestSpecs.RISK, NOW)) {
      risk.put("fresh", NOW - 60_000, 3L, 12.5, 40.0, "FR");
    }
    tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# tokens of the model servers\n\n  alpha-token-1  \nbeta-token-2\n");
  }

  private FeatureServer.Builder server() {
    return FeatureServer.builder()
        .spec(TestSpecs.RISK)
        .cassandra(OnlineRows.client(services, NOW), "test keyspace")
        .tokensFile(tokens)
        .port(0);
  }

  @Test
  void everyRouteButTheProbesNeedsAKnownBearerToken() {
    try (FeatureServer server = server().build().start()) {
      assertThat(server.tokenCount()).isEqualTo(2);
      Http anonymous = new Http(server.uri());
      for (String path :
          List.of("/v1/views", "/v1/views/risk", "/metrics", "/openapi.yaml", "/x")) {
        Http.Response r = anonymous.get(path);
        assertThat(r.status()).as(path + " " + r).isEqualTo(401);
        assertThat(r.json().get("error").asText()).isEqualTo("missing_token");
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"freshet\"");
      }
      Http.Response none = anonymous.features(READ);
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.json().get("message").asText())
          .isEqualTo(
              "this server needs a bearer token: send the header 'Authorization: Bearer <token>'"
                  + " with a token from the server's --tokens-file");

      Http.Response wrong = new Http(server.uri()).token("alpha-token-2").features(READ);
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.json().get("error").asText()).isEqualTo("invalid_token");
      assertThat(wrong.header("WWW-Authenticate"))
          .isEqualTo("Bearer realm=\"freshet\", error=\"invalid_token\"");
      assertThat(
              new Http(server.uri()).token("# tokens of the model servers").features(READ).status())
          .as("a comment line is no token")
          .isEqualTo(401);
      Http.Response basic =
          new Http(server.uri()).authorization("Basic YWxwaGE6dG9rZW4=").features(READ);
      assertThat(basic.status()).isEqualTo(401);
      assertThat(basic.json().get("message").asText()).contains("is not a bearer token");

      assertThat(anonymous.get("/health").status()).isEqualTo(200);
      Http alpha = new Http(server.uri()).token("alpha-token-1").awaitReady();
      Http.Response read = alpha.features(READ);
      assertThat(read.status()).as(read.toString()).isEqualTo(200);
      assertThat(alpha.get("/v1/views").status()).isEqualTo(200);
      assertThat(alpha.get("/openapi.yaml").status()).isEqualTo(200);
      assertThat(
              new Http(server.uri()).authorization("bearer beta-token-2").features(READ).status())
          .as("the scheme is case-insensitive")
          .isEqualTo(200);
      String metrics = alpha.get("/metrics").body();
      assertThat(metrics)
          .contains(
              "freshet_serve_errors_total{endpoint=\"/v1/features\",error=\"invalid_token\","
                  + "status=\"401\",view=\"\"} 2")
          .contains(
              "freshet_serve_errors_total{endpoint=\"unmatched\",error=\"missing_token\","
                  + "status=\"401\",view=\"\"} 1");
      assertThat(anonymous.get("/ready").status()).as("probes need no token").isEqualTo(200);
    }
  }

  @Test
  void tlsWithASelfSignedKeystoreAndNoPlainHttp() throws Exception {
    Path keystore = SelfSigned.keystore(dir);
    try (FeatureServer server =
        server().tls(keystore, SelfSigned.PASSWORD.toCharArray()).build().start()) {
      assertThat(server.uri().getScheme()).isEqualTo("https");
      Http https =
          new Http(server.uri(), SelfSigned.trusting(keystore)).token("alpha-token-1").awaitReady();
      Http.Response read = https.features(READ);
      assertThat(read.status()).as(read.toString()).isEqualTo(200);
      assertThat(
              read.json()
                  .get("results")
                  .get(0)
                  .get("features")
                  .get("last_country")
                  .get("value")
                  .asText())
          .isEqualTo("FR");
      assertThat(https.get("/health").status()).isEqualTo(200);

      // a client that does not trust the certificate cannot talk to it
      assertThatThrownBy(() -> new Http(server.uri()).get("/health"))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("PKIX");
      // plain HTTP on the same port gets no answer from the features
      URI plain = URI.create("http://127.0.0.1:" + server.port());
      try {
        Http.Response r = new Http(plain).token("alpha-token-1").features(READ);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
      } catch (UncheckedIOException expected) {
        // or the connection is closed on it
      }
    }
  }
}
