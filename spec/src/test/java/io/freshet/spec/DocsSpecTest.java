package io.freshet.spec;

import static io.freshet.spec.SpecTestSupport.SOURCE;
import static io.freshet.spec.SpecTestSupport.errorAt;
import static io.freshet.spec.SpecTestSupport.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Views and features may carry a description, an owner and tags for discovery; they are not part of
 * any definition, so changing them leaves the spec version alone; malformed ones are errors with
 * their line and field.
 */
class DocsSpecTest {
  private static final String WITH_DOCS =
      SOURCE
          + """
          views:
            - name: v
              ttl: 30d
              description: Clicks per user, for ranking
              owner: ranking-team@example.com
              tags: [ranking, engagement, ranking]
              features:
                - {name: n, agg: count, window: 1h, description: clicks in the last hour, tags: [velocity]}
                - {name: m, agg: count, window: 1d}
          """;

  @Test
  void descriptionOwnerAndTagsAreReadForViewsAndFeatures() {
    FeatureSpec spec = SpecParser.parse(SpecTestSupport.inlineFile(), WITH_DOCS);
    ViewSpec v = spec.views().get(0);
    assertThat(v.docs().description()).isEqualTo("Clicks per user, for ranking");
    assertThat(v.docs().owner()).isEqualTo("ranking-team@example.com");
    assertThat(v.docs().tags()).containsExactly("ranking", "engagement");
    assertThat(v.docsOf("n").description()).isEqualTo("clicks in the last hour");
    assertThat(v.docsOf("n").tags()).containsExactly("velocity");
    assertThat(v.docsOf("m")).isEqualTo(Docs.NONE);
  }

  @Test
  void docsDoNotChangeTheSpecVersion() {
    FeatureSpec with = SpecParser.parse(SpecTestSupport.inlineFile(), WITH_DOCS);
    String without =
        WITH_DOCS
            .replace("    description: Clicks per user, for ranking\n", "")
            .replace("    owner: ranking-team@example.com\n", "")
            .replace("    tags: [ranking, engagement, ranking]\n", "")
            .replace(", description: clicks in the last hour, tags: [velocity]", "");
    FeatureSpec plain = SpecParser.parse(SpecTestSupport.inlineFile(), without);
    assertThat(plain.views().get(0).docs()).isEqualTo(Docs.NONE);
    assertThat(with.views().get(0).version(with.source()))
        .isEqualTo(plain.views().get(0).version(plain.source()));
  }

  @Test
  void malformedDocsAreErrorsWithTheirField() {
    String yaml =
        WITH_DOCS
            .replace("tags: [ranking, engagement, ranking]", "tags: ranking")
            .replace("description: clicks in the last hour", "description: [a, b]");
    List<SpecError> errors = errors(yaml);
    assertThat(errorAt(errors, "views[0].tags").message()).contains("tags is a list");
    assertThat(errorAt(errors, "views[0].features[0].description").message())
        .contains("must be a single value");
    assertThat(errorAt(errors, "views[0].tags").line()).isEqualTo(12);
  }
}
