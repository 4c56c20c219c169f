package io.freshet.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** A plain HTTP client for the server's tests (the JDK's), with JSON bodies. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A response: status, headers and body. */
  record Response(int status, java.net.http.HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private final URI base;
  private final HttpClient client;
  private String authorization;

  Http(URI base) {
    this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  Http(URI base, SSLContext ssl) {
    this(
        base,
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(ssl).build());
  }

  private Http(URI base, HttpClient client) {
    this.base = base;
    this.client = client;
  }

  /** Sends this bearer token from now on (null: none). */
  Http token(String token) {
    return authorization(token == null ? null : "Bearer " + token);
  }

  /** Sends this Authorization header from now on (null: none). */
  Http authorization(String header) {
    this.authorization = header;
    return this;
  }

  Response get(String path) {
    return send(request(path).GET());
  }

  Response post(String path, String body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  Response send(String method, String path, String body) {
    return send(
        request(path)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body)));
  }

  /**
   * Waits until GET /ready answers 200 (each call waits up to the server's timeout for Cassandra),
   * at most 30 calls; returns this.
   */
  Http awaitReady() {
    Response last = null;
    for (int i = 0; i < 30; i++) {
      last = get("/ready");
      if (last.status() == 200) {
        return this;
      }
    }
    throw new AssertionError("the server is not ready: " + last);
  }

  /** POST /v1/features with a JSON body built from a Java object. */
  Response features(Object body) {
    try {
      return post("/v1/features", JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  private Response send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
