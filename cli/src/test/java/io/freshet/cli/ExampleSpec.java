package io.freshet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The payments example spec as the CLI's integration tests run it: copied into a test's directory,
 * on the test's own topic, with views renamed where a test needs tables of its own; and the {@code
 * freshet.state.dir} property pointed at a test's directory for the commands it runs.
 */
final class ExampleSpec {
  static final Path PAYMENTS = Path.of("../examples/payments/payments.yaml");

  private ExampleSpec() {}

  /**
   * Writes the example spec to {@code dir/payments.yaml} with {@code topic}, and each view name of
   * {@code renames} (pairs: old name, new name) replaced.
   */
  static Path onTopic(Path dir, String topic, String... renames) throws IOException {
    String yaml = Files.readString(PAYMENTS).replace("topic: payments", "topic: " + topic);
    for (int i = 0; i + 1 < renames.length; i += 2) {
      yaml = yaml.replace("name: " + renames[i], "name: " + renames[i + 1]);
    }
    return Files.writeString(dir.resolve("payments.yaml"), yaml);
  }

  /** A payment as a JSON line for {@code freshet produce}. */
  static String payment(String id, String customer, String merchant, double amount, long time) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"payment_id\":\"%s\",\"customer_id\":\"%s\",\"merchant_id\":\"%s\",\"amount\":%.2f,"
            + "\"currency\":\"EUR\",\"country\":\"FR\",\"event_time\":\"%s\"}",
        id,
        customer,
        merchant,
        amount,
        java.time.Instant.ofEpochMilli(time));
  }

  /** Sets {@code freshet.state.dir} until closed, then restores what it was. */
  static AutoCloseable stateDir(Path dir) {
    String previous = System.getProperty("freshet.state.dir");
    System.setProperty("freshet.state.dir", dir.toString());
    return () -> {
      if (previous == null) {
        System.clearProperty("freshet.state.dir");
      } else {
        System.setProperty("freshet.state.dir", previous);
      }
    };
  }
}
