package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  private final CliRunner freshet = new CliRunner();

  @Test
  void theExampleSpecIsValid() {
    assertThat(freshet.run("validate", "../examples/payments/payments.yaml")).isZero();
    assertThat(freshet.out()).contains("payments.yaml: ok");
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
    assertThat(freshet.run("validate", bad.toString())).isEqualTo(1);
    String e = freshet.err();
    assertThat(e).contains("bad.yaml:").contains("agg").contains("cnt").contains("7x");
    assertThat(e).containsPattern("bad\\.yaml:\\d+:\\d+: views\\[0\\]\\.features\\[\\d+\\]");
  }
}
