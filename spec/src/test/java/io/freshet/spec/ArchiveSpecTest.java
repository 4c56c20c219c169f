package io.freshet.spec;

import static io.freshet.spec.SpecTestSupport.SOURCE;
import static io.freshet.spec.SpecTestSupport.errorAt;
import static io.freshet.spec.SpecTestSupport.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code source.archive}: paths relative to the spec, the handover instant, the format. */
class ArchiveSpecTest {
  private static final String VIEWS =
      """
      views:
        - name: v
          ttl: 1d
          features:
            - {name: n, agg: count, window: 1h}
      """;

  private static String withArchive(String archive) {
    return SOURCE + archive + VIEWS;
  }

  @Test
  void pathsResolveAgainstTheSpecFileAndUntilIsAnInstant() {
    String yaml =
        withArchive(
            """
              archive:
                path: [., "s3://bucket/payments/"]
                until: 2026-11-01T06:30:00Z
                format: jsonl
            """);
    assertThat(errors(yaml)).isEmpty();
    ArchiveSpec a = SpecParser.parse(SpecTestSupport.inlineFile(), yaml).source().archive();
    assertThat(a.paths())
        .containsExactly(SpecTestSupport.specsDir().toUri().toString(), "s3://bucket/payments/");
    assertThat(a.until()).isEqualTo(Instant.parse("2026-11-01T06:30:00Z"));
    assertThat(a.format()).isEqualTo(ArchiveSpec.Format.JSON_LINES);
    assertThat(a.formatOf("x.avro")).isEqualTo(ArchiveSpec.Format.JSON_LINES);
  }

  @Test
  void aDateIsItsMidnightAndTheFormatComesFromExtensions() {
    String yaml =
        withArchive(
            """
              archive:
                path: clicks.avsc
                until: 2026-11-01
            """);
    ArchiveSpec a = SpecParser.parse(SpecTestSupport.inlineFile(), yaml).source().archive();
    assertThat(a.until()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
    assertThat(a.format()).isNull();
    assertThat(a.formatOf("day=1/part-0.AVRO")).isEqualTo(ArchiveSpec.Format.AVRO);
    assertThat(a.formatOf("x.ndjson")).isEqualTo(ArchiveSpec.Format.JSON_LINES);
    assertThat(a.formatOf("x.csv")).isNull();
  }

  @Test
  void eachMistakeIsReportedWithItsLineAndField() {
    String yaml =
        withArchive(
            """
              archive:
                path: no-such-dir/
                until: last tuesday
                format: parquet
            """);
    List<SpecError> errors = errors(yaml);
    assertThat(errors).hasSize(3);
    SpecError path = errorAt(errors, "source.archive.path");
    assertThat(path.line()).isEqualTo(8);
    assertThat(path.message()).contains("not found").contains("relative to the spec file");
    SpecError until = errorAt(errors, "source.archive.until");
    assertThat(until.line()).isEqualTo(9);
    assertThat(until.message()).contains("2026-11-01T00:00:00Z");
    SpecError format = errorAt(errors, "source.archive.format");
    assertThat(format.line()).isEqualTo(10);
    assertThat(format.message()).contains("avro").contains("jsonl");
  }

  @Test
  void untilIsRequired() {
    String yaml =
        withArchive(
            """
              archive:
                path: .
            """);
    SpecError e = errorAt(errors(yaml), "source.archive.until");
    assertThat(e.line()).as("the archive mapping's first line").isEqualTo(8);
    assertThat(e.message()).startsWith("missing required key until");
  }
}
