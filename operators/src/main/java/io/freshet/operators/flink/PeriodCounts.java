package io.freshet.operators.flink;

import io.freshet.avro.CheckPartial;
import io.freshet.operators.features.Expectations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One subtask's counts of a list of checks per event-time period, as {@link CheckPartial}s for
 * {@link ViolationJudge} to merge: records checked, records failing, the first value seen failing
 * and up to {@link ExpectationOperator#SAMPLES} samples. Kept in memory, not in checkpoints (see
 * docs/observability.md, "Limits"). Not thread-safe: one per operator instance.
 */
final class PeriodCounts {
  private final List<Expectations.Check> checks;
  private final int subtask;
  private final Map<Long, CheckPartial>[] open;

  /** Per check, the period last counted into and its partial: records mostly arrive in order. */
  private final long[] lastStart;

  private final CheckPartial[] last;

  @SuppressWarnings("unchecked")
  PeriodCounts(List<Expectations.Check> checks, int subtask) {
    this.checks = checks;
    this.subtask = subtask;
    this.open = new Map[checks.size()];
    for (int i = 0; i < open.length; i++) {
      open[i] = new HashMap<>();
    }
    this.lastStart = new long[checks.size()];
    Arrays.fill(lastStart, Long.MIN_VALUE);
    this.last = new CheckPartial[checks.size()];
  }

  /**
   * Counts one record of check {@code i} at event time {@code time}, failing when {@code observed}
   * is not null.
   *
   * @return the period's sample list when the record fails and the list has room for its sample,
   *     else null
   */
  List<String> count(int i, long time, String observed) {
    long period = checks.get(i).periodMillis();
    long start = Math.floorDiv(time, period) * period;
    CheckPartial p = lastStart[i] == start ? last[i] : partial(i, start);
    p.setRecords(p.getRecords() + 1);
    if (observed == null) {
      return null;
    }
    p.setFailing(p.getFailing() + 1);
    if (p.getFirstObserved() == null) {
      p.setFirstObserved(observed);
    }
    return p.getSamples().size() < ExpectationOperator.SAMPLES ? p.getSamples() : null;
  }

  /** The partial of check {@code i} for the period from {@code start}, made if new. */
  private CheckPartial partial(int i, long start) {
    CheckPartial p =
        open[i].computeIfAbsent(
            start,
            s ->
                new CheckPartial(
                    checks.get(i).id(),
                    subtask,
                    s,
                    0L,
                    0L,
                    null,
                    new ArrayList<>(),
                    -1L,
                    Long.MIN_VALUE));
    lastStart[i] = start;
    last[i] = p;
    return p;
  }

  /** Hands over (partial, period start) and forgets every period that ends at the watermark. */
  void closeUpTo(long watermark, BiConsumer<CheckPartial, Long> closed) {
    for (int i = 0; i < checks.size(); i++) {
      long period = checks.get(i).periodMillis();
      for (Iterator<Map.Entry<Long, CheckPartial>> it = open[i].entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<Long, CheckPartial> p = it.next();
        if (p.getKey() + period <= watermark) {
          closed.accept(p.getValue(), p.getKey());
          it.remove();
          if (lastStart[i] == p.getKey()) {
            lastStart[i] = Long.MIN_VALUE;
            last[i] = null;
          }
        }
      }
    }
  }
}
