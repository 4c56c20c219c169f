package io.freshet.spec;

import java.util.Locale;
import java.util.Optional;

/** The aggregations a feature can declare, by their spec name ({@code agg:}). */
public enum Aggregation {
  COUNT("count"),
  SUM("sum"),
  AVG("avg"),
  MIN("min"),
  MAX("max"),
  FIRST("first"),
  LAST("last"),
  APPROX_COUNT_DISTINCT("approx_count_distinct"),
  APPROX_PERCENTILE("approx_percentile"),
  DECAYED_SUM("decayed_sum"),
  /** Population variance (as SQL's VAR_POP): the mean squared deviation from the mean. */
  VARIANCE("variance"),
  /** Population standard deviation (as SQL's STDDEV_POP): the square root of {@link #VARIANCE}. */
  STDDEV("stddev");

  private final String specName;

  Aggregation(String specName) {
    this.specName = specName;
  }

  public String specName() {
    return specName;
  }

  /** Whether the aggregation reads a field ({@code count} does not). */
  public boolean needsField() {
    return AggregationRules.of(this).field() != AggregationRules.FieldKind.NONE;
  }

  /** Whether the field must be numeric. */
  public boolean needsNumericField() {
    return AggregationRules.of(this).field() == AggregationRules.FieldKind.NUMERIC;
  }

  /** Whether the field must be numeric or a timestamp (ordered). */
  public boolean needsOrderedField() {
    return AggregationRules.of(this).field() == AggregationRules.FieldKind.ORDERED;
  }

  /**
   * How far, relative to the exact answer, a value of this aggregation may be from a recomputation
   * from raw events (docs/semantics.md): {@code approx_percentile} within 1% beyond its exact
   * limit, {@code approx_count_distinct} within five standard errors of its sketch (8%); 0 for the
   * exact aggregations.
   */
  public double relativeAccuracy() {
    return switch (this) {
      case APPROX_PERCENTILE -> 0.01;
      case APPROX_COUNT_DISTINCT -> 0.08;
      default -> 0;
    };
  }

  /** The type of this aggregation's value, given the type of its input field. */
  public ValueType outputType(ValueType input) {
    return switch (this) {
      case COUNT, APPROX_COUNT_DISTINCT -> ValueType.LONG;
      case SUM -> input == ValueType.LONG ? ValueType.LONG : ValueType.DOUBLE;
      case AVG, APPROX_PERCENTILE, DECAYED_SUM, VARIANCE, STDDEV -> ValueType.DOUBLE;
      case MIN, MAX, FIRST, LAST -> input;
    };
  }

  public static Optional<Aggregation> fromSpecName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Aggregation a : values()) {
      if (a.specName.equals(n)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
