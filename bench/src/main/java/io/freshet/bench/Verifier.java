package io.freshet.bench;

import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.Aggregation;
import io.freshet.spec.ViewSpec;
import io.freshet.state.agg.DistinctPartial;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a run's sampled outputs against naive recomputations from the raw generated events, each
 * engine against its own definition of a window:
 *
 * <ul>
 *   <li>Freshet against {@link NaiveOracle}: a feature at time t covers events in {@code
 *       [floor(t/g)*g - W + g, t]} (tile g); every sampled (entity, event time) must have exactly
 *       one update, and exit updates that happen to be sampled are checked too.
 *   <li>the SQL baseline against SQL's {@code RANGE BETWEEN INTERVAL W PRECEDING AND CURRENT ROW}:
 *       events with time in {@code [t - W, t]} (Flink 2.1's RowTimeRangeBoundedPrecedingFunction
 *       retracts a row once {@code t - rowtime > W}); mismatches under an exclusive lower bound
 *       {@code (t - W, t]} are counted too, which tells the two apart only when some event lies
 *       exactly W before a sampled one. Every sampled event must have exactly one row.
 * </ul>
 */
final class Verifier {
  private static final double RELATIVE_TOLERANCE = 1e-6;

  private final PaymentGenerator gen;
  private final int sampleEvery;
  private final int[] customer;
  private final long[] time;

  /** The outcome of one check. */
  record Check(
      int compared,
      int mismatches,
      int missing,
      int duplicates,
      int corrections,
      int mismatchesOtherDefinition,
      List<String> examples) {
    boolean ok() {
      return compared > 0 && mismatches == 0 && missing == 0 && duplicates == 0;
    }

    String summary() {
      return String.format(
          "%s: %d sampled outputs compared, %d mismatches, %d sampled events missing, %d duplicated%s",
          ok() ? "OK" : "FAILED",
          compared,
          mismatches,
          missing,
          duplicates,
          corrections > 0 ? ", " + corrections + " corrections" : "");
    }
  }

  Verifier(PaymentGenerator gen, int sampleEvery) {
    this.gen = gen;
    this.sampleEvery = sampleEvery;
    int n = Math.toIntExact(gen.events());
    customer = new int[n];
    time = new long[n];
    for (int i = 0; i < n; i++) {
      PaymentGenerator.Payment p = gen.payment(i);
      customer[i] = Integer.parseInt(p.customerId().substring(1));
      time[i] = p.eventTime();
    }
  }

  /** Event indexes per customer, for the given customers. */
  private Map<String, List<PaymentGenerator.Payment>> eventsOf(Set<String> customers) {
    Map<String, List<PaymentGenerator.Payment>> out = new HashMap<>();
    for (int i = 0; i < customer.length; i++) {
      String c = PaymentGenerator.customerId(customer[i]);
      if (customers.contains(c)) {
        out.computeIfAbsent(c, k -> new ArrayList<>()).add(gen.payment(i));
      }
    }
    return out;
  }

  /** The sampled events: (customer, time) pairs an output must exist for. */
  private Map<String, Set<Long>> sampledEvents() {
    Map<String, Set<Long>> out = new HashMap<>();
    for (int i = 0; i < customer.length; i++) {
      String c = PaymentGenerator.customerId(customer[i]);
      if (PaymentGenerator.sampled(c, time[i], sampleEvery)) {
        out.computeIfAbsent(c, k -> new HashSet<>()).add(time[i]);
      }
    }
    return out;
  }

