package io.freshet.state.agg;

import io.freshet.spec.FeatureDef;
import io.freshet.spec.ValueType;

/** Creates the empty partial aggregate of a feature. */
public final class Partials {
  private Partials() {}

  public static Partial create(FeatureDef f) {
    boolean isLong = f.inputType() == ValueType.LONG;
    return switch (f.aggregation()) {
      case COUNT -> new CountPartial();
      case SUM -> isLong ? new SumLongPartial() : new SumDoublePartial();
      case AVG -> new AvgPartial();
      case MIN -> isLong ? new ExtremumLongPartial(false) : new ExtremumDoublePartial(false);
      case MAX -> isLong ? new ExtremumLongPartial(true) : new ExtremumDoublePartial(true);
      case FIRST -> new FirstLastPartial(false);
      case LAST -> new FirstLastPartial(true);
      case APPROX_COUNT_DISTINCT -> new DistinctPartial();
      case APPROX_PERCENTILE -> new PercentilePartial(f.quantile());
      case DECAYED_SUM -> new DecayedSumPartial(f.halfLife().toMillis());
      case VARIANCE -> new VariancePartial(false);
      case STDDEV -> new VariancePartial(true);
    };
  }
}
