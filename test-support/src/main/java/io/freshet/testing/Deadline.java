package io.freshet.testing;

import java.time.Duration;

/**
 * A time limit for polling an external system (a topic, a table) until what a test expects has
 * arrived: the test polls while {@link #hasTimeLeft()} and then asserts on what it got, so that a
 * missing result fails with the assertion's message rather than hanging. Measured on the monotonic
 * clock.
 */
public final class Deadline {
  private final long endNanos;

  private Deadline(long endNanos) {
    this.endNanos = endNanos;
  }

  /** A deadline {@code timeout} from now. */
  public static Deadline in(Duration timeout) {
    return new Deadline(System.nanoTime() + timeout.toNanos());
  }

  /** Whether the deadline has not passed yet. */
  public boolean hasTimeLeft() {
    return System.nanoTime() - endNanos < 0;
  }
}
