package io.freshet.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Request parsing: both forms, the columns they read, and the configurable entity limit. */
class FeatureRequestTest {
  private static final ViewCatalog CATALOG =
      new ViewCatalog(List.of(TestSpecs.RISK, TestSpecs.PROFILE));

  private static FeatureRequest parse(String json, int max) {
    return FeatureRequest.parse(json.getBytes(StandardCharsets.UTF_8), CATALOG, max);
  }

  @Test
  void aWholeViewReadsEveryFeatureInTheViewsOrder() {
    FeatureRequest r = parse("{\"view\": \"profile\", \"entities\": [\"a\", \"b\", \"a\"]}", 10);
    assertThat(r.entities()).containsExactly("a", "b", "a");
    assertThat(r.distinctEntities()).containsExactly("a", "b");
    assertThat(r.columns())
        .containsExactly(
            new FeatureRequest.Column("merchants_30d", "profile", 0),
            new FeatureRequest.Column("first_country", "profile", 1));
    assertThat(r.views()).containsExactly("profile");
  }

  @Test
  void acrossViewsEachColumnNamesItsView() {
    FeatureRequest r =
        parse(
            "{\"entities\": [12345678901234567890, \"x\"], \"features\": [\"risk:last_country\","
                + " \"profile:first_country\", \"risk:txn_count_1h\"]}",
            10);
    assertThat(r.entities()).containsExactly("12345678901234567890", "x");
    assertThat(r.columns())
        .containsExactly(
            new FeatureRequest.Column("risk:last_country", "risk", 3),
            new FeatureRequest.Column("profile:first_country", "profile", 1),
            new FeatureRequest.Column("risk:txn_count_1h", "risk", 0));
    assertThat(r.views()).containsExactly("risk", "profile");
  }

  @Test
  void theEntityLimitIsTheServersSetting() {
    assertThat(parse("{\"view\": \"risk\", \"entities\": [\"a\", \"b\"]}", 2).entities())
        .hasSize(2);
    assertThatThrownBy(() -> parse("{\"view\": \"risk\", \"entities\": [\"a\", \"b\", \"c\"]}", 2))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("too_many_entities");
            })
        .hasMessage(
            "3 entities in one request; the limit is 2: split them into requests of at most 2"
                + " (the server's --max-entities)");
  }
}
