package io.freshet.spec;

import static io.freshet.spec.SpecTestSupport.SOURCE;
import static io.freshet.spec.SpecTestSupport.errorAt;
import static io.freshet.spec.SpecTestSupport.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Request-time features: declared with the fields a read passes, compiled (CEL) when the spec
 * parses, so a mistake is an error with its line, field and column; evaluated by the rules the docs
 * give (a null input gives null, an error or a non-finite result fails).
 */
class RequestFeatureSpecTest {
  /** The first request feature is on line 15. */
  private static final String SPEC =
      SOURCE
          + """
          views:
            - name: v
              ttl: 30d
              features:
                - {name: n, agg: count, window: 1h}
                - {name: avg_price, agg: avg, field: price, window: 1d}
              request_fields: {price: double, country: string, items: long}
              request_features:
                - {name: price_vs_avg, expr: "price / avg_price", description: this payment against the day}
                - {name: per_item, expr: "items == 0 ? 0 : n / items"}
                - {name: big, expr: "price > 100 && country != 'DE'"}
          """;

  private static ViewSpec view(String yaml) {
    return SpecParser.parse(SpecTestSupport.inlineFile(), yaml).views().get(0);
  }

  @Test
  void requestFeaturesAreReadWithTheirTypesAndInputs() {
    ViewSpec v = view(SPEC);
    assertThat(v.requestFields())
        .containsExactly(
            Map.entry("price", ValueType.DOUBLE),
            Map.entry("country", ValueType.STRING),
            Map.entry("items", ValueType.LONG));
    assertThat(v.requestFeatures())
        .extracting(RequestFeature::name)
        .containsExactly("price_vs_avg", "per_item", "big");
    assertThat(v.requestFeatures())
        .extracting(RequestFeature::type)
        .containsExactly(ValueType.DOUBLE, ValueType.LONG, ValueType.BOOLEAN);
    assertThat(v.requestFeature("price_vs_avg").expression().inputs())
        .containsExactly("avg_price", "price");
    assertThat(v.requestFeature("price_vs_avg").docs().description())
        .isEqualTo("this payment against the day");
  }

  @Test
  void requestFeaturesDoNotChangeTheViewVersion() {
    FeatureSpec with = SpecParser.parse(SpecTestSupport.inlineFile(), SPEC);
    String plain = SPEC.substring(0, SPEC.indexOf("    request_fields"));
    FeatureSpec without = SpecParser.parse(SpecTestSupport.inlineFile(), plain);
    assertThat(with.views().get(0).version(with.source()))
        .isEqualTo(without.views().get(0).version(without.source()));
  }

  @Test
  void mistakesAreErrorsWithLineFieldAndColumn() {
    List<SpecError> errors = errors(SPEC.replace("price / avg_price", "price / avg_prise"));
    SpecError unknown = errorAt(errors, "views[0].request_features[0].expr");
    assertThat(unknown.line()).isEqualTo(15);
    assertThat(unknown.message())
        .contains("column 9")
        .contains("undeclared reference to 'avg_prise'")
        .contains("avg_price");
    // a bad field type is reported; the expressions wait for a valid set of inputs
    assertThat(
            errorAt(
                    errors(SPEC.replace("country: string", "country: text")),
                    "views[0].request_fields.country")
                .message())
        .contains("unknown type \"text\"")
        .contains("long, double, string or boolean");
  }

  @Test
  void typeMismatchAndNameClashesAreErrors() {
    List<SpecError> mixed = errors(SPEC.replace("n / items", "n / price"));
    assertThat(errorAt(mixed, "views[0].request_features[1].expr").message())
        .contains("no matching overload");
    List<SpecError> fieldClash = errors(SPEC.replace("items: long", "avg_price: long"));
    assertThat(errorAt(fieldClash, "views[0].request_fields.avg_price").message())
        .contains("stored feature");
    List<SpecError> clash = errors(SPEC.replace("{name: big,", "{name: n,"));
    assertThat(errorAt(clash, "views[0].request_features[2].name").message())
        .contains("already a stored feature");
    List<SpecError> notValue = errors(SPEC.replace("price > 100 && country != 'DE'", "[price]"));
    assertThat(errorAt(notValue, "views[0].request_features[2].expr").message())
        .contains("must give an int, double, string or bool");
    List<SpecError> twice = errors(SPEC.replace("{name: big,", "{name: per_item,"));
    assertThat(errorAt(twice, "views[0].request_features[2].name").message())
        .isEqualTo("duplicate request feature \"per_item\" (first declared on line 16)");
    List<SpecError> fieldTwice = errors(SPEC.replace("items: long}", "items: long, price: long}"));
    assertThat(errorAt(fieldTwice, "views[0].request_fields.price").message())
        .isEqualTo("duplicate request field \"price\" (first declared on line 13)");
  }

