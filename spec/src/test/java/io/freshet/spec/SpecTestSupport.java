package io.freshet.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Helpers for spec tests: inline YAML next to the test schemas, and error lookups. */
final class SpecTestSupport {
  private SpecTestSupport() {}

  /** Directory of the test schemas (clicks.avsc, broken.avsc, not-record.avsc). */
  static Path specsDir() {
    try {
      return Path.of(SpecTestSupport.class.getResource("/specs/clicks.avsc").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The file name inline specs pretend to come from. */
  static Path inlineFile() {
    return specsDir().resolve("inline.yaml");
  }

  /** A source on clicks.avsc; exactly 6 lines, so "views:" comes on line 7. */
  static final String SOURCE =
      """
      source:
        name: clicks
        topic: clicks
        schema: clicks.avsc
        entity: user_id
        event_time: ts
      """;

  /**
   * A spec with one view "v" (ttl 30d) holding the given features, one flow mapping per line:
   * feature i is on line 11 + i.
   */
  static String oneView(String... features) {
    StringBuilder sb = new StringBuilder(SOURCE);
    sb.append("views:\n  - name: v\n    ttl: 30d\n    features:\n");
    for (String f : features) {
      sb.append("      - ").append(f).append('\n');
    }
    return sb.toString();
  }

  static List<SpecError> errors(String yaml) {
    return SpecParser.validate(inlineFile(), yaml);
  }

  /** Asserts the spec has exactly one error, at the given path, and returns it. */
  static SpecError onlyError(String yaml, String path) {
    List<SpecError> errors = errors(yaml);
    assertThat(errors).as(SpecErrors.format(errors)).hasSize(1);
    assertThat(errors.get(0).fieldPath()).isEqualTo(path);
    return errors.get(0);
  }

  /** Asserts one of the errors is at the given path and returns it. */
  static SpecError errorAt(List<SpecError> errors, String path) {
    List<SpecError> at =
        errors.stream().filter(e -> e.fieldPath().equals(path)).collect(Collectors.toList());
    assertThat(at).as("errors at %s among:\n%s", path, SpecErrors.format(errors)).hasSize(1);
    return at.get(0);
  }
}
