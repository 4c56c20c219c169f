package io.freshet.spec;

import static io.freshet.spec.SpecTestSupport.specsDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecParserTest {

  @Test
  void validSpecParsesIntoTheModel() {
    Path file = specsDir().resolve("valid.yaml");
    FeatureSpec spec = SpecParser.parse(file);

    assertThat(spec.file()).isEqualTo(file);
    SourceSpec source = spec.source();
    assertThat(source.name()).isEqualTo("clicks");
    assertThat(source.topic()).isEqualTo("web.clicks");
    assertThat(source.schemaRef()).isEqualTo("clicks.avsc");
    assertThat(source.schema().getFullName()).isEqualTo("io.freshet.spec.test.Click");
    assertThat(source.entityField()).isEqualTo("user_id");
    assertThat(source.eventTimeField()).isEqualTo("ts");
    assertThat(source.maxOutOfOrderness()).isEqualTo(Duration.ofMillis(500));
    assertThat(source.allowedLateness()).isEqualTo(Duration.ofMinutes(5));
    assertThat(source.idleTimeout()).as("default").isEqualTo(Duration.ofSeconds(30));

    assertThat(spec.views())
        .extracting(ViewSpec::name)
        .containsExactly("user_activity", "user_tiled");
    ViewSpec activity = spec.view("user_activity").orElseThrow();
    assertThat(activity.ttl()).isEqualTo(Duration.ofDays(8));
    assertThat(activity.tile()).isNull();
    assertThat(activity.features())
        .containsExactly(
            new FeatureDef(
                "clicks_1h",
                Aggregation.COUNT,
                null,
                ValueType.LONG,
                Duration.ofHours(1),
                Duration.ofMinutes(1),
                null,
                null),
            new FeatureDef(
                "dwell_sum_24h",
                Aggregation.SUM,
                "dwell_ms",
                ValueType.LONG,
                Duration.ofHours(24),
                Duration.ofMinutes(5),
                null,
                null),
            new FeatureDef(
                "price_avg_7d",
                Aggregation.AVG,
                "price",
                ValueType.DOUBLE,
                Duration.ofDays(7),
                Duration.ofHours(1),
                null,
                null),
            new FeatureDef(
                "score_min_30s",
                Aggregation.MIN,
                "score",
                ValueType.DOUBLE,
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                null,
                null),
            new FeatureDef(
                "pages_24h",
                Aggregation.APPROX_COUNT_DISTINCT,
                "page",
                ValueType.STRING,
                Duration.ofHours(24),
                Duration.ofMinutes(5),
                null,
                null),
            new FeatureDef(
                "price_p90_1h",
                Aggregation.APPROX_PERCENTILE,
                "price",
                ValueType.DOUBLE,
                Duration.ofHours(1),
                Duration.ofMinutes(1),
                0.9,
                null),
            new FeatureDef(
                "price_decay",
                Aggregation.DECAYED_SUM,
                "price",
                ValueType.DOUBLE,
                null,
                null,
                null,
                Duration.ofHours(1)),
            new FeatureDef(
                "first_kind", Aggregation.FIRST, "kind", ValueType.STRING, null, null, null, null),
            new FeatureDef(
                "last_logged_in",
                Aggregation.LAST,
                "logged_in",
                ValueType.BOOLEAN,
                null,
                null,
                null,
                null),
            new FeatureDef(
                "last_ts",
                Aggregation.MAX,
                "ts",
                ValueType.LONG,
                Duration.ofDays(2),
                Duration.ofHours(1),
                null,
                null));
    assertThat(activity.expectations())
        .containsExactly(
            new Expectation("price", 0.0, 1_000_000.0, 0.1),
            new Expectation("session_id", null, null, 0.5));

    ViewSpec tiled = spec.view("user_tiled").orElseThrow();
    assertThat(tiled.tile()).isEqualTo(Duration.ofSeconds(10));
    assertThat(tiled.expectations()).isEmpty();
    assertThat(tiled.features())
        .extracting(FeatureDef::name, FeatureDef::tile, FeatureDef::inputType)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "clicks_1m", Duration.ofSeconds(10), ValueType.LONG),
            org.assertj.core.groups.Tuple.tuple(
                "dwell_max_1h", Duration.ofSeconds(10), ValueType.LONG));
    assertThat(SpecParser.validate(file)).isEmpty();
  }

  @Test
  void sourceDefaultsAndOptionalKeys() {
    FeatureSpec spec =
        SpecParser.parse(
            SpecTestSupport.inlineFile(),
            SpecTestSupport.oneView("{name: n, agg: count, window: 10m}"));
    assertThat(spec.source().maxOutOfOrderness()).isZero();
    assertThat(spec.source().allowedLateness()).isZero();
    assertThat(spec.source().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void nullableEntityAndPlainLongEventTimeAreAccepted() {
    String yaml =
        SpecTestSupport.oneView("{name: n, agg: count, window: 10m}")
            .replace("entity: user_id", "entity: session_id")
            .replace("event_time: ts", "event_time: epoch_ms");
    FeatureSpec spec = SpecParser.parse(SpecTestSupport.inlineFile(), yaml);
    assertThat(spec.source().entityField()).isEqualTo("session_id");
    assertThat(spec.source().eventTimeField()).isEqualTo("epoch_ms");
  }

  @Test
  void parseThrowsWithEveryErrorAndAReadableMessage() {
    String yaml =
        SpecTestSupport.oneView(
            "{name: a, agg: count, window: 1x}", "{name: b, agg: summ, field: price}");
    assertThatThrownBy(() -> SpecParser.parse(SpecTestSupport.inlineFile(), yaml))
        .isInstanceOfSatisfying(
            SpecException.class,
            e -> {
              assertThat(e.errors()).hasSize(2);
              assertThat(e.getMessage())
                  .startsWith(SpecTestSupport.inlineFile() + ": 2 errors\n")
                  .contains(
                      "inline.yaml:11:39: views[0].features[0].window: \"1x\" is not a duration")
                  .contains("inline.yaml:12:24: views[0].features[1].agg: unknown aggregation");
            });
  }

  @Test
  void missingFileIsOneError() {
    Path missing = specsDir().resolve("does-not-exist.yaml");
    List<SpecError> errors = SpecParser.validate(missing);
    assertThat(errors)
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("not found"));
  }

  @Test
  void errorFormatIsFileLineColumnPathMessage() {
    SpecError e =
        new SpecError(
            Path.of("payments.yaml"),
            14,
            7,
            "views[0].features[2].window",
            "\"1x\" is not a duration; write e.g. 30s, 10m, 1h, 7d");
    assertThat(e.format())
        .isEqualTo(
            "payments.yaml:14:7: views[0].features[2].window: \"1x\" is not a duration; write"
                + " e.g. 30s, 10m, 1h, 7d");
    assertThat(SpecErrors.format(List.of(e, e))).isEqualTo(e.format() + "\n" + e.format());
    assertThat(SpecErrors.summary(List.of(e))).isEqualTo("payments.yaml: 1 error");
  }
}
