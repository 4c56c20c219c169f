package io.freshet.operators;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.ViewEngine;
import org.junit.jupiter.api.Test;

/**
 * Feature maths is plain Java: the engine, the oracle, the partial aggregates and the view state
 * import nothing from Flink, so that the same code runs in streaming, backfills and tests. Only
 * {@code io.freshet.state.flink} and {@code io.freshet.operators.flink} may touch Flink.
 */
class ArchitectureTest {
  private static final String[] PLAIN_JAVA = {
    "io.freshet.operators.features..", "io.freshet.state.agg..", "io.freshet.state"
  };

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(new ImportOption.DoNotIncludeTests())
          .importPackages("io.freshet.operators", "io.freshet.state");

  static final ArchRule FEATURE_MATHS_HAS_NO_FLINK_DEPENDENCY =
      noClasses()
          .that()
          .resideInAnyPackage(PLAIN_JAVA)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.flink..")
          .because("feature maths is plain Java, shared by streaming, backfill and tests")
          .allowEmptyShould(false);

  @Test
  void featureMathsDependsOnNoFlinkClass() {
    FEATURE_MATHS_HAS_NO_FLINK_DEPENDENCY.check(CLASSES);
  }

  /**
   * The oracle restates the definitions (value order, distinct values, quantile rank) instead of
   * calling the implementation's, so that a bug there cannot hide in both.
   */
  static final ArchRule THE_ORACLE_SHARES_NO_CODE_WITH_THE_ENGINE =
      noClasses()
          .that()
          .belongToAnyOf(NaiveOracle.class)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.freshet.state..")
          .orShould()
          .dependOnClassesThat()
          .belongToAnyOf(ViewEngine.class)
          .because("an oracle that calls the code it checks cannot see that code's bugs");

  @Test
  void theOracleSharesNoCodeWithTheEngine() {
    THE_ORACLE_SHARES_NO_CODE_WITH_THE_ENGINE.check(CLASSES);
  }

  @Test
  void theRuleSeesEveryPackageItGuards() {
    for (String pkg :
        new String[] {
          "io.freshet.operators.features", "io.freshet.state.agg", "io.freshet.state"
        }) {
      assertThat(CLASSES.stream().filter(c -> c.getPackageName().equals(pkg)))
          .as("classes imported from %s", pkg)
          .isNotEmpty();
    }
    assertThat(CLASSES.contain("io.freshet.operators.features.ViewEngine")).isTrue();
    assertThat(CLASSES.contain("io.freshet.state.agg.PartialCodec")).isTrue();
    assertThat(CLASSES.contain("io.freshet.state.StateCodec")).isTrue();
    assertThat(CLASSES.contain(TestSpecs.class)).as("tests are not imported").isFalse();
  }

  @Test
  void theRuleWouldCatchAFlinkDependency() {
    // The Flink adapters do depend on Flink: the rule, pointed at them, must report it.
    ArchRule adapters =
        noClasses()
            .that()
            .resideInAnyPackage("io.freshet.state.flink..", "io.freshet.operators.flink..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.apache.flink..");
    assertThat(adapters.evaluate(CLASSES).hasViolation()).isTrue();
  }
}
