package io.freshet.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The example specs in examples/ of the checkout parse. */
class ExampleSpecTest {

  static Path checkoutFile(String relative) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve(relative);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }

  @Test
  void paymentsExampleParses() {
    FeatureSpec spec = SpecParser.parse(checkoutFile("examples/payments/payments.yaml"));

    assertThat(spec.source().name()).isEqualTo("payments");
    assertThat(spec.source().schema().getFullName())
        .isEqualTo("io.freshet.examples.payments.Payment");
    assertThat(spec.source().entityField()).isEqualTo("customer_id");
    assertThat(spec.source().maxOutOfOrderness()).isEqualTo(Duration.ofSeconds(2));
    assertThat(spec.source().allowedLateness()).isEqualTo(Duration.ofMinutes(10));
    ViewSpec risk = spec.view("customer_risk").orElseThrow();
    assertThat(risk.ttl()).isEqualTo(Duration.ofDays(30));
    assertThat(risk.features())
        .extracting(FeatureDef::name)
        .containsExactly(
            "txn_count_10m",
            "txn_count_1h",
            "txn_count_24h",
            "txn_count_7d",
            "amount_sum_10m",
            "amount_sum_1h",
            "amount_sum_24h",
            "amount_sum_7d",
            "amount_avg_7d",
            "amount_max_24h",
            "amount_p95_24h",
            "merchants_24h",
            "last_country");
    FeatureDef p95 = risk.features().get(risk.indexOf("amount_p95_24h"));
    assertThat(p95.quantile()).isEqualTo(0.95);
    assertThat(p95.inputType()).isEqualTo(ValueType.DOUBLE);
    assertThat(p95.tile()).isEqualTo(Duration.ofMinutes(5));
    FeatureDef lastCountry = risk.features().get(risk.indexOf("last_country"));
    assertThat(lastCountry.isLifetime()).isTrue();
    assertThat(lastCountry.outputType()).isEqualTo(ValueType.STRING);
    assertThat(risk.expectations()).contains(new Expectation("amount", 0.0, 100000.0, 0.02));
    assertThat(risk.featureExpectations()).isEmpty();
  }
}
