package io.freshet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs the {@code freshet} command in this JVM, as {@code bin/freshet} would, and keeps what its
 * last run printed to standard output and error. Lives in cli's tests rather than test-support: it
 * needs {@link FreshetCli}, and cli itself depends on test-support.
 */
final class CliRunner {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Runs the command with {@code args}; returns its exit code. Forgets the previous output. */
  int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cli = FreshetCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** What the last run printed to standard output. */
  String out() {
    return out.toString();
  }

  /** What the last run printed to standard error. */
  String err() {
    return err.toString();
  }
}
