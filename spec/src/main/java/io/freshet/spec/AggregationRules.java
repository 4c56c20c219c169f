package io.freshet.spec;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;

/**
 * What each aggregation takes besides a name and a window: whether it reads a field and of which
 * type, and which parameters of its own ({@code q}, {@code half_life}) it requires. {@link #of} is
 * one exhaustive switch over {@link Aggregation}, so a new aggregation does not compile until its
 * rule is written there; every other key is refused on it with a message naming its owner.
 */
final class AggregationRules {

  /** The source field an aggregation reads. */
  enum FieldKind {
    /** Reads no field: counts events. */
    NONE,
    /** Any readable type (see {@link AvroTypes#valueType}). */
    ANY,
    /** A numeric field (int, long, float, double or a timestamp), summed or ranked. */
    NUMERIC,
    /** A field with an order, compared but not summed; today the numeric types too. */
    ORDERED;

    /** Whether a field of this type can be read. */
    boolean accepts(ValueType type) {
      return switch (this) {
        case NONE, ANY -> true;
        case NUMERIC, ORDERED -> type.isNumeric();
      };
    }
  }

  /** A key of a feature that only some aggregations take. */
  enum Param {
    Q("q", "the quantile in (0, 1), e.g. q: 0.95 for the 95th percentile"),
    HALF_LIFE("half_life", "e.g. half_life: 1h (each event's weight halves then)");

    final String key;

    /** How to write it, for the message when it is missing. */
    final String hint;

    Param(String key, String hint) {
      this.key = key;
      this.hint = hint;
    }

    /** The aggregations that take it, as a message names them. */
    String owners() {
      return Arrays.stream(Aggregation.values())
          .filter(a -> of(a).params().contains(this))
          .map(Aggregation::specName)
          .collect(Collectors.joining(" or "));
    }
  }

  /**
   * One aggregation's rule.
   *
   * @param field the field it reads
   * @param params the parameters it requires; it takes no others
   */
  record Rule(FieldKind field, Set<Param> params) {}

  /** The values of an aggregation's parameters, null for those it does not take. */
  record Params(Double quantile, Duration halfLife) {}

  private final YamlWalker in;

  AggregationRules(YamlWalker in) {
    this.in = in;
  }

  /** The rule of an aggregation; {@link Aggregation}'s needs*Field answers come from here. */
  static Rule of(Aggregation agg) {
    return switch (agg) {
      case COUNT -> new Rule(FieldKind.NONE, Set.of());
      case SUM, AVG, VARIANCE, STDDEV -> new Rule(FieldKind.NUMERIC, Set.of());
      case MIN, MAX -> new Rule(FieldKind.ORDERED, Set.of());
      case FIRST, LAST, APPROX_COUNT_DISTINCT -> new Rule(FieldKind.ANY, Set.of());
      case APPROX_PERCENTILE -> new Rule(FieldKind.NUMERIC, Set.of(Param.Q));
      case DECAYED_SUM -> new Rule(FieldKind.NUMERIC, Set.of(Param.HALF_LIFE));
    };
  }

  /** The aggregations' spec names, in declaration order. */
  static List<String> specNames() {
    return Arrays.stream(Aggregation.values()).map(Aggregation::specName).toList();
  }

  /**
   * Reads the parameters of a feature's aggregation: each one it takes is required and checked,
   * each one it does not take is refused. Null after reporting any problem.
   */
  Params params(Aggregation agg, YamlWalker.Fields f, String path) {
    Set<Param> takes = of(agg).params();
    boolean ok = true;
    Double q = null;
    if (takes.contains(Param.Q)) {
      q = quantile(f.required(Param.Q.key, Param.Q.hint), path + ".q");
      ok &= q != null;
    } else {
      ok &= refused(Param.Q, agg, f, path);
    }
    Duration halfLife = null;
    if (takes.contains(Param.HALF_LIFE)) {
      Node n = f.required(Param.HALF_LIFE.key, Param.HALF_LIFE.hint);
      halfLife = in.duration(n, path + ".half_life", true);
      ok &= halfLife != null;
    } else {
      ok &= refused(Param.HALF_LIFE, agg, f, path);
    }
    return ok ? new Params(q, halfLife) : null;
  }

  /** A quantile strictly between 0 and 1, or null after reporting it. */
  private Double quantile(Node n, String path) {
    Double q = in.number(n, path);
    if (q != null && !(q > 0 && q < 1)) {
      String text = YamlWalker.scalarText(n);
      in.error(
          n,
          path,
          "q must be strictly between 0 and 1, e.g. 0.5 for the median or 0.95 for p95; got "
              + text
              + (q > 1 && q < 100
                  ? " (for the " + text + "th percentile write q: " + q / 100 + ")"
                  : ""));
      return null;
    }
    return q;
  }

  /** Whether a parameter the aggregation does not take is absent; reports it if present. */
  private boolean refused(Param p, Aggregation agg, YamlWalker.Fields f, String path) {
    if (f.get(p.key) == null) {
      return true;
    }
    in.error(
        f.keyNode(p.key),
        path + "." + p.key,
        p.key + " is only for agg: " + p.owners() + "; remove it from this " + agg.specName());
    return false;
  }
}
