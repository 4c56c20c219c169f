package io.freshet.spec;

/**
 * A cross-field expectation on source fields, e.g. {@code billing_country == card_country}: a CEL
 * expression giving a bool, true when the record is as expected.
 *
 * @param name names the rule in violations and metrics
 * @param expression the condition over the source fields
 * @param deadLetter records that break it go to the dead letters (reason EXPECTATION) instead of
 *     being processed
 */
public record ExpectationRule(String name, Expression expression, boolean deadLetter)
    implements java.io.Serializable {}
