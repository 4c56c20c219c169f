package io.freshet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.FeatureDef;
import org.assertj.core.data.Offset;

/**
 * A feature value against the naive oracle's recomputation from raw events ({@code NaiveOracle}):
 * equal, a double within a tolerance for the order in which sums are added. Two tolerances: {@link
 * #assertSame} for values that went through a job and a store (the engine merges tiles, the oracle
 * adds events one by one), {@link #assertSameTight} for the engine against the oracle in one
 * process.
 */
public final class OracleAsserts {
  private OracleAsserts() {}

  /** Equal; a double within 1e-6 (absolute) of the oracle's. */
  public static void assertSame(String what, Object actual, Object expected) {
    if (expected instanceof Double d && actual instanceof Double a) {
      assertThat(a).as(what).isCloseTo(d, Offset.offset(1e-6));
    } else {
      assertThat(actual).as(what).isEqualTo(expected);
    }
  }

  /** Equal; a double within 1e-9 relative (1e-9 absolute below 1) of the oracle's. */
  public static void assertSameTight(String what, Object actual, Object expected) {
    if (expected instanceof Double d && actual instanceof Double a) {
      assertThat(a).as(what).isCloseTo(d, Offset.offset(1e-9 * Math.max(1, Math.abs(d))));
    } else {
      assertThat(actual).as(what).isEqualTo(expected);
    }
  }

  /**
   * The job's value against the oracle's exact one, within the documented bound of its feature:
   * {@code approx_percentile} beyond its exact limit within 1% (relative) of the exact quantile,
   * {@code approx_count_distinct} beyond its exact limit within five standard errors (8%); every
   * other feature as {@link #assertSame}.
   */
  public static void assertFeature(FeatureDef f, String what, Object actual, Object expected) {
    double bound = f.aggregation().relativeAccuracy();
    if (bound > 0 && expected instanceof Number e && actual instanceof Number a) {
      double tolerance = bound * Math.abs(e.doubleValue()) + 1e-9;
      assertThat(a.doubleValue()).as(what).isCloseTo(e.doubleValue(), Offset.offset(tolerance));
    } else {
      assertSame(what, actual, expected);
    }
  }
}
