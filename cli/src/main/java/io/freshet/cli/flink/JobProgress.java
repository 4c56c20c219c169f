package io.freshet.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Follows a running feature job through Flink's REST API and prints one live progress line: events
 * read (and per second), the feature operators' smallest watermark, feature updates, dead letters.
 * Works the same for a local MiniCluster and a session cluster.
 *
 * <p>Reads Freshet's own operator metrics (updatesEmitted, corrections, lateEventsDropped,
 * deadLetters.total) and the Kafka source's numRecordsOut. Flink's REST API refreshes metrics every
 * {@code metrics.fetcher.update-interval}, which the CLI sets to {@link #POLL_MILLIS}.
 */
public final class JobProgress {
  /**
   * How often the progress line is refreshed, and the metrics refresh the CLI configures to match.
   * Each refresh makes the TaskManager serialize every metric of the job (the Kafka clients alone
   * have hundreds): at 1 s that cost the demo's job about a sixth of the CPU its feature tasks got.
   */
  public static final long POLL_MILLIS = 3000;

  static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

  /** Counts at one moment. */
  public record Snapshot(
      String state,
      long events,
      long updates,
      long corrections,
      long deadLetters,
      long watermark,
      double seconds) {
    Snapshot withState(String s) {
      return new Snapshot(s, events, updates, corrections, deadLetters, watermark, seconds);
    }

    String watermarkText() {
      return watermark == Long.MIN_VALUE || watermark <= 0
          ? "-"
          : watermark == Long.MAX_VALUE
              ? "end of input"
              : Instant.ofEpochMilli(watermark).toString();
    }
  }

  private final FlinkRest rest;
  private final String jobId;
  private final Map<String, List<String>> metricsByVertex = new LinkedHashMap<>();
  private String featureVertex;
  private final long startNanos = System.nanoTime();
  private Snapshot last = new Snapshot("CREATED", 0, 0, 0, 0, Long.MIN_VALUE, 0);

  public JobProgress(FlinkRest rest, String jobId) {
    this.rest = rest;
    this.jobId = jobId;
  }

  public Snapshot last() {
    return last;
  }

  /** Reads the current counts (those not yet reported keep their last value). */
  public Snapshot poll() throws IOException {
    JsonNode job = rest.job(jobId);
    String state = job.path("state").asText();
    if (!discovered()) {
      discover(job); // metrics appear once the tasks run and the REST API has fetched them
    }
    Map<String, Double> sums = new LinkedHashMap<>();
    for (var e : metricsByVertex.entrySet()) {
      try {
        sums.putAll(rest.vertexMetricSums(jobId, e.getKey(), e.getValue()));
      } catch (IOException ex) {
        // the vertex finished or is not running yet: keep the last counts
      }
    }
    long events = sum(sums, "numRecordsOut", true);
    long updates = sum(sums, ".updatesEmitted", false);
    long corrections = sum(sums, ".corrections", false);
    long dead = sum(sums, ".deadLetters.total", false) + sum(sums, ".lateEventsDropped", false);
    long wm = last.watermark();
    if (featureVertex != null && !TERMINAL.contains(state)) {
      try {
        long w = rest.minWatermark(jobId, featureVertex);
        if (w != Long.MIN_VALUE) {
          wm = w;
        }
      } catch (IOException ex) {
        // keep the last one
      }
    }
    Snapshot s =
        new Snapshot(
            state,
            Math.max(events, last.events()),
            Math.max(updates, last.updates()),
            Math.max(corrections, last.corrections()),
            Math.max(dead, last.deadLetters()),
            wm,
            (System.nanoTime() - startNanos) / 1e9);
    last = s;
    return s;
  }

  private boolean discovered() {
    boolean source = false;
    boolean updates = false;
    boolean dead = false;
    for (List<String> ids : metricsByVertex.values()) {
      for (String m : ids) {
        source |= m.startsWith("Source");
        updates |= m.endsWith(".updatesEmitted");
        dead |= m.endsWith(".deadLetters.total");
      }
    }
    return source && updates && dead;
  }

  private void discover(JsonNode job) {
    for (JsonNode v : job.path("vertices")) {
      String id = v.path("id").asText();
      List<String> ids;
      try {
        ids = rest.vertexMetricIds(jobId, id);
      } catch (IOException e) {
        continue;
      }
      List<String> wanted = new ArrayList<>();
      for (String m : ids) {
        boolean source = m.startsWith("Source") && m.endsWith(".numRecordsOut");
        if (source
            || m.endsWith(".updatesEmitted")
            || m.endsWith(".corrections")
            || m.endsWith(".lateEventsDropped")
            || m.endsWith(".deadLetters.total")) {
          wanted.add(m);
        }
        if (m.endsWith(".updatesEmitted") && featureVertex == null) {
          featureVertex = id;
        }
      }
      metricsByVertex.put(id, wanted);
    }
  }

  private static long sum(Map<String, Double> sums, String suffix, boolean source) {
    double total = 0;
    for (var e : sums.entrySet()) {
      boolean match =
          source
              ? e.getKey().startsWith("Source") && e.getKey().endsWith(suffix)
              : e.getKey().endsWith(suffix);
      if (match) {
        total += e.getValue();
      }
    }
    return (long) total;
  }

  /**
   * Polls every {@link #POLL_MILLIS} ms and rewrites one progress line on {@code out} until the job
   * reaches a terminal state; returns the last snapshot.
   */
  public Snapshot follow(PrintWriter out, boolean terminal, BooleanSupplier ended)
      throws InterruptedException {
    return follow(out, terminal, ended, s -> {});
  }

  /** Like {@link #follow(PrintWriter, boolean, BooleanSupplier)}, calling {@code each} per poll. */
  public Snapshot follow(
      PrintWriter out, boolean terminal, BooleanSupplier ended, Consumer<Snapshot> each)
      throws InterruptedException {
    Snapshot prev = last;
    long lastPrint = 0;
    while (true) {
      Snapshot s;
      try {
        s = poll();
      } catch (IOException e) {
        // a local MiniCluster shuts its REST endpoint down with the job
        if (TERMINAL.contains(last.state()) || ended.getAsBoolean()) {
          if (terminal) {
            out.println();
            out.flush();
          }
          return last;
        }
        Thread.sleep(POLL_MILLIS);
        continue;
      }
      each.accept(s);
      double dt = s.seconds() - prev.seconds();
      long rate = dt > 0 ? Math.round((s.events() - prev.events()) / dt) : 0;
      String line =
          String.format(
              "  %-8s %6.0fs | events %,d (%,d/s) | watermark %s | updates %,d (corrections %,d)"
                  + " | dead letters %,d",
              s.state(),
              s.seconds(),
              s.events(),
              rate,
              s.watermarkText(),
              s.updates(),
              s.corrections(),
              s.deadLetters());
      boolean done = TERMINAL.contains(s.state());
      if (terminal) {
        out.print("\r" + line + "\u001b[K");
        if (done) {
          out.println();
        }
        out.flush();
      } else if (done || System.nanoTime() - lastPrint > 5_000_000_000L) {
        out.println(line);
        out.flush();
        lastPrint = System.nanoTime();
      }
      if (done) {
        return s;
      }
      prev = s;
      Thread.sleep(POLL_MILLIS);
    }
  }
}
