package io.freshet.serving.http;

import io.freshet.serving.FeatureClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Servers for tests without Cassandra, and addresses nothing listens on. */
final class Servers {
  private Servers() {}

  /** A loopback port nothing listens on (just released by the OS). */
  static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server on a free port whose Cassandra is a closed port: it serves, but reads get 503s. */
  static FeatureServer.Builder withoutCassandra() {
    int port = closedPort();
    return FeatureServer.builder()
        .spec(TestSpecs.RISK)
        .spec(TestSpecs.PROFILE)
        .cassandra(
            FeatureClient.builder().contactPoints("127.0.0.1:" + port),
            "127.0.0.1:" + port + " (closed)")
        .port(0);
  }
}
