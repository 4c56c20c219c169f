package io.freshet.spec;

import java.time.Duration;

/** The tile-size rule. See docs/semantics.md. */
public final class Tiles {
  private Tiles() {}

  /**
   * The default tile size for a window when the view declares none: 1 min for windows up to 1 h, 5
   * min up to 1 d, 1 h beyond; and never larger than the window itself.
   */
  public static Duration defaultTile(Duration window) {
    Duration g;
    if (window.compareTo(Duration.ofHours(1)) <= 0) {
      g = Duration.ofMinutes(1);
    } else if (window.compareTo(Duration.ofDays(1)) <= 0) {
      g = Duration.ofMinutes(5);
    } else {
      g = Duration.ofHours(1);
    }
    return window.compareTo(g) < 0 ? window : g;
  }
}
