package io.freshet.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecBundleTest {
  private static final Path EXAMPLE = Path.of("../examples/payments/payments.yaml");
  private static final Path SCHEMA = Path.of("../avro-schemas/src/main/avro/payment.avsc");

  /**
   * The example spec beside its schema under a name no other place has (not on the classpath, not
   * in a checkout above the temp dir), so that only the file or the bundle can provide it.
   */
  private static Path teamSpec(Path dir) throws IOException {
    Files.copy(SCHEMA, dir.resolve("team-payment.avsc"));
    Path spec = dir.resolve("team.yaml");
    Files.writeString(
        spec,
        Files.readString(EXAMPLE).replace("schema: payment.avsc", "schema: team-payment.avsc"));
    return spec;
  }

  @Test
  void aDecodedBundleParsesToTheSameSpecWithoutEitherFile(@TempDir Path dir) throws IOException {
    Path file = teamSpec(dir);
    FeatureSpec original = SpecParser.parse(file);
    String encoded = SpecBundle.read(file).encode();
    assertThat(encoded).matches("[A-Za-z0-9_-]+");

    Files.delete(file);
    Files.delete(dir.resolve("team-payment.avsc"));
    assertThatThrownBy(() -> SpecParser.parse(file)).isInstanceOf(SpecException.class);

    SpecBundle decoded = SpecBundle.decode(encoded);
    assertThat(decoded.file()).isEqualTo(file.toAbsolutePath().normalize());
    FeatureSpec shipped = decoded.parse();
    assertThat(shipped.source()).isEqualTo(original.source());
    assertThat(shipped.views()).isEqualTo(original.views());
  }

  @Test
  void errorsOfAShippedSpecNameTheOriginalFileAndLine(@TempDir Path dir) throws IOException {
    Path file = teamSpec(dir);
    SpecBundle good = SpecBundle.read(file);
    SpecBundle bad =
        new SpecBundle(good.file(), good.yaml().replace("agg: count,", "agg: cnt,"), good.schema());
    assertThatThrownBy(() -> SpecBundle.decode(bad.encode()).parse())
        .isInstanceOf(SpecException.class)
        .hasMessageContaining(file.toAbsolutePath().normalize().toString())
        .hasMessageContaining("cnt");
    SpecException e = (SpecException) org.assertj.core.api.Assertions.catchThrowable(bad::parse);
    assertThat(e.errors()).isNotEmpty().allSatisfy(err -> assertThat(err.line()).isPositive());
  }

  @Test
  void aSchemaThatIsNotARecordIsRefusedAsWhenLookedUp(@TempDir Path dir) throws IOException {
    SpecBundle good = SpecBundle.read(teamSpec(dir));
    SpecBundle bad = new SpecBundle(good.file(), good.yaml(), "\"string\"");
    assertThatThrownBy(bad::parse)
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("team-payment.avsc (shipped with the spec)")
        .hasMessageContaining("must be Avro records");
  }

  @Test
  void readRefusesAnInvalidSpecWithItsErrors(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "source: {name: x}\n");
    assertThatThrownBy(() -> SpecBundle.read(file))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("broken.yaml");
  }

  @Test
  void somethingElseIsNotABundle() {
    assertThatThrownBy(() -> SpecBundle.decode("examples/payments/payments.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a spec bundle");
    assertThatThrownBy(() -> SpecBundle.decode("H4sIAAAAAAAA"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a spec bundle");
  }
}
