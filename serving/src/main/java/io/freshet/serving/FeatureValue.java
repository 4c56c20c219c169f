package io.freshet.serving;

import io.freshet.spec.ValueType;
import java.time.Duration;

/**
 * One served feature: its value (null unless {@link FeatureStatus#PRESENT}), status and age.
 *
 * @param age how old the newest event behind the value is ({@code now - last_event_time}); null
 *     when the entity has no row
 */
public record FeatureValue(
    String name, ValueType type, Object value, FeatureStatus status, Duration age) {

  public boolean isPresent() {
    return status == FeatureStatus.PRESENT;
  }

  /** The value as a Long; null unless present. */
  public Long asLong() {
    return value == null ? null : ((Number) value).longValue();
  }

  /** The value as a Double (longs widen); null unless present. */
  public Double asDouble() {
    return value == null ? null : ((Number) value).doubleValue();
  }

  public String asString() {
    return value == null ? null : value.toString();
  }

  public Boolean asBoolean() {
    return (Boolean) value;
  }
}
