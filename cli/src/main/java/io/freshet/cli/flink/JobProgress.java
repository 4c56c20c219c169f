package io.freshet.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.connectors.kafka.DecodingDeserializer;
import io.freshet.services.FlinkRest;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows a running feature job through Flink's REST API and prints one live progress line: events
 * read (and per second), the feature operators' smallest watermark, feature updates, dead letters,
 * and restarts. Each restart is printed on a line of its own with the failure that caused it, so a
 * job that fails over and over is visible as such. Works the same for a local MiniCluster and a
 * session cluster.
 *
 * <p>Reads Freshet's own operator metrics (updatesEmitted, corrections, lateEventsDropped,
 * deadLetters.total), the Kafka source's numRecordsOut and its per-partition positions, and the
 * job's numRestarts. Flink's REST API refreshes metrics every {@code
 * metrics.fetcher.update-interval}, which the CLI sets to {@link #POLL_MILLIS}: the line is a live
 * view, not the final count (a launcher reads those from the job's accumulators when it ends).
 */
public final class JobProgress {
  /**
   * How often the progress line is refreshed, and the metrics refresh the CLI configures to match.
   * Each refresh makes the TaskManager serialize every metric of the job (the Kafka clients alone
   * have hundreds): at 1 s that cost the demo's job about a sixth of the CPU its feature tasks got.
   */
  public static final long POLL_MILLIS = 3000;

  static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

  private static final Pattern POSITION =
      Pattern.compile(
          "\\."
              + DecodingDeserializer.METRIC_GROUP
              + "\\.partition\\.(\\d+)\\."
              + DecodingDeserializer.POSITION_GAUGE
              + "$");

  /** Counts at one moment. */
  public record Snapshot(
      String state,
      long events,
      long updates,
      long corrections,
      long deadLetters,
      long watermark,
      long restarts,
      boolean tasksRunning,
      double seconds) {
    Snapshot withState(String s) {
      return new Snapshot(
          s, events, updates, corrections, deadLetters, watermark, restarts, tasksRunning, seconds);
    }

    /** The job and every one of its tasks run: a savepoint can be taken. */
    boolean running() {
      return "RUNNING".equals(state) && tasksRunning;
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
  private final Map<Integer, Long> positions = new HashMap<>();
  private final List<String> failures = new ArrayList<>();
  private String featureVertex;
  private String sourceVertex;
  private boolean trackPositions;
  private final long startNanos = System.nanoTime();
  private Snapshot last = new Snapshot("CREATED", 0, 0, 0, 0, Long.MIN_VALUE, 0, false, 0);

  public JobProgress(FlinkRest rest, String jobId) {
    this.rest = rest;
    this.jobId = jobId;
  }

  public Snapshot last() {
    return last;
  }

  /**
   * The source's position in each Kafka partition it has read from in this run (the offset after
   * the last record it handed on), by partition; partitions it has not read yet are absent.
   */
  public Map<Integer, Long> positions() {
    return Map.copyOf(positions);
  }

  /**
   * Reads the source's per-partition positions at every poll from now on ({@link #positions}): two
   * more requests per poll, which only a run that stops at given offsets needs.
   */
  public void trackPositions() {
    trackPositions = true;
  }

  /** One line per restart seen so far: its number and the failure that caused it. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  /** Reads the current counts (those not yet reported keep their last value). */
  public Snapshot poll() throws IOException {
    JsonNode job = rest.job(jobId);
    String state = job.path("state").asText();
    if (!discovered()) {
      discover(job); // metrics appear once the tasks run and the REST API has fetched them
    } else if (trackPositions && sourceVertex != null) {
      // a partition's position gauge appears with its first record
      refresh(sourceVertex);
    }
    Map<String, Double> sums = new LinkedHashMap<>();
    for (var e : metricsByVertex.entrySet()) {
      try {
        sums.putAll(rest.vertexMetricSums(jobId, e.getKey(), e.getValue()));
      } catch (IOException ex) {
        // the vertex finished or is not running yet: keep the last counts
      }
    }
    if (trackPositions) {
      readPositions();
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
    long restarts = last.restarts();
    try {
      restarts = Math.max(restarts, rest.restarts(jobId));
    } catch (IOException ex) {
      // keep the last count
    }
    if (restarts > last.restarts()) {
      String why;
      try {
        List<FlinkRest.Failure> f = rest.failures(jobId, 1);
        why = f.isEmpty() ? "(no failure recorded)" : f.get(0).summary();
      } catch (IOException ex) {
        why = "(could not read the failure: " + ex.getMessage() + ")";
      }
      failures.add("restart " + restarts + ": " + why);
    }
    boolean tasksRunning = job.path("vertices").size() > 0;
    for (JsonNode v : job.path("vertices")) {
      tasksRunning &= "RUNNING".equals(v.path("status").asText());
    }
    // A restart starts the counters over from the restored checkpoint: keep the highest seen.
    Snapshot s =
        new Snapshot(
            state,
            Math.max(events, last.events()),
            Math.max(updates, last.updates()),
            Math.max(corrections, last.corrections()),
            Math.max(dead, last.deadLetters()),
            wm,
            restarts,
            tasksRunning,
            (System.nanoTime() - startNanos) / 1e9);
    last = s;
    return s;
  }

  private void readPositions() {
    if (sourceVertex == null) {
      return;
    }
    List<String> ids =
        metricsByVertex.getOrDefault(sourceVertex, List.of()).stream()
            .filter(m -> POSITION.matcher(m).find())
            .toList();
    try {
      rest.vertexMetrics(jobId, sourceVertex, ids, "max")
          .forEach(
              (id, v) -> {
                Matcher m = POSITION.matcher(id);
                if (m.find()) {
                  positions.merge(Integer.parseInt(m.group(1)), v.longValue(), Math::max);
                }
              });
    } catch (IOException ex) {
      // keep the last positions
    }
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
      refresh(v.path("id").asText());
    }
  }

  private void refresh(String vertexId) {
    List<String> ids;
    try {
      ids = rest.vertexMetricIds(jobId, vertexId);
    } catch (IOException e) {
      return;
    }
    List<String> wanted = new ArrayList<>();
    for (String m : ids) {
      boolean source = m.startsWith("Source") && m.endsWith(".numRecordsOut");
      boolean position = POSITION.matcher(m).find();
      if (source
          || position
          || m.endsWith(".updatesEmitted")
          || m.endsWith(".corrections")
          || m.endsWith(".lateEventsDropped")
          || m.endsWith(".deadLetters.total")) {
        wanted.add(m);
      }
      if (m.endsWith(".updatesEmitted") && featureVertex == null) {
        featureVertex = vertexId;
      }
      if ((source || position) && sourceVertex == null) {
        sourceVertex = vertexId;
      }
    }
    metricsByVertex.put(vertexId, wanted);
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
    long lastPrint = 0;
    int failuresShown = 0;
    EventRate eventRate = new EventRate(POLL_MILLIS / 1000.0);
    eventRate.next(last.seconds(), last.events()); // the first line's rate is since then
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
      if (failures.size() > failuresShown) {
        if (terminal) {
          out.print("\r\u001b[K");
        }
        for (; failuresShown < failures.size(); failuresShown++) {
          out.println("  job failed and restarted, " + failures.get(failuresShown));
        }
        out.flush();
      }
      each.accept(s);
      long rate = eventRate.next(s.seconds(), s.events());
      String line =
          String.format(
              "  %-8s %6.0fs | events %,d (%,d/s) | watermark %s | updates %,d (corrections %,d)"
                  + " | dead letters %,d%s",
              s.state(),
              s.seconds(),
              s.events(),
              rate,
              s.watermarkText(),
              s.updates(),
              s.corrections(),
              s.deadLetters(),
              s.restarts() > 0 ? " | restarts " + s.restarts() : "");
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
      Thread.sleep(POLL_MILLIS);
    }
  }

  /**
   * Events per second between the last two changes of the events count. The REST API refreshes its
   * metrics every {@link #POLL_MILLIS} ms, as often as the line polls, so a poll can see the same
   * count as the one before though events came (the line showed "0/s" every few lines, then twice
   * the rate): an unchanged count keeps the last rate until the count has stood still for longer
   * than two refreshes, which is a stop, not a stale read.
   */
  static final class EventRate {
    private final double refreshSeconds;
    private double changedAt = Double.NaN;
    private long countAtChange;
    private long rate;

    EventRate(double refreshSeconds) {
      this.refreshSeconds = refreshSeconds;
    }

    /** The rate to show for a poll at {@code seconds} (job time) that saw {@code events}. */
    long next(double seconds, long events) {
      if (Double.isNaN(changedAt)) {
        changedAt = seconds;
        countAtChange = events;
        return 0;
      }
      if (events != countAtChange) {
        double dt = seconds - changedAt;
        rate = dt > 0 ? Math.max(0, Math.round((events - countAtChange) / dt)) : rate;
        changedAt = seconds;
        countAtChange = events;
      } else if (seconds - changedAt > 2 * refreshSeconds) {
        rate = 0;
      }
      return rate;
    }
  }
}
