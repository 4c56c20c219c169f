package io.freshet.spec;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The "did you mean ..." of spec errors: from a word the user wrote, the one Freshet wants, by a
 * known alias, a near spelling or a containing name. Suggests nothing rather than something far.
 * Other modules' messages (e.g. the feature server's) use {@link #closest} for the same rule.
 */
public final class Suggestions {

  /** Words people write for a key, mapped to the key Freshet wants. */
  static final Map<String, String> KEY_ALIASES =
      Map.ofEntries(
          Map.entry("aggregation", "agg"),
          Map.entry("aggregate", "agg"),
          Map.entry("function", "agg"),
          Map.entry("type", "agg"),
          Map.entry("quantile", "q"),
          Map.entry("percentile", "q"),
          Map.entry("key", "entity"),
          Map.entry("entity_key", "entity"),
          Map.entry("timestamp", "event_time"),
          Map.entry("time", "event_time"),
          Map.entry("lateness", "allowed_lateness"),
          Map.entry("watermark", "max_out_of_orderness"),
          Map.entry("out_of_orderness", "max_out_of_orderness"),
          Map.entry("idleness", "idle_timeout"),
          Map.entry("window_size", "window"),
          Map.entry("tile_size", "tile"),
          Map.entry("expire", "ttl"),
          Map.entry("expectation", "expectations"),
          Map.entry("feature", "features"),
          Map.entry("view", "views"),
          Map.entry("null_rate", "max_null_rate"),
          Map.entry("minimum", "min"),
          Map.entry("maximum", "max"));

  /** Words people write for an aggregation, mapped to Freshet's name. */
  static final Map<String, String> AGGREGATION_ALIASES =
      Map.ofEntries(
          Map.entry("mean", "avg"),
          Map.entry("average", "avg"),
          Map.entry("total", "sum"),
          Map.entry("latest", "last"),
          Map.entry("earliest", "first"),
          Map.entry("percentile", "approx_percentile"),
          Map.entry("quantile", "approx_percentile"),
          Map.entry("p95", "approx_percentile"),
          Map.entry("count_distinct", "approx_count_distinct"),
          Map.entry("distinct_count", "approx_count_distinct"),
          Map.entry("distinct", "approx_count_distinct"),
          Map.entry("ewma", "decayed_sum"),
          Map.entry("decay", "decayed_sum"),
          Map.entry("stddev_pop", "stddev"),
          Map.entry("std", "stddev"),
          Map.entry("standard_deviation", "stddev"),
          Map.entry("var_pop", "variance"),
          Map.entry("var", "variance"));

  private Suggestions() {}

  /** The candidate that {@code given} probably misspells (a near spelling or a containing name). */
  public static Optional<String> closest(String given, List<String> candidates) {
    return suggestion(given, candidates, Map.of());
  }

  /** As {@link #closest(String, List)}, first looking {@code given} up in known aliases. */
  public static Optional<String> closest(
      String given, List<String> candidates, Map<String, String> aliases) {
    return suggestion(given, candidates, aliases);
  }

  /** A " (did you mean x?)" hint, or empty. */
  static String didYouMean(String given, List<String> candidates, Map<String, String> aliases) {
    return didYouMean(suggestion(given, candidates, aliases));
  }

  /** A " (did you mean x?)" hint for a suggestion, or empty if there is none. */
  static String didYouMean(Optional<String> suggestion) {
    return suggestion.map(c -> " (did you mean " + c + "?)").orElse("");
  }

  /**
   * The candidate the user probably meant: a known alias, a near spelling, or a containing name.
   */
  static Optional<String> suggestion(
      String given, List<String> candidates, Map<String, String> aliases) {
    String g = given.toLowerCase(Locale.ROOT);
    String alias = aliases.get(g);
    if (alias != null && candidates.contains(alias)) {
      return Optional.of(alias);
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = levenshtein(g, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    if (best != null && bestDistance <= Math.max(1, Math.min(3, g.length() / 3))) {
      return Optional.of(best);
    }
    if (g.length() >= 4) {
      for (String c : candidates) {
        if (c.contains(g) || (g.contains(c) && c.length() >= 4)) {
          return Optional.of(c);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * A valid name ({@link SpecParser#NAME}) close to an invalid one, e.g. amount_sum for Amount-Sum.
   */
  static String suggestName(String name) {
    String s =
        name.trim()
            .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9_]+", "_")
            .replaceAll("^[^a-z]+", "");
    return s.isEmpty() ? "my_feature" : s;
  }

  private static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] tmp = prev;
      prev = cur;
      cur = tmp;
    }
    return prev[b.length()];
  }
}
