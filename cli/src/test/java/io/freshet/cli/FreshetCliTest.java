package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FreshetCliTest {
  private final CliRunner freshet = new CliRunner();

  @Test
  void everyServicesCommandHasHelpWithAnExample() {
    for (String sub : new String[] {"start", "stop", "status"}) {
      assertThat(freshet.run("services", sub, "--help")).isZero();
      assertThat(freshet.out())
          .contains("Usage: freshet services " + sub)
          .contains("Example")
          .contains("freshet services " + sub)
          .contains("--state-dir");
    }
    assertThat(freshet.run("--help")).isZero();
    assertThat(freshet.out()).contains("services");
  }

  @Test
  void statusOfAnEmptyStateDirSaysNotRunningWithExitCode3(@TempDir Path dir) {
    assertThat(freshet.run("services", "status", "--state-dir", dir.toString())).isEqualTo(3);
    assertThat(freshet.out())
        .contains("State dir: " + dir)
        .containsPattern("Kafka +not running +127.0.0.1:29092")
        .containsPattern("Cassandra +not running +127.0.0.1:29042");
  }

  @Test
  void stopWithNothingRunningSucceeds(@TempDir Path dir) {
    assertThat(freshet.run("services", "stop", "--state-dir", dir.toString())).isZero();
    assertThat(freshet.out()).contains("not running");
  }

  @Test
  void failuresGoToStderrWithExitCode1(@TempDir Path dir) {
    int code =
        freshet.run("services", "start", "--state-dir", dir.toString(), "--kafka-port", "29042");
    assertThat(code).isEqualTo(1);
    assertThat(freshet.err()).startsWith("freshet: Port 29042 is configured twice");
  }

  /**
   * Every command answers an expected failure (a dependency that is down, a missing file) with its
   * message alone; the stack trace only with --verbose. Cassandra at a port nothing listens on.
   */
  @Test
  void expectedFailuresPrintTheMessageAloneAndTheStackTraceOnlyWithVerbose(@TempDir Path dir) {
    String[] get = {"get", "--view", "nosuch", "--entity", "c1", "--contact-point", "127.0.0.1:1"};
    assertThat(freshet.run(get)).isEqualTo(1);
    assertThat(freshet.err()).startsWith("freshet: ").doesNotContain("\tat ");
    assertThat(freshet.err().lines().count()).as(freshet.err()).isLessThanOrEqualTo(3);

    String[] training = {
      "training-set",
      "--spec",
      "../examples/payments/payments.yaml",
      "--spine",
      dir.resolve("no-such-spine.csv").toString(),
      "-f",
      "customer_risk:txn_count_1h",
      "-o",
      dir.resolve("out.parquet").toString(),
      "--state-dir",
      dir.toString()
    };
    assertThat(freshet.run(training)).isEqualTo(1);
    assertThat(freshet.err())
        .startsWith("freshet training-set: no history table")
        .doesNotContain("\tat ");

    String[] verbose = java.util.Arrays.copyOf(get, get.length + 1);
    verbose[get.length] = "--verbose";
    assertThat(freshet.run(verbose)).isEqualTo(1);
    assertThat(freshet.err()).contains("\tat ");
  }

  @Test
  void wrappersGiveWayToTheirCauseAndBugsSayHowToGetTheirStackTrace() {
    var cause = new java.nio.file.NoSuchFileException("/x/spec.yaml");
    Throwable wrapped =
        new java.util.concurrent.CompletionException(new java.io.UncheckedIOException(cause));
    assertThat(FreshetCli.unwrap(wrapped)).isSameAs(cause);
    assertThat(FreshetCli.message(cause)).isEqualTo("no such file: /x/spec.yaml");
    assertThat(FreshetCli.isBug(new NullPointerException())).isTrue();
    assertThat(FreshetCli.isBug(new IllegalArgumentException("no view 'x'"))).isFalse();
    assertThat(FreshetCli.message(new IllegalStateException())).isEqualTo("IllegalStateException");
  }

  @Test
  void badUsageExitsWith2() {
    assertThat(freshet.run("services", "start", "--no-such-option")).isEqualTo(2);
    assertThat(freshet.err()).contains("Unknown option: '--no-such-option'");
  }

  @Test
  void sharedOptionsReadTheSameInEveryCommand() {
    String[][] groups = {
      {"--events", "--entities", "--days", "--seed"},
      {"--bootstrap-servers"},
      {"--jobmanager"},
      {"--flink-conf", "--set"},
      {"--state-dir"},
    };
    String[][] commands = {
      {"generate", "demo"},
      {"generate", "produce"},
      {"run", "stop", "training-set"},
      {"run", "training-set", "cluster"},
      {"cluster", "training-set", "services start"},
    };
    for (int g = 0; g < groups.length; g++) {
      String first = null;
      for (String command : commands[g]) {
        CommandLine.Model.CommandSpec spec = FreshetCli.commandLine().getCommandSpec();
        for (String word : command.split(" ")) {
          spec = spec.subcommands().get(word).getCommandSpec();
        }
        StringBuilder help = new StringBuilder();
        for (String name : groups[g]) {
          CommandLine.Model.OptionSpec o = spec.findOption(name);
          assertThat(o).as(command + " " + name).isNotNull();
          help.append(name).append(o.defaultValue()).append(String.join(" ", o.description()));
        }
        if (first == null) {
          first = help.toString();
        }
        assertThat(help.toString()).as(command).isEqualTo(first);
      }
    }
    assertThat(freshet.run("generate", "--help")).isZero();
    assertThat(freshet.out()).contains("Payments to generate (default: 1000000)");
  }
}
