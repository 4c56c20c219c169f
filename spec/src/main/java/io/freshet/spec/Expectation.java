package io.freshet.spec;

/**
 * Data expectations for one source field, checked by the monitoring path.
 *
 * @param field the source field
 * @param min smallest allowed value, or null
 * @param max largest allowed value, or null
 * @param maxNullRate largest allowed fraction of null values in [0, 1], or null
 */
public record Expectation(String field, Double min, Double max, Double maxNullRate)
    implements java.io.Serializable {}
