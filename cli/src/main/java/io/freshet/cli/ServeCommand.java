package io.freshet.cli;

import io.freshet.serving.http.FeatureServer;
import io.freshet.spec.Durations;
import io.freshet.spec.SpecParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet serve}: the HTTP/JSON feature server ({@link FeatureServer}) until Ctrl-C or
 * SIGTERM. The options map one to one onto the server's builder; everything else is the server's.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve current feature vectors over HTTP/JSON, for model servers in any language:"
          + " POST /v1/features, GET /v1/views, /v1/views/{view}, /health, /ready, /metrics"
          + " (Prometheus) and /openapi.yaml. Values, statuses (PRESENT, EXPIRED, MISSING) and"
          + " ages are those of the Java client. Runs until Ctrl-C or SIGTERM.",
      "See docs/serving.md, \"HTTP feature server\"."
    },
    footer = {
      "",
      "Examples:",
      "  freshet serve --spec examples/payments/payments.yaml",
      "  curl -s localhost:8080/v1/features -H 'Content-Type: application/json' \\",
      "    -d '{\"view\": \"customer_risk\", \"entities\": [\"c42\"]}'",
      "  freshet serve --spec payments.yaml --host 0.0.0.0 --contact-point cassandra:9042 \\",
      "    --tokens-file /etc/freshet/tokens --tls-keystore /etc/freshet/server.p12 \\",
      "    --tls-keystore-password-file /etc/freshet/keystore-password"
    })
public final class ServeCommand implements Callable<Integer> {
  /** The environment variable read for the keystore password when no file is given. */
  static final String KEYSTORE_PASSWORD_ENV = "FRESHET_SERVE_KEYSTORE_PASSWORD";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--spec",
      required = true,
      paramLabel = "FILE",
      description =
          "Feature spec whose views to serve; repeat it to serve views of several sources.")
  List<Path> specs;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--max-entities",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Most entities one request may ask for (default: ${DEFAULT-VALUE}).")
  int maxEntities;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "1s",
      description =
          "A read Cassandra has not answered by then (connecting included) gets a 503; also the"
              + " /ready probe's limit, e.g. 500ms, 2s (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(
      names = "--tokens-file",
      paramLabel = "FILE",
      description =
          "Require 'Authorization: Bearer <token>' with a token from this file (one per line, #"
              + " comments) on every route but /health and /ready; the file is reread when it"
              + " changes.")
  Path tokensFile;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description =
          "Serve HTTPS only, with the key and certificate chain in this PKCS12 or JKS file.")
  Path keystore;

  @Option(
      names = "--tls-keystore-password-file",
      paramLabel = "FILE",
      description =
          "File whose first line is the keystore's password (default: the environment variable "
              + KEYSTORE_PASSWORD_ENV
              + ").")
  Path keystorePasswordFile;

  @Mixin CassandraClientOptions cassandra;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    FeatureServer.Builder b =
        FeatureServer.builder()
            .host(host)
            .port(port)
            .maxEntities(maxEntities)
            .timeout(duration(timeout))
            .cassandra(
                cassandra.client(), cassandra.contactPoints() + ", keyspace " + cassandra.keyspace);
    for (Path p : specs) {
      b.spec(SpecParser.parse(p));
    }
    if (tokensFile != null) {
      b.tokensFile(tokensFile);
    }
    if (keystore != null) {
      b.tls(keystore, keystorePassword());
    }
    FeatureServer server;
    try {
      server = b.build().start();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CliException(e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.close();
              stopped.countDown();
            },
            "freshet-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    out.printf(
        "freshet serve: views %s on %s%n  Cassandra %s, keyspace %s (connecting in the"
            + " background; GET /ready says when it answers)%n  at most %d entities per request,"
            + " timeout %s, %s, %s%n  Ctrl-C stops it.%n",
        server.views(),
        server.uri(),
        cassandra.contactPoints(),
        cassandra.keyspace,
        maxEntities,
        timeout,
        keystore == null ? "plain HTTP" : "HTTPS (" + keystore + ")",
        tokensFile == null
            ? "no authentication"
            : "bearer tokens from " + tokensFile + " (" + server.tokenCount() + ")");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // stopped from within this JVM (a test, an embedding program)
      Runtime.getRuntime().removeShutdownHook(hook);
      server.close();
      out.println("freshet serve: stopped");
      out.flush();
    }
    return 0;
  }

  private static Duration duration(String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException("--timeout: " + e.getMessage());
    }
  }

  private char[] keystorePassword() {
    if (keystorePasswordFile != null) {
      try {
        List<String> lines = Files.readAllLines(keystorePasswordFile, StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
          throw new CliException(
              "--tls-keystore-password-file " + keystorePasswordFile + " is empty");
        }
        return lines.get(0).strip().toCharArray();
      } catch (IOException e) {
        throw new CliException(
            "--tls-keystore-password-file: cannot read " + keystorePasswordFile + ": " + e, e);
      }
    }
    String env = System.getenv(KEYSTORE_PASSWORD_ENV);
    if (env == null || env.isEmpty()) {
      throw new CliException(
          "--tls-keystore "
              + keystore
              + " needs its password: put it in a file named by --tls-keystore-password-file, or"
              + " in the environment variable "
              + KEYSTORE_PASSWORD_ENV);
    }
    return env.toCharArray();
  }
}
