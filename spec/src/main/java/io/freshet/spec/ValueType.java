package io.freshet.spec;

/**
 * The value types Freshet computes and stores. Avro int/long/timestamp map to {@link #LONG},
 * float/double to {@link #DOUBLE}, string/enum to {@link #STRING}.
 */
public enum ValueType {
  LONG,
  DOUBLE,
  STRING,
  BOOLEAN;

  public boolean isNumeric() {
    return this == LONG || this == DOUBLE;
  }
}