  /**
   * Freshet's check, up to {@code walkedTo}: the end of a bounded input leaves each subtask's state
   * as of the last watermark it got before the end (semantics.md), which differs between subtasks
   * (the order in which the sources' end-of-input reaches each one), so only the events up to the
   * lowest of the subtasks' greatest valid_from surely have their updates.
   */
  Check freshet(ViewSpec view, SourceFields fields, List<Probe.Sample> samples, long walkedTo) {
    NaiveOracle oracle = new NaiveOracle(view, fields);
    Map<String, Set<Long>> expected = sampledEvents();
    expected.values().forEach(ts -> ts.removeIf(t -> t > walkedTo));
    Set<String> customers = new HashSet<>(expected.keySet());
    samples.forEach(s -> customers.add(s.entity()));
    Map<String, List<PaymentGenerator.Payment>> events = eventsOf(customers);
    Map<String, List<NaiveOracle.Event>> oracleEvents = new HashMap<>();
    events.forEach(
        (c, ps) -> {
          List<NaiveOracle.Event> es = new ArrayList<>(ps.size());
          for (PaymentGenerator.Payment p : ps) {
            List<Object> values = new ArrayList<>(fields.size());
            for (String f : fields.names()) {
              values.add(p.field(f));
            }
            es.add(new NaiveOracle.Event(p.eventTime(), values));
          }
          oracleEvents.put(c, es);
        });

    int mismatches = 0;
    int duplicates = 0;
    int corrections = 0;
    List<String> examples = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Probe.Sample s : samples) {
      if (s.correction()) {
        corrections++;
        continue;
      }
      if (!seen.add(s.entity() + "@" + s.time())) {
        duplicates++;
      }
      Object[] want = oracle.vector(oracleEvents.getOrDefault(s.entity(), List.of()), s.time());
      if (!sameWithinSketchBounds(view, want, s.values().toArray())) {
        mismatches++;
        example(examples, s, want);
      }
    }
    int missing = 0;
    for (var e : expected.entrySet()) {
      for (long t : e.getValue()) {
        if (!seen.contains(e.getKey() + "@" + t)) {
          missing++;
        }
      }
    }
    return new Check(samples.size(), mismatches, missing, duplicates, corrections, -1, examples);
  }

  Check sql(List<Probe.Sample> samples) {
    Map<String, Set<Long>> expected = sampledEvents();
    Set<String> customers = new HashSet<>(expected.keySet());
    samples.forEach(s -> customers.add(s.entity()));
    Map<String, List<PaymentGenerator.Payment>> events = eventsOf(customers);
    int mismatches = 0;
    int otherDefinition = 0;
    int duplicates = 0;
    List<String> examples = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    for (Probe.Sample s : samples) {
      if (!seen.add(s.eventId())) {
        duplicates++;
      }
      List<PaymentGenerator.Payment> ps = events.getOrDefault(s.entity(), List.of());
      Object[] closed = naiveSql(ps, s.time(), true);
      Object[] open = naiveSql(ps, s.time(), false);
      Object[] got = s.values().toArray();
      if (!same(closed, got)) {
        mismatches++;
        example(examples, s, closed);
      }
      if (!same(open, got)) {
        otherDefinition++;
      }
    }
    int missing = 0;
    for (int i = 0; i < customer.length; i++) {
      String c = PaymentGenerator.customerId(customer[i]);
      if (PaymentGenerator.sampled(c, time[i], sampleEvery) && !seen.contains((long) i)) {
        missing++;
      }
    }
    return new Check(samples.size(), mismatches, missing, duplicates, 0, otherDefinition, examples);
  }

  /**
   * The SQL features at event time t by SQL's definitions: COUNT counts rows, SUM/MAX/AVG skip
   * nulls and are null over no values.
   */
  static Object[] naiveSql(List<PaymentGenerator.Payment> events, long t, boolean closedLower) {
    Object[] out = new Object[SqlBaseline.FEATURES.size()];
    for (int f = 0; f < out.length; f++) {
      long from = t - SqlBaseline.WINDOW_MINUTES[f] * 60_000L;
      long count = 0;
      long nonNull = 0;
      double sum = 0;
      Double max = null;
      for (PaymentGenerator.Payment p : events) {
        long ts = p.eventTime();
        boolean in = ts <= t && (closedLower ? ts >= from : ts > from);
        if (!in) {
          continue;
        }
        count++;
        if (p.amount() != null) {
          nonNull++;
          sum += p.amount();
          max = max == null ? p.amount() : Math.max(max, p.amount());
        }
      }
      String name = SqlBaseline.FEATURES.get(f);
      if (name.startsWith("txn_count")) {
        out[f] = count;
      } else if (name.startsWith("amount_sum")) {
        out[f] = nonNull == 0 ? null : sum;
      } else if (name.startsWith("amount_max")) {
        out[f] = max;
      } else {
        out[f] = nonNull == 0 ? null : sum / nonNull;
      }
    }
    return out;
  }

  /**
   * Like {@link #same(Object[], Object[])}, but sketches are held to their documented bounds
   * (docs/semantics.md): a percentile past its exact limit within 1% relative, a distinct count
   * past 64 values within 6% (about 3.75 standard errors of HLL lgK 12).
   */
  static boolean sameWithinSketchBounds(ViewSpec view, Object[] want, Object[] got) {
    if (want.length != got.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      Aggregation agg = view.features().get(i).aggregation();
      boolean ok;
      if (agg == Aggregation.APPROX_PERCENTILE
          && want[i] instanceof Number w
          && got[i] instanceof Number g) {
        ok = Math.abs(w.doubleValue() - g.doubleValue()) <= 0.010001 * Math.abs(w.doubleValue());
      } else if (agg == Aggregation.APPROX_COUNT_DISTINCT
          && want[i] instanceof Long w
          && w > DistinctPartial.EXACT_LIMIT
          && got[i] instanceof Long g) {
        ok = Math.abs(w - g) <= 0.06 * w;
      } else {
        ok = same(want[i], got[i]);
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static boolean same(Object[] want, Object[] got) {
    if (want.length != got.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (!same(want[i], got[i])) {
        return false;
      }
    }
    return true;
  }

  static boolean same(Object want, Object got) {
    if (want == null || got == null) {
      return want == got;
    }
    if (want instanceof Long && got instanceof Long) {
      return want.equals(got);
    }
    if (want instanceof Number w && got instanceof Number g) {
      double a = w.doubleValue();
      double b = g.doubleValue();
      return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1.0, Math.abs(a));
    }
    return want.equals(got);
  }

  private static void example(List<String> examples, Probe.Sample s, Object[] want) {
    if (examples.size() < 5) {
      examples.add(
          s.entity()
              + " at "
              + s.time()
              + ": got "
              + s.values()
              + ", expected "
              + java.util.Arrays.toString(want));
    }
  }
}
