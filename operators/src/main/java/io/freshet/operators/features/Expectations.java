package io.freshet.operators.features;

import io.freshet.spec.Expectation;
import io.freshet.spec.ExpectationRule;
import io.freshet.spec.Expression;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ViewSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A spec's data expectations compiled into checks (plain Java, no Flink) on decoded events and on
 * the values of a view's updates: per record, a field's (or feature's) min, max and allowed values
 * and each cross-field rule; over each event-time period of its view, a field's null rate. A null
 * value passes min, max and allowed (the null rate watches nulls), and a rule with a null input is
 * not evaluated (it neither holds nor breaks).
 */
public final class Expectations implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * How the rules of checks on feature values start ({@code feature_min}, {@code
   * feature_max_null_rate}, ...), telling them from checks on a source field of the same name.
   */
  public static final String FEATURE_RULE_PREFIX = "feature_";

  /** What a check tests. */
  public enum Kind {
    MIN,
    MAX,
    ALLOWED,
    MAX_NULL_RATE,
    RULE
  }

  /** One check of one view. */
  public static final class Check implements Serializable {
    private static final long serialVersionUID = 1L;

    final String id;
    final String view;
    final String field;
    final String rule;
    final String expected;
    final Kind kind;
    final int fieldIndex;
    final double bound;
    final Set<String> allowed;
    final Expression expression;
    final int[] inputIndex;
    final boolean deadLetter;
    final long periodMillis;

    private Check(
        String view,
        String field,
        String rule,
        String expected,
        Kind kind,
        int fieldIndex,
        double bound,
        Set<String> allowed,
        Expression expression,
        int[] inputIndex,
        boolean deadLetter,
        long periodMillis) {
      this.id = view + ":" + (field == null ? "" : field) + ":" + rule;
      this.view = view;
      this.field = field;
      this.rule = rule;
      this.expected = expected;
      this.kind = kind;
      this.fieldIndex = fieldIndex;
      this.bound = bound;
      this.allowed = allowed;
      this.expression = expression;
      this.inputIndex = inputIndex;
      this.deadLetter = deadLetter;
      this.periodMillis = periodMillis;
    }

    public String id() {
      return id;
    }

    public String view() {
      return view;
    }

    /** The source field or feature, or null for a rule. */
    public String field() {
      return field;
    }

    /** Whether this checks a feature's value in a view's updates, not a source record. */
    public boolean onFeature() {
      return rule.startsWith(FEATURE_RULE_PREFIX);
    }

    /** The check's name in metrics: {@code field.rule}, or the rule alone. */
    public String label() {
      return (field == null ? "" : field + ".") + rule;
    }

    /** min, max, allowed, max_null_rate or rule:NAME. */
    public String rule() {
      return rule;
    }

    /** What the spec asks, for people: "&gt;= 0", "null rate &lt;= 0.02". */
    public String expected() {
      return expected;
    }

    public Kind kind() {
      return kind;
    }

    public boolean deadLetter() {
      return deadLetter;
    }

    public long periodMillis() {
      return periodMillis;
    }

    /** For MAX_NULL_RATE: the largest allowed rate. */
    public double maxRate() {
      return bound;
    }

    /**
     * What the record shows that counts as failing this check, or null: for MAX_NULL_RATE "null"
     * when the value is null, else {@link #broken}.
     */
    public String observe(List<Object> values) {
      if (kind == Kind.MAX_NULL_RATE) {
        return values.get(fieldIndex) == null ? "null" : null;
      }
      return broken(values);
    }

    /**
     * What the record shows that breaks this per-record check, or null when it holds (always null
     * for MAX_NULL_RATE).
     */
    public String broken(List<Object> values) {
      switch (kind) {
        case MIN, MAX -> {
          Object v = values.get(fieldIndex);
          if (v instanceof Number n) {
            double d = n.doubleValue();
            boolean bad = kind == Kind.MIN ? d < bound : d > bound;
            return bad ? String.valueOf(v) : null;
          }
          return null;
        }
        case ALLOWED -> {
          Object v = values.get(fieldIndex);
          return v == null || allowed.contains(v.toString()) ? null : "\"" + v + "\"";
        }
        case RULE -> {
          try {
            Object ok = expression.evaluate(i -> values.get(inputIndex[i]));
            return Boolean.FALSE.equals(ok) ? describe(values) : null;
          } catch (Expression.Failure e) {
            return "evaluation failed: " + e.getMessage() + " with " + describe(values);
          }
        }
        default -> {
          return null;
        }
      }
    }

    /** The rule's inputs as "name=value, ..." (names sorted). */
    private String describe(List<Object> values) {
      List<String> parts = new ArrayList<>();
      List<String> names = expression.inputs();
      for (int i = 0; i < inputIndex.length; i++) {
        parts.add(names.get(i) + "=" + values.get(inputIndex[i]));
      }
      return String.join(", ", parts);
    }
  }

  private final List<Check> checks;

  private Expectations(List<Check> checks) {
    this.checks = List.copyOf(checks);
  }

  /**
   * The checks of every view of the spec: on source fields, over events laid out by {@code fields},
   * and on feature values, over a view's update values.
   */
  public static Expectations of(FeatureSpec spec, SourceFields fields) {
    List<Check> out = new ArrayList<>();
    for (ViewSpec v : spec.views()) {
      long period = v.expectationPeriod().toMillis();
      for (Expectation e : v.expectations()) {
        fieldChecks(out, v.name(), e, fields.indexOf(e.field()), "", period);
      }
      for (ExpectationRule r : v.rules()) {
        List<String> inputs = r.expression().inputs();
        int[] idx = new int[inputs.size()];
        for (int i = 0; i < idx.length; i++) {
          idx[i] = fields.indexOf(inputs.get(i));
        }
        out.add(
            new Check(
                v.name(),
                null,
                "rule:" + r.name(),
                r.expression().text(),
                Kind.RULE,
                -1,
                0,
                null,
                r.expression(),
                idx,
                r.deadLetter(),
                period));
      }
      for (Expectation e : v.featureExpectations()) {
        fieldChecks(out, v.name(), e, v.indexOf(e.field()), FEATURE_RULE_PREFIX, period);
      }
    }
    return new Expectations(out);
  }

  /**
   * The per-record and null-rate checks of one source field or feature ({@code at}: its position in
   * the values checked), their rules named with {@code prefix}.
   */
  private static void fieldChecks(
      List<Check> out, String view, Expectation e, int at, String prefix, long period) {
    if (e.min() != null) {
      out.add(
          new Check(
              view,
              e.field(),
              prefix + "min",
              ">= " + num(e.min()),
              Kind.MIN,
              at,
              e.min(),
              null,
              null,
              null,
              e.deadLetter(),
              period));
    }
    if (e.max() != null) {
      out.add(
          new Check(
              view,
              e.field(),
              prefix + "max",
              "<= " + num(e.max()),
              Kind.MAX,
              at,
              e.max(),
              null,
              null,
              null,
              e.deadLetter(),
              period));
    }
    if (!e.allowed().isEmpty()) {
      out.add(
          new Check(
              view,
              e.field(),
              prefix + "allowed",
              "one of " + e.allowed(),
              Kind.ALLOWED,
              at,
              0,
              new HashSet<>(e.allowed()),
              null,
              null,
              e.deadLetter(),
              period));
    }
    if (e.maxNullRate() != null) {
      out.add(
          new Check(
              view,
              e.field(),
              prefix + "max_null_rate",
              "null rate <= " + num(e.maxNullRate()),
              Kind.MAX_NULL_RATE,
              at,
              e.maxNullRate(),
              null,
              null,
              null,
              false,
              period));
    }
  }

  private static String num(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15
        ? String.format(Locale.ROOT, "%d", (long) d)
        : String.valueOf(d);
  }

  /** Every check, on source fields and on feature values. */
  public List<Check> checks() {
    return checks;
  }

  /** The checks on source records (fields and rules), in the source's task. */
  public List<Check> sourceChecks() {
    return checks.stream().filter(c -> !c.onFeature()).toList();
  }

  /** The checks on the values of one view's features, on its updates. */
  public List<Check> featureChecks(String view) {
    return checks.stream().filter(c -> c.onFeature() && c.view.equals(view)).toList();
  }

  public boolean isEmpty() {
    return checks.isEmpty();
  }

  /** A check by id, or null. */
  public Check check(String id) {
    for (Check c : checks) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    return null;
  }
}
