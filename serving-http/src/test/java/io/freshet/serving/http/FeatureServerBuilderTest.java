package io.freshet.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.serving.FeatureClient;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's settings are checked when it is built, with messages that say what to fix. */
class FeatureServerBuilderTest {
  @TempDir Path dir;

  @Test
  void numbersOutOfRange() {
    assertThatThrownBy(() -> Servers.withoutCassandra().maxEntities(0).build())
        .hasMessage("max entities per request is 0: it must be at least 1");
    assertThatThrownBy(() -> Servers.withoutCassandra().timeout(Duration.ZERO).build())
        .hasMessage("timeout PT0S: it must be positive");
    assertThatThrownBy(() -> Servers.withoutCassandra().port(70_000).build())
        .hasMessage("port 70000 is not in 0..65535");
  }

  @Test
  void specsAndCassandraAreRequiredAndViewsUnique() {
    assertThatThrownBy(
            () -> FeatureServer.builder().cassandra(FeatureClient.builder(), "x").build())
        .hasMessage("no spec: give the spec file(s) whose views the server serves");
    assertThatThrownBy(() -> FeatureServer.builder().spec(TestSpecs.RISK).build())
        .hasMessageStartingWith("no Cassandra");
    assertThatThrownBy(() -> Servers.withoutCassandra().spec(TestSpecs.RISK).build())
        .hasMessage(
            "view 'risk' is in two specs (sources 'payments' and 'payments'): a view name belongs"
                + " to one source per keyspace; rename one of them");
  }

  @Test
  void aKeystoreThatCannotServeIsRefused() throws Exception {
    Path keystore = SelfSigned.keystore(dir);
    assertThatThrownBy(
            () -> Servers.withoutCassandra().tls(keystore, "wrong".toCharArray()).build())
        .hasMessageStartingWith("cannot open TLS keystore " + keystore)
        .hasMessageEndingWith("(is the keystore password right?)");
    Path missing = dir.resolve("missing.p12");
    assertThatThrownBy(() -> Servers.withoutCassandra().tls(missing, "x".toCharArray()).build())
        .hasMessage("TLS keystore " + missing + " does not exist or cannot be read");
    Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a keystore");
    assertThatThrownBy(() -> Servers.withoutCassandra().tls(garbage, "x".toCharArray()).build())
        .hasMessageStartingWith("cannot open TLS keystore " + garbage);

    // a truststore (a certificate, no key) is not a server identity
    KeyStore ks = KeyStore.getInstance(keystore.toFile(), SelfSigned.PASSWORD.toCharArray());
    KeyStore certOnly = KeyStore.getInstance("PKCS12");
    certOnly.load(null, null);
    certOnly.setCertificateEntry("cert", ks.getCertificate("freshet"));
    Path trust = dir.resolve("trust.p12");
    try (OutputStream out = new FileOutputStream(trust.toFile())) {
      certOnly.store(out, "pw".toCharArray());
    }
    assertThatThrownBy(() -> Servers.withoutCassandra().tls(trust, "pw".toCharArray()).build())
        .hasMessage(
            "TLS keystore "
                + trust
                + " holds no private key: it must hold the server's key and certificate chain");
  }

  @Test
  void aTokensFileWithoutTokensIsRefused() throws Exception {
    Path empty = Files.writeString(dir.resolve("tokens"), "\n# none\n");
    assertThatThrownBy(() -> Servers.withoutCassandra().tokensFile(empty).build())
        .hasMessageContaining("has no token");
  }

  @Test
  void aPortInUseSaysSo() {
    try (FeatureServer first = Servers.withoutCassandra().build().start()) {
      FeatureServer second = Servers.withoutCassandra().port(first.port()).build();
      assertThatThrownBy(second::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("cannot listen on 127.0.0.1:" + first.port())
          .hasMessageEndingWith("is another server using the port? Choose another with --port");
      second.close();
      assertThat(first.port()).isPositive();
    }
  }
}
