package io.freshet.spec;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of specs: a whole number and a unit, one of {@code ms}, {@code s}, {@code m},
 * {@code h}, {@code d} (e.g. {@code 500ms}, {@code 2s}, {@code 10m}, {@code 24h}, {@code 7d}).
 */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  /** Parses a spec duration, or returns empty if the text is not one. */
  public static Optional<Duration> tryParse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalStateException(m.group(2));
          });
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses a spec duration.
   *
   * @throws IllegalArgumentException if the text is not a duration, with a message saying how to
   *     write one
   */
  public static Duration parse(String text) {
    return tryParse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "\"" + text + "\" is not a duration; write e.g. 30s, 10m, 1h, 7d"));
  }

  /** Formats a duration in spec syntax with the largest unit that divides it, e.g. {@code 90m}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms % sizes[i] == 0) {
        return (ms / sizes[i]) + units[i];
      }
    }
    return ms + "ms";
  }
}
