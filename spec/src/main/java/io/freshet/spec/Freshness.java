package io.freshet.spec;

import java.time.Duration;

/**
 * A source's freshness SLA, checked in processing time by the running job.
 *
 * @param maxSilence no event read for longer than this is a violation, or null
 * @param maxWatermarkLag the event-time watermark trailing the wall clock by more than this is a
 *     violation, or null
 */
public record Freshness(Duration maxSilence, Duration maxWatermarkLag)
    implements java.io.Serializable {

  /** How often the job checks: a quarter of the tighter bound, between 1 s and 1 min. */
  public Duration checkInterval() {
    long tightest = Long.MAX_VALUE;
    if (maxSilence != null) {
      tightest = Math.min(tightest, maxSilence.toMillis());
    }
    if (maxWatermarkLag != null) {
      tightest = Math.min(tightest, maxWatermarkLag.toMillis());
    }
    return Duration.ofMillis(Math.max(1_000, Math.min(60_000, tightest / 4)));
  }
}
