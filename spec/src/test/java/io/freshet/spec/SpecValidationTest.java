package io.freshet.spec;

import static io.freshet.spec.SpecTestSupport.SOURCE;
import static io.freshet.spec.SpecTestSupport.errorAt;
import static io.freshet.spec.SpecTestSupport.errors;
import static io.freshet.spec.SpecTestSupport.oneView;
import static io.freshet.spec.SpecTestSupport.onlyError;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.store.StoreColumn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule of docs/spec-reference.md: the error, its line and field path, and its fix hint. */
class SpecValidationTest {

  private static final String OK_FEATURE = "{name: n, agg: count, window: 10m}";

  // ------------------------------------------------------------------ structure and keys

  @Test
  void missingRequiredSourceKeys() {
    String yaml =
        """
        source:
          name: clicks
          schema: clicks.avsc
        views:
          - name: v
            ttl: 1d
            features:
              - {name: n, agg: count, window: 1h}
        """;
    List<SpecError> errors = errors(yaml);
    assertThat(errors).hasSize(3);
    for (String key : List.of("topic", "entity", "event_time")) {
      SpecError e = errorAt(errors, "source." + key);
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.message()).startsWith("missing required key " + key);
    }
  }

  @Test
  void missingRequiredViewAndFeatureKeys() {
    String yaml =
        SOURCE
            + """
            views:
              - name: v
                features:
                  - {name: n, window: 1h}
                  - agg: count
            """;
    List<SpecError> errors = errors(yaml);
    assertThat(errors).hasSize(3);
    assertThat(errorAt(errors, "views[0].ttl").line()).isEqualTo(8);
    assertThat(errorAt(errors, "views[0].ttl").message()).contains("ttl: 30d");
    SpecError agg = errorAt(errors, "views[0].features[0].agg");
    assertThat(agg.line()).isEqualTo(10);
    assertThat(agg.message()).contains("count, sum, avg");
    assertThat(errorAt(errors, "views[0].features[1].name").line()).isEqualTo(11);
  }

  @Test
  void missingSourceAndViews() {
    List<SpecError> errors = errors("views: []\n");
    assertThat(errors).hasSize(2);
    assertThat(errorAt(errors, "source").message()).startsWith("missing required key source");
    assertThat(errorAt(errors, "views").message()).contains("at least one view");
  }

  @Test
  void unknownKeysSuggestTheRightOne() {
    String yaml =
        SOURCE.replace("  event_time: ts\n", "  event_time: ts\n  lateness: 1m\n")
            + """
            views:
              - name: v
                ttl: 1d
                feature: []
                features:
                  - {name: n, aggregation: count, windw: 1h}
            """;
    List<SpecError> errors = errors(yaml);
    assertThat(errors).hasSize(4);
    SpecError lateness = errorAt(errors, "source.lateness");
    assertThat(lateness.line()).isEqualTo(7);
    assertThat(lateness.column()).isEqualTo(3);
    assertThat(lateness.message())
        .contains("unknown key \"lateness\" (did you mean allowed_lateness?)")
        .contains("allowed here: name, topic, schema");
    assertThat(errorAt(errors, "views[0].feature").message()).contains("did you mean features?");
    assertThat(errorAt(errors, "views[0].features[0].aggregation").message())
        .contains("did you mean agg?");
    SpecError windw = errorAt(errors, "views[0].features[0].windw");
    assertThat(windw.line()).isEqualTo(13);
    assertThat(windw.message()).contains("did you mean window?");
    // no second error saying agg is missing: the unknown-key error already points to it
    assertThat(errors).noneMatch(e -> e.fieldPath().equals("views[0].features[0].agg"));
  }

  @Test
  void duplicateYamlKeys() {
    SpecError e =
        onlyError(
            oneView("{name: n, agg: count, window: 1h, window: 2h}"),
            "views[0].features[0].window");
    assertThat(e.line()).isEqualTo(11);
    assertThat(e.message()).contains("duplicate key window");
  }

  @Test
  void wrongShapes() {
    String yaml = SOURCE + "views:\n  name: v\n";
    SpecError e = onlyError(yaml, "views");
    assertThat(e.line()).isEqualTo(8);
    assertThat(e.message()).contains("views is a list").contains("found a mapping");

    SpecError f = onlyError(oneView("count_1h"), "views[0].features[0]");
    assertThat(f.message()).contains("a feature is a mapping");
  }

  @Test
  void atLeastOneViewAndOneFeature() {
    SpecError views = onlyError(SOURCE + "views: []\n", "views");
    assertThat(views.line()).isEqualTo(7);
    assertThat(views.message()).contains("at least one view");

    String yaml = SOURCE + "views:\n  - name: v\n    ttl: 1d\n    features: []\n";
    SpecError features = onlyError(yaml, "views[0].features");
    assertThat(features.line()).isEqualTo(10);
    assertThat(features.message()).contains("at least one feature");
  }

  @Test
  void invalidYamlIsReportedWithItsPosition() {
    String yaml = SOURCE + "views:\n  - name: v\n    ttl: [1d\n";
    List<SpecError> errors = errors(yaml);
    assertThat(errors)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.message()).startsWith("not valid YAML");
              assertThat(e.line()).isGreaterThanOrEqualTo(9);
            });
  }

  @Test
  void emptySpec() {
    assertThat(errors(""))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("empty"));
    assertThat(errors("# nothing\n")).hasSize(1);
  }

  // ------------------------------------------------------------------ aggregations and fields

  @Test
  void unknownAggregationListsTheValidOnes() {
    SpecError e =
        onlyError(
            oneView(OK_FEATURE, "{name: p, agg: percentile, field: price}"),
            "views[0].features[1].agg");
    assertThat(e.line()).isEqualTo(12);
    assertThat(e.column()).isEqualTo(24);
    assertThat(e.message())
        .contains("unknown aggregation \"percentile\" (did you mean approx_percentile?)")
        .contains(
            "count, sum, avg, min, max, first, last, approx_count_distinct, approx_percentile,"
                + " decayed_sum");
    assertThat(
            onlyError(oneView("{name: p, agg: summ, field: price}"), "views[0].features[0].agg")
                .message())
        .contains("did you mean sum?");
  }

  @Test
  void fieldMissingFromSchemaListsTheFields() {
    SpecError e =
        onlyError(
            oneView(
                OK_FEATURE,
                OK_FEATURE.replace("n,", "m,"),
                "{name: s, agg: sum, field: amount, window: 1h}"),
            "views[0].features[2].field");
    assertThat(e.line()).isEqualTo(13);
    assertThat(e.message())
        .contains("no field \"amount\" in schema Click (clicks.avsc)")
        .contains("its fields are: user_id, session_id, page, kind, dwell_ms, price");
    assertThat(
            onlyError(oneView("{name: s, agg: sum, field: prise}"), "views[0].features[0].field")
                .message())
        .contains("did you mean price?");
  }

  @Test
  void aggregationsThatNeedAFieldSayWhich() {
    SpecError e =
        onlyError(oneView("{name: s, agg: sum, window: 1h}"), "views[0].features[0].field");
    assertThat(e.line()).isEqualTo(11);
    assertThat(e.message())
        .contains("missing required key field")
        .contains("sum reads a source field");
  }

  @Test
  void countTakesNoField() {
    SpecError e =
        onlyError(oneView("{name: c, agg: count, field: page}"), "views[0].features[0].field");
    assertThat(e.message()).contains("remove field:").contains("approx_count_distinct");
  }

  @Test
  void varianceAndStddevReadANumericFieldAsDouble() {
    assertThat(errors(oneView("{name: v, agg: variance, field: dwell_ms, window: 1h}"))).isEmpty();
    assertThat(errors(oneView("{name: s, agg: stddev, field: dwell_ms}"))).isEmpty();
    assertThat(Aggregation.STDDEV.outputType(ValueType.LONG)).isEqualTo(ValueType.DOUBLE);
    assertThat(Aggregation.VARIANCE.outputType(ValueType.DOUBLE)).isEqualTo(ValueType.DOUBLE);
    assertThat(
            onlyError(
                    oneView("{name: s, agg: stddev_pop, field: dwell_ms}"),
                    "views[0].features[0].agg")
                .message())
        .contains("did you mean stddev?");
  }

  @Test
  void numericAggregationsRefuseNonNumericFields() {
    for (String agg :
        List.of(
            "sum",
            "avg",
            "min",
            "max",
            "decayed_sum, half_life: 1h",
            "approx_percentile, q: 0.5",
            "variance",
            "stddev")) {
      SpecError e =
          onlyError(
              oneView("{name: x, agg: " + agg + ", field: page}"), "views[0].features[0].field");
      assertThat(e.line()).isEqualTo(11);
      assertThat(e.message())
          .contains("needs a numeric field")
          .contains("\"page\" is a string")
          .contains("dwell_ms");
    }
    SpecError e =
        onlyError(oneView("{name: x, agg: max, field: session_id}"), "views[0].features[0].field");
    assertThat(e.message()).contains("is a nullable string");
  }

  @Test
  void anyTypeAggregationsAcceptEveryReadableType() {
    for (String agg : List.of("first", "last", "approx_count_distinct")) {
      for (String field : List.of("page", "kind", "logged_in", "price", "session_id", "ts")) {
        assertThat(errors(oneView("{name: x, agg: " + agg + ", field: " + field + "}")))
            .as(agg + " " + field)
            .isEmpty();
      }
    }
  }

  @Test
  void unreadableFieldTypes() {
    SpecError bytes =
        onlyError(oneView("{name: x, agg: last, field: payload}"), "views[0].features[0].field");
    assertThat(bytes.message()).contains("\"payload\" is a bytes, which features cannot read");
    SpecError array =
        onlyError(oneView("{name: x, agg: first, field: tags}"), "views[0].features[0].field");
    assertThat(array.message()).contains("is an array");
  }

  @Test
  void quantileRules() {
    SpecError missing =
        onlyError(
            oneView("{name: p, agg: approx_percentile, field: price, window: 1h}"),
            "views[0].features[0].q");
    assertThat(missing.line()).isEqualTo(11);
    assertThat(missing.message()).contains("missing required key q").contains("0.95");

    for (String q : List.of("0", "1", "1.5", "-0.1")) {
      SpecError range =
          onlyError(
              oneView("{name: p, agg: approx_percentile, field: price, q: " + q + "}"),
              "views[0].features[0].q");
      assertThat(range.message()).contains("strictly between 0 and 1");
    }
    assertThat(
            onlyError(
                    oneView("{name: p, agg: approx_percentile, field: price, q: 95}"),
                    "views[0].features[0].q")
                .message())
        .contains("for the 95th percentile write q: 0.95");
    SpecError notNumber =
        onlyError(
            oneView("{name: p, agg: approx_percentile, field: price, q: high}"),
            "views[0].features[0].q");
    assertThat(notNumber.message()).contains("\"high\" is not a number");

    SpecError elsewhere =
        onlyError(oneView("{name: s, agg: sum, field: price, q: 0.5}"), "views[0].features[0].q");
    assertThat(elsewhere.message()).contains("q is only for agg: approx_percentile");
  }

  @Test
  void halfLifeRules() {
    SpecError missing =
        onlyError(
            oneView("{name: d, agg: decayed_sum, field: price}"), "views[0].features[0].half_life");
    assertThat(missing.message()).contains("missing required key half_life");
    SpecError elsewhere =
        onlyError(
            oneView(OK_FEATURE, "{name: a, agg: avg, field: price, half_life: 1h}"),
            "views[0].features[1].half_life");
    assertThat(elsewhere.line()).isEqualTo(12);
    assertThat(elsewhere.message()).contains("only for agg: decayed_sum");
    SpecError zero =
        onlyError(
            oneView("{name: d, agg: decayed_sum, field: price, half_life: 0s}"),
            "views[0].features[0].half_life");
    assertThat(zero.message()).contains("must be positive");
  }

  // ------------------------------------------------------------------ durations, windows, tiles

  @Test
  void unparseableDurations() {
    SpecError x =
        onlyError(
            oneView(
                OK_FEATURE, OK_FEATURE.replace("n,", "m,"), "{name: c, agg: count, window: 1x}"),
            "views[0].features[2].window");
    assertThat(x.line()).isEqualTo(13);
    assertThat(x.message())
        .isEqualTo(
            "\"1x\" is not a duration (the units are ms, s, m, h and d); write e.g. 30s, 10m, 1h, 7d");
    assertThat(
            onlyError(oneView("{name: c, agg: count, window: 90}"), "views[0].features[0].window")
                .message())
        .contains("a unit is required");
    assertThat(
            onlyError(oneView("{name: c, agg: count, window: 1.5h}"), "views[0].features[0].window")
                .message())
        .contains("write 1.5h as 90m");
    assertThat(
            onlyError(oneView("{name: c, agg: count, window: 0s}"), "views[0].features[0].window")
                .message())
        .contains("must be positive");
    SpecError ooo =
        onlyError(
            oneView(OK_FEATURE)
                .replace("event_time: ts\n", "event_time: ts\n  max_out_of_orderness: 2 seconds\n"),
            "source.max_out_of_orderness");
    assertThat(ooo.line()).isEqualTo(7);
    assertThat(ooo.column()).isEqualTo(25);
  }

  @Test
  void windowNotAMultipleOfTheViewTile() {
    String yaml =
        oneView("{name: c, agg: count, window: 90s}")
            .replace("ttl: 30d\n", "ttl: 30d\n    tile: 1m\n");
    SpecError e = onlyError(yaml, "views[0].features[0].window");
    assertThat(e.line()).isEqualTo(12);
    assertThat(e.message())
        .isEqualTo(
            "window 90s is not a multiple of the view's tile 1m; declare a tile: on the view that"
                + " divides every window (e.g. tile: 30s) or change the window (e.g. 2m)");
  }

  @Test
  void windowNotAMultipleOfTheDefaultTile() {
    SpecError e =
        onlyError(oneView("{name: c, agg: count, window: 90s}"), "views[0].features[0].window");
    assertThat(e.message())
        .contains("is not a multiple of its default tile 1m")
        .contains("declare a tile:");
    SpecError days =
        onlyError(oneView("{name: c, agg: count, window: 4350m}"), "views[0].features[0].window");
    assertThat(days.message()).contains("default tile 1h");
  }

  @Test
  void tileLargerThanWindow() {
    String yaml =
        oneView("{name: c, agg: count, window: 30s}")
            .replace("ttl: 30d\n", "ttl: 30d\n    tile: 1m\n");
    SpecError e = onlyError(yaml, "views[0].features[0].window");
    assertThat(e.message()).contains("window 30s is shorter than the view's tile 1m");
  }

  @Test
  void ttlMustCoverTheLongestWindow() {
    String yaml =
        oneView(
                OK_FEATURE,
                "{name: w, agg: count, window: 7d}",
                "{name: d, agg: count, window: 2d}")
            .replace("ttl: 30d", "ttl: 1d");
    SpecError e = onlyError(yaml, "views[0].ttl");
    assertThat(e.line()).isEqualTo(9);
    assertThat(e.message())
        .contains("ttl 1d is shorter than the longest window of this view (w: 7d)")
        .contains("drops an entity's state after ttl of silence")
        .contains("set ttl: 7d or more");
  }

  // ------------------------------------------------------------------ names

  @Test
  void viewNamesOfFreshetsOwnTablesAreRefused() {
    SpecError e =
        errorAt(
            errors(
                SOURCE
                    + """
                    views:
                      - name: freshet_violations
                        ttl: 1d
                        features: [{name: n, agg: count}]
                    """),
            "views[0].name");
    assertThat(e.message())
        .isEqualTo(
            "view name \"freshet_violations\" starts with freshet_, which Freshet's own tables"
                + " (freshet_views, freshet_violations) start with; rename the view");
  }

  @Test
  void duplicateViewNames() {
    String yaml =
        SOURCE
            + """
            views:
              - name: v
                ttl: 1d
                features: [{name: n, agg: count}]
              - name: v
                ttl: 1d
                features: [{name: n, agg: count}]
            """;
    SpecError e = onlyError(yaml, "views[1].name");
    assertThat(e.line()).isEqualTo(11);
    assertThat(e.message()).contains("duplicate view name \"v\" (first declared on line 8)");
  }

  @Test
  void duplicateFeatureNames() {
    SpecError e =
        onlyError(
            oneView(OK_FEATURE, "{name: m, agg: count}", OK_FEATURE), "views[0].features[2].name");
    assertThat(e.line()).isEqualTo(13);
    assertThat(e.message()).contains("duplicate feature name \"n\" (first declared on line 11)");
  }

  @Test
  void namesMustBeIdentifiers() {
    SpecError e = onlyError(oneView("{name: Amount-Sum, agg: count}"), "views[0].features[0].name");
    assertThat(e.message())
        .contains("\"Amount-Sum\" is not a valid name")
        .contains("\"amount_sum\"");
    SpecError view =
        onlyError(oneView(OK_FEATURE).replace("name: v", "name: 1view"), "views[0].name");
    assertThat(view.line()).isEqualTo(8);
    SpecError longName =
        onlyError(
            oneView(OK_FEATURE).replace("name: v", "name: " + "v".repeat(49)), "views[0].name");
    assertThat(longName.message()).contains("at most 48");
  }

  @Test
  void reservedColumnNames() {
    for (String reserved : StoreColumn.NAMES) {
      SpecError e =
          onlyError(oneView("{name: " + reserved + ", agg: count}"), "views[0].features[0].name");
      assertThat(e.message()).contains("is a column Freshet uses itself");
    }
  }

  // ------------------------------------------------------------------ schema, entity, event time

  @Test
  void schemaNotFoundSaysWhereItLooked() {
    SpecError e =
        onlyError(oneView(OK_FEATURE).replace("clicks.avsc", "nope.avsc"), "source.schema");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.message())
        .contains("schema file \"nope.avsc\" not found; looked in: ")
        .contains(SpecTestSupport.specsDir().resolve("nope.avsc").toString())
        .contains("avro-schemas/src/main/avro/nope.avsc")
        .contains("classpath:avro/nope.avsc");
  }

  @Test
  void schemaNotValidAvro() {
    SpecError broken =
        onlyError(
            oneView("{name: s, agg: sum, field: price}").replace("clicks.avsc", "broken.avsc"),
            "source.schema");
    assertThat(broken.message()).contains("broken.avsc is not a valid Avro schema");
    SpecError notRecord =
        onlyError(oneView(OK_FEATURE).replace("clicks.avsc", "not-record.avsc"), "source.schema");
    assertThat(notRecord.message()).contains("is an Avro enum, but events must be Avro records");
  }

  @Test
  void entityFieldMissingOrOfTheWrongType() {
    SpecError missing =
        onlyError(
            oneView(OK_FEATURE).replace("entity: user_id", "entity: customer_id"), "source.entity");
    assertThat(missing.line()).isEqualTo(5);
    assertThat(missing.message()).contains("no field \"customer_id\"");
    for (String wrong : List.of("price", "dwell_ms", "kind", "ts")) {
      SpecError e =
          onlyError(
              oneView(OK_FEATURE).replace("entity: user_id", "entity: " + wrong), "source.entity");
      assertThat(e.message()).contains("the entity key must be a string or a long");
    }
  }

  @Test
  void eventTimeFieldMissingOrOfTheWrongType() {
    SpecError missing =
        onlyError(
            oneView(OK_FEATURE).replace("event_time: ts", "event_time: time"), "source.event_time");
    assertThat(missing.line()).isEqualTo(6);
    SpecError micros =
        onlyError(
            oneView(OK_FEATURE).replace("event_time: ts", "event_time: ts_micros"),
            "source.event_time");
    assertThat(micros.message())
        .contains("is a long (timestamp-micros)")
        .contains("timestamp-millis");
    SpecError nullable =
        onlyError(
            oneView(OK_FEATURE).replace("event_time: ts", "event_time: maybe_ts"),
            "source.event_time");
    assertThat(nullable.message()).contains("must not be nullable");
    SpecError string =
        onlyError(
            oneView(OK_FEATURE).replace("event_time: ts", "event_time: page"), "source.event_time");
    assertThat(string.message()).contains("\"page\" is a string");
  }

  // ------------------------------------------------------------------ expectations

  @Test
  void expectationRules() {
    String yaml =
        oneView(OK_FEATURE)
            + """
                expectations:
                  amount: {max_null_rate: 0.1}
                  price: {min: 10, max: 1}
                  dwell_ms: {max_null_rate: 1.5}
                  page: {min: 0}
                  score: {minimum: 0}
            """;
    List<SpecError> errors = errors(yaml);
    assertThat(errors).hasSize(5);
    SpecError unknown = errorAt(errors, "views[0].expectations.amount");
    assertThat(unknown.line()).isEqualTo(13);
    assertThat(unknown.message()).contains("no field \"amount\"").contains("its fields are");
    SpecError minMax = errorAt(errors, "views[0].expectations.price.min");
    assertThat(minMax.line()).isEqualTo(14);
    assertThat(minMax.message()).contains("min 10 is greater than max 1");
    SpecError rate = errorAt(errors, "views[0].expectations.dwell_ms.max_null_rate");
    assertThat(rate.line()).isEqualTo(15);
    assertThat(rate.message()).contains("[0, 1]");
    assertThat(errorAt(errors, "views[0].expectations.page.min").message())
        .contains("apply to numeric fields");
    assertThat(errorAt(errors, "views[0].expectations.score.minimum").message())
        .contains("did you mean min?");
  }

  @Test
  void featureExpectationsAreParsedPerFeature() {
    ViewSpec v =
        SpecParser.parse(
                SpecTestSupport.inlineFile(),
                oneView(
                        OK_FEATURE,
                        "{name: avg_price, agg: avg, field: price, window: 1h}",
                        "{name: last_page, agg: last, field: page, window: 1h}")
                    + """
                    feature_expectations:
                      avg_price: {min: 0, max: 500, max_null_rate: 0.05}
                      last_page: {allowed: [home, cart]}
                """)
            .views()
            .get(0);
    assertThat(v.featureExpectations())
        .containsExactly(
            new Expectation("avg_price", 0.0, 500.0, 0.05),
            new Expectation("last_page", null, null, null, List.of("home", "cart"), false));
    assertThat(v.expectations()).isEmpty();
  }

  @Test
  void featureExpectationRules() {
    String yaml =
        oneView(
                OK_FEATURE,
                "{name: avg_price, agg: avg, field: price, window: 1h}",
                "{name: last_page, agg: last, field: page, window: 1h}")
            + """
                feature_expectations:
                  avg_prise: {min: 0}
                  last_page: {min: 0}
                  n: {allowed: [a]}
                  avg_price: {max: 10, dead_letter: true}
                  price: {max_null_rate: 0.1}
            """;
    List<SpecError> errors = errors(yaml);
    assertThat(errors).hasSize(5);
    SpecError unknown = errorAt(errors, "views[0].feature_expectations.avg_prise");
    assertThat(unknown.line()).isEqualTo(15);
    assertThat(unknown.message())
        .contains("no feature \"avg_prise\" in this view")
        .contains("did you mean avg_price?")
        .contains("its features are: n, avg_price, last_page");
    assertThat(errorAt(errors, "views[0].feature_expectations.last_page.min").message())
        .contains("apply to numeric features")
        .contains("a string feature (last)");
    assertThat(errorAt(errors, "views[0].feature_expectations.n.allowed").message())
        .contains("allowed applies to string features")
        .contains("a long feature (count)");
    SpecError dead = errorAt(errors, "views[0].feature_expectations.avg_price.dead_letter");
    assertThat(dead.line()).isEqualTo(18);
    assertThat(dead.message()).contains("never dead-lettered").contains("remove dead_letter");
    assertThat(errorAt(errors, "views[0].feature_expectations.price").message())
        .contains("checks on source fields go under expectations:");
  }

  // ------------------------------------------------------------------ all at once

  @Test
  void severalErrorsAreAllReportedInFileOrder() {
    String yaml =
        SOURCE
            + "  allowed_lateness: ten minutes\n"
            + """
            views:
              - name: activity
                ttl: 1h
                features:
                  - name: clicks_1h
                    agg: count
                    window: 1h
                  - name: amount_sum_24h
                    agg: sum
                    field: amount
                    window: 24h
                  - name: Price-P95
                    agg: approx_percentile
                    field: price
                  - name: clicks_1h
                    agg: countt
                expectations:
                  price: {min: 5, max: 1}
            """;
    List<SpecError> errors = errors(yaml);
    assertThat(errors)
        .extracting(SpecError::line, SpecError::fieldPath)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(7, "source.allowed_lateness"),
            org.assertj.core.groups.Tuple.tuple(10, "views[0].ttl"),
            org.assertj.core.groups.Tuple.tuple(17, "views[0].features[1].field"),
            org.assertj.core.groups.Tuple.tuple(19, "views[0].features[2].q"),
            org.assertj.core.groups.Tuple.tuple(19, "views[0].features[2].name"),
            org.assertj.core.groups.Tuple.tuple(22, "views[0].features[3].name"),
            org.assertj.core.groups.Tuple.tuple(23, "views[0].features[3].agg"),
            org.assertj.core.groups.Tuple.tuple(25, "views[0].expectations.price.min"));
    assertThat(errors)
        .allSatisfy(e -> assertThat(e.file()).isEqualTo(SpecTestSupport.inlineFile()));
  }
}
