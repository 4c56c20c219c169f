package io.freshet.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaLocatorTest {

  private static final ClassLoader LOADER = SchemaLocatorTest.class.getClassLoader();

  @Test
  void nextToTheSpecFirst(@TempDir Path dir) throws IOException {
    Path checkoutSchemas = dir.resolve(SchemaLocator.CHECKOUT_SCHEMAS);
    Files.createDirectories(checkoutSchemas);
    Files.writeString(checkoutSchemas.resolve("payment.avsc"), "\"checkout\"");
    Path specDir = Files.createDirectories(dir.resolve("team/specs"));
    Files.writeString(specDir.resolve("payment.avsc"), "\"local\"");

    SchemaLocator.Lookup local = SchemaLocator.find("payment.avsc", specDir, LOADER);
    assertThat(local.foundAt()).isEqualTo(specDir.resolve("payment.avsc").toString());
    assertThat(local.text()).isEqualTo("\"local\"");

    Files.delete(specDir.resolve("payment.avsc"));
    SchemaLocator.Lookup checkout = SchemaLocator.find("payment.avsc", specDir, LOADER);
    assertThat(checkout.foundAt()).isEqualTo(checkoutSchemas.resolve("payment.avsc").toString());
  }

  @Test
  void thenTheClasspath(@TempDir Path dir) throws IOException {
    SchemaLocator.Lookup lookup = SchemaLocator.find("payment.avsc", dir, LOADER);
    assertThat(lookup.foundAt()).isEqualTo("classpath:avro/payment.avsc");
    assertThat(lookup.text()).contains("\"Payment\"");
  }

  @Test
  void notFoundListsEveryPlace(@TempDir Path dir) throws IOException {
    SchemaLocator.Lookup lookup = SchemaLocator.find("missing.avsc", dir, LOADER);
    assertThat(lookup.found()).isFalse();
    assertThat(lookup.tried()).first().isEqualTo(dir.resolve("missing.avsc").toString());
    assertThat(lookup.tried()).last().isEqualTo("classpath:avro/missing.avsc");
  }

  @Test
  void aSpecOutsideTheCheckoutFindsPackagedSchemas(@TempDir Path dir) throws IOException {
    Path spec = dir.resolve("payments.yaml");
    Files.writeString(
        spec,
        """
        source: {name: payments, topic: payments, schema: payment.avsc, entity: customer_id,
                 event_time: event_time}
        views:
          - name: spend
            ttl: 1d
            features: [{name: amount_sum_1h, agg: sum, field: amount, window: 1h}]
        """);
    assertThat(SpecParser.parse(spec).source().schema().getName()).isEqualTo("Payment");
  }
}
