package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code freshet serve}'s help, and its refusals before it serves: the message alone on stderr,
 * exit code 1, no stack trace (that only with --verbose).
 */
class ServeCommandTest {
  private static final String SPEC = "../examples/payments/payments.yaml";

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = FreshetCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void helpHasAnExample() {
    assertThat(run("serve", "--help")).isZero();
    assertThat(out.toString())
        .contains("Usage: freshet serve")
        .contains("Examples:")
        .contains("freshet serve --spec examples/payments/payments.yaml")
        .contains("--tokens-file")
        .contains("--tls-keystore-password-file")
        .contains("--max-entities")
        .contains("--timeout")
        .contains("--contact-point");
  }

  private void refused(String message, String... args) {
    err.getBuffer().setLength(0);
    assertThat(run(args)).as(err.toString()).isEqualTo(1);
    assertThat(err.toString()).startsWith("freshet: " + message).doesNotContain("\tat ");
  }

  @Test
  void expectedErrorsAreTheMessageAlone(@TempDir Path dir) throws Exception {
    refused(
        "--timeout: \"soon\" is not a duration; write e.g. 30s, 10m, 1h, 7d",
        "serve",
        "--spec",
        SPEC,
        "--timeout",
        "soon");
    Path missing = dir.resolve("tokens");
    refused(
        "cannot read the tokens file " + missing,
        "serve",
        "--spec",
        SPEC,
        "--tokens-file",
        missing.toString());
    Path keystore = Files.writeString(dir.resolve("server.p12"), "not a keystore");
    refused(
        "--tls-keystore " + keystore + " needs its password",
        "serve",
        "--spec",
        SPEC,
        "--tls-keystore",
        keystore.toString());
    Path password = Files.writeString(dir.resolve("password"), "pw\n");
    refused(
        "cannot open TLS keystore " + keystore,
        "serve",
        "--spec",
        SPEC,
        "--tls-keystore",
        keystore.toString(),
        "--tls-keystore-password-file",
        password.toString());
    refused("view 'customer_risk' is in two specs", "serve", "--spec", SPEC, "--spec", SPEC);
    refused(
        "max entities per request is 0: it must be at least 1",
        "serve",
        "--spec",
        SPEC,
        "--max-entities",
        "0");
  }
}
