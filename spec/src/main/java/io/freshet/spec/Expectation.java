package io.freshet.spec;

import java.util.List;

/**
 * Data expectations for one source field, checked by the running job on every record (min, max,
 * allowed) and over each event-time period of the view (the null rate).
 *
 * @param field the source field
 * @param min smallest allowed value, or null
 * @param max largest allowed value, or null
 * @param maxNullRate largest allowed fraction of null values in [0, 1], or null
 * @param allowed the values a string field may take (empty: any)
 * @param deadLetter records that break min, max or allowed go to the dead letters (reason
 *     EXPECTATION) instead of being processed
 */
public record Expectation(
    String field,
    Double min,
    Double max,
    Double maxNullRate,
    List<String> allowed,
    boolean deadLetter)
    implements java.io.Serializable {

  public Expectation {
    allowed = List.copyOf(allowed);
  }

  /** Range and null-rate checks only, counted, never dead-lettered. */
  public Expectation(String field, Double min, Double max, Double maxNullRate) {
    this(field, min, max, maxNullRate, List.of(), false);
  }
}