  @Test
  void aNullInputGivesNullAndErrorsOrNonFiniteResultsFail() throws Exception {
    ViewSpec v = view(SPEC);
    Expression ratio = v.requestFeature("price_vs_avg").expression();
    Expression perItem = v.requestFeature("per_item").expression();
    Expression big = v.requestFeature("big").expression();
    Map<String, Object> in = new HashMap<>();
    in.put("n", 6L);
    in.put("avg_price", 20.0);
    in.put("price", 50.0);
    in.put("items", 3L);
    in.put("country", "FR");
    assertThat(ratio.evaluate(in)).isEqualTo(2.5);
    assertThat(perItem.evaluate(in)).isEqualTo(2L);
    assertThat(big.evaluate(in)).isEqualTo(false);
    in.put("price", 150.0);
    assertThat(big.evaluate(in)).isEqualTo(true);
    in.put("items", 0L);
    assertThat(perItem.evaluate(in)).isEqualTo(0L);
    in.put("avg_price", 0.0);
    assertThatThrownBy(() -> ratio.evaluate(in))
        .isInstanceOf(Expression.Failure.class)
        .hasMessageContaining("Infinity");
    in.put("avg_price", null);
    assertThat(ratio.evaluate(in)).isNull();
    in.remove("price");
    assertThat(big.evaluate(in)).isNull();
    Expression intDivision = Expression.compile("n / items", v.expressionInputs());
    assertThatThrownBy(() -> intDivision.evaluate(Map.of("n", 1L, "items", 0L)))
        .isInstanceOf(Expression.Failure.class)
        .hasMessageContaining("by zero");
  }

  @Test
  void anExpressionTravelsSerializedAndEvaluatesTheSameThere() throws Exception {
    Expression e = view(SPEC).requestFeature("price_vs_avg").expression();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(e);
    }
    Expression back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (Expression) in.readObject();
    }
    assertThat(back).isEqualTo(e);
    assertThat(back.evaluate(Map.of("price", 9.0, "avg_price", 3.0))).isEqualTo(3.0);
  }

  @Test
  void callersValuesAreCoercedToTheDeclaredTypeOrRefusedWithWhatWasExpected() {
    assertThat(Expression.coerce(ValueType.DOUBLE, 3)).isEqualTo(3.0);
    assertThat(Expression.coerce(ValueType.LONG, 4.0)).isEqualTo(4L);
    assertThatThrownBy(() -> Expression.coerce(ValueType.LONG, 4.5))
        .hasMessageContaining("expected an integer, got 4.5");
    assertThatThrownBy(() -> Expression.coerce(ValueType.DOUBLE, "x"))
        .hasMessageContaining("expected a number, got \"x\"");
  }

  @Test
  void aRequestIsCheckedAgainstTheViewsFieldsWhetherGivenAsValuesOrAsText() {
    Map<String, ValueType> fields = view(SPEC).requestFields();
    assertThat(RequestFeatures.requestValues("v", fields, Map.of("price", 3, "country", "DE")))
        .isEqualTo(Map.of("price", 3.0, "country", "DE"));
    assertThat(
            RequestFeatures.parseRequestValues(
                "v", fields, Map.of("price", "120.5", "items", "2", "country", "FR")))
        .isEqualTo(Map.of("price", 120.5, "items", 2L, "country", "FR"));
    String unknown =
        "view 'v' has no request field 'prize'; its request fields are [price, country, items]";
    assertThatThrownBy(() -> RequestFeatures.requestValues("v", fields, Map.of("prize", 3.0)))
        .hasMessage(unknown);
    assertThatThrownBy(() -> RequestFeatures.parseRequestValues("v", fields, Map.of("prize", "3")))
        .hasMessage(unknown);
    assertThatThrownBy(() -> RequestFeatures.parseRequestValues("v", fields, Map.of("items", "x")))
        .hasMessageStartingWith("request field 'items' of view 'v': ");
  }
}
