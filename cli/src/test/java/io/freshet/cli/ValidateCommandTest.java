package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = FreshetCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void theExampleSpecIsValid() {
    assertThat(run("validate", "../examples/payments/payments.yaml")).isZero();
    assertThat(out.toString()).contains("payments.yaml: ok");
  }

  @Test
  void errorsNameTheFileTheLineAndTheField(@TempDir Path dir) throws Exception {
    String yaml =
        Files.readString(Path.of("../examples/payments/payments.yaml"))
            .replace("agg: count,", "agg: cnt,")
            .replace("window: 7d}", "window: 7x}");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, yaml);
    Files.copy(Path.of("../avro-schemas/src/main/avro/payment.avsc"), dir.resolve("payment.avsc"));
    assertThat(run("validate", bad.toString())).isEqualTo(1);
    String e = err.toString();
    assertThat(e).contains("bad.yaml:").contains("agg").contains("cnt").contains("7x");
    assertThat(e).containsPattern("bad\\.yaml:\\d+:\\d+: views\\[0\\]\\.features\\[\\d+\\]");
  }
}
