package io.freshet.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/**
 * The checked-in OpenAPI description (serving-http/src/main/resources/.../openapi.yaml) against the
 * routes the server really registers, both ways, and the routing answers that need no Cassandra:
 * /health, /openapi.yaml, unknown routes and wrong methods.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest {
  private FeatureServer server;
  private Http http;
  private Map<String, Object> openApi;

  @BeforeAll
  void start() throws Exception {
    server = Servers.withoutCassandra().build().start();
    http = new Http(server.uri());
    try (InputStream in = FeatureServer.class.getResourceAsStream(FeatureServer.OPENAPI_RESOURCE)) {
      openApi = new Yaml().load(in);
    }
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> paths() {
    return (Map<String, Map<String, Object>>) openApi.get("paths");
  }

  @Test
  void everyRegisteredRouteIsDescribed() {
    assertThat(server.routes()).hasSizeGreaterThanOrEqualTo(7);
    for (FeatureServer.Route r : server.routes()) {
      assertThat(paths()).as("openapi.yaml paths").containsKey(r.path());
      assertThat(paths().get(r.path()))
          .as("methods of %s in openapi.yaml", r.path())
          .containsKey(r.method().toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void everyDescribedRouteIsRegistered() {
    List<FeatureServer.Route> described = new ArrayList<>();
    paths()
        .forEach(
            (path, methods) ->
                methods.keySet().stream()
                    .filter(m -> List.of("get", "post", "put", "delete", "patch").contains(m))
                    .forEach(
                        m ->
                            described.add(
                                new FeatureServer.Route(m.toUpperCase(Locale.ROOT), path))));
    assertThat(server.routes()).containsExactlyInAnyOrderElementsOf(described);
  }

  @Test
  void theDescriptionIsServedAsCheckedIn() throws Exception {
    Http.Response r = http.get("/openapi.yaml");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/yaml");
    try (InputStream in = FeatureServer.class.getResourceAsStream(FeatureServer.OPENAPI_RESOURCE)) {
      assertThat(r.body()).isEqualTo(new String(in.readAllBytes(), "UTF-8"));
    }
    assertThat(openApi.get("openapi")).isEqualTo("3.0.3");
  }

  @Test
  void healthNeedsNoCassandra() {
    Http.Response r = http.get("/health");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asText()).isEqualTo("ok");
  }

  @Test
  void unknownRoutesAndWrongMethodsGetJsonErrors() {
    Http.Response notFound = http.get("/v1/feature");
    assertThat(notFound.status()).as(notFound.toString()).isEqualTo(404);
    assertThat(notFound.json().get("error").asText()).isEqualTo("not_found");
    assertThat(notFound.json().get("message").asText())
        .contains("no route GET /v1/feature")
        .contains("POST /v1/features");

    Http.Response wrongMethod = http.get("/v1/features");
    assertThat(wrongMethod.status()).as(wrongMethod.toString()).isEqualTo(405);
    assertThat(wrongMethod.json().get("error").asText()).isEqualTo("method_not_allowed");
    assertThat(wrongMethod.json().get("message").asText())
        .isEqualTo("GET is not allowed on /v1/features; use [POST]");
  }
}
