package io.freshet.operators.flink;

import java.util.List;

/**
 * The names of the job's exact counts, kept as Flink accumulators beside the metrics of the same
 * meaning. Metrics are sampled (a finished job's last refresh can be seconds old); accumulators are
 * collected when the job ends, so a launcher's closing summary ({@code freshet run}) reports what
 * the job really did. Each counts the current execution attempt: after a restart from a checkpoint,
 * the records since that checkpoint.
 */
public final class JobCounts {
  private JobCounts() {}

  /** Records read from the source (decoded events and decoding dead letters). */
  public static final String EVENTS_READ = "freshet.events-read";

  /** Records that could not be decoded or validated (dead letters before the features). */
  public static final String DEAD_LETTERS = "freshet.dead-letters";

  /** Feature updates emitted, all views. */
  public static final String UPDATES = "freshet.updates";

  /** Updates that corrected an earlier value (late events within the allowed lateness). */
  public static final String CORRECTIONS = "freshet.corrections";

  /** Events later than the allowed lateness, sent to the dead letters (per view). */
  public static final String TOO_LATE = "freshet.too-late";

  /** Every name, for launchers that read them all. */
  public static final List<String> ALL =
      List.of(EVENTS_READ, DEAD_LETTERS, UPDATES, CORRECTIONS, TOO_LATE);
}
