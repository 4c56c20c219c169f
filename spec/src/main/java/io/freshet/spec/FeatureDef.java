package io.freshet.spec;

import java.time.Duration;
import java.util.Objects;

/**
 * One feature of a view.
 *
 * @param name feature name, unique in its view
 * @param aggregation what is computed
 * @param field the source field read, or null for {@code count}
 * @param inputType the field's value type (LONG for {@code count})
 * @param window the sliding window length, or null for a lifetime feature
 * @param tile the tile size g (window is a multiple of it), or null for a lifetime feature
 * @param quantile q in [0, 1] for {@code approx_percentile}, else null
 * @param halfLife half life for {@code decayed_sum}, else null
 */
public record FeatureDef(
    String name,
    Aggregation aggregation,
    String field,
    ValueType inputType,
    Duration window,
    Duration tile,
    Double quantile,
    Duration halfLife)
    implements java.io.Serializable {

  public FeatureDef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(aggregation, "aggregation");
    Objects.requireNonNull(inputType, "inputType");
    if ((window == null) != (tile == null)) {
      throw new IllegalArgumentException("window and tile are given together: " + name);
    }
  }

  public ValueType outputType() {
    return aggregation.outputType(inputType);
  }

  public boolean isLifetime() {
    return window == null;
  }

  public long windowMillis() {
    return window == null ? Long.MAX_VALUE : window.toMillis();
  }

  public long tileMillis() {
    return tile == null ? Long.MAX_VALUE : tile.toMillis();
  }

  /**
   * The definition for people: the aggregation and its field, then its window, tile and parameters,
   * e.g. {@code sum(amount) window=24h tile=15m} or {@code last(country)}.
   */
  public String summary() {
    StringBuilder sb = new StringBuilder(aggregation.specName());
    if (field != null) {
      sb.append('(').append(field).append(')');
    }
    if (window != null) {
      sb.append(" window=").append(Durations.format(window));
      sb.append(" tile=").append(Durations.format(tile));
    }
    if (quantile != null) {
      sb.append(" q=").append(quantile);
    }
    if (halfLife != null) {
      sb.append(" half_life=").append(Durations.format(halfLife));
    }
    return sb.toString();
  }

  /** A canonical text of the definition, hashed into the view's spec version. */
  public String canonical() {
    return name + "|" + definition();
  }

  /**
   * What the feature computes, without its name: two features with the same definition compute the
   * same values. Saved state keeps it per feature, so that a restore can tell a changed definition
   * from a moved or renamed feature.
   */
  public String definition() {
    return aggregation.specName()
        + "|"
        + field
        + "|"
        + inputType
        + "|"
        + (window == null ? "-" : window.toMillis())
        + "|"
        + (tile == null ? "-" : tile.toMillis())
        + "|"
        + quantile
        + "|"
        + (halfLife == null ? "-" : halfLife.toMillis());
  }
}
