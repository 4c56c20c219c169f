package io.freshet.bench;

import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 3's engine benchmark, a command: Freshet's FeatureJob against a Flink SQL OVER-window
 * baseline computing the same per-event features, on the same deterministic generated payments, on
 * the heap and RocksDB state backends, in one local (MiniCluster) run each. Prints events/s per
 * variant and Freshet's ratio to SQL on the same backend, after checking a sample of each variant's
 * output against a naive recomputation.
 *
 * <p>Run it with {@code bench/run-engine-bench.sh [options]}; see {@link #USAGE}. Timing is the
 * job's net runtime (job start to finish) as Flink reports it.
 */
public final class EngineBench {
  private static final Logger LOG = LoggerFactory.getLogger(EngineBench.class);

  static final String USAGE =
      """
      usage: run-engine-bench.sh [--events N] [--entities K] [--days D] [--seed S]
                                 [--which freshet-heap,freshet-rocksdb,sql-heap,sql-rocksdb]
                                 [--parallelism P] [--checkpoint-interval 10s|none]
                                 [--warmup-events N] [--runs N] [--sample-every N] [--spec file.yaml]
        --events               generated payments (default 2000000; rounded up to a multiple of P)
        --entities             customers (default 50000; skewed: top 1% make 10% of payments)
        --days                 simulated days the payments span (default 7)
        --seed                 generator seed (default 42)
        --which                variants to run, in this order (default: the first four; source-only
                               times Freshet's generated source alone, for profiling)
        --parallelism          job parallelism (default 2)
        --checkpoint-interval  RocksDB variants' incremental checkpoint interval (default 10s)
        --warmup-events        untimed run of each variant first, to warm up the JIT (default 50000; 0: none)
        --runs                 timed runs of each variant, one after the other in this JVM; the table
                               shows the median by events/s (of an even number, the slower
                               middle one; default 1); every run is checked
        --sample-every         verify about one output in N (default 1000)
        --spec                 benchmark spec (default: the bundled bench-payments.yaml)
      """;

  private EngineBench() {}

  /** Parsed command line. */
  record Options(
      long events,
      int entities,
      int days,
      long seed,
      List<Variant> which,
      int parallelism,
      Duration checkpointInterval,
      long warmupEvents,
      int runs,
      int sampleEvery,
      Path spec) {

    static Options parse(String[] args) {
      long events = 2_000_000;
      int entities = 50_000;
      int days = 7;
      long seed = 42;
      List<Variant> which = Variant.defaults();
      int parallelism = 2;
      Duration checkpointInterval = Duration.ofSeconds(10);
      long warmup = 50_000;
      int runs = 1;
      int sampleEvery = 1000;
      Path spec = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("-h") || a.equals("--help")) {
          throw new IllegalArgumentException("");
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--events" -> events = Long.parseLong(v.replace("_", ""));
          case "--entities" -> entities = Integer.parseInt(v.replace("_", ""));
          case "--days" -> days = Integer.parseInt(v);
          case "--seed" -> seed = Long.parseLong(v);
          case "--which" -> which = Variant.parseList(v);
          case "--parallelism" -> parallelism = Integer.parseInt(v);
          case "--checkpoint-interval" -> checkpointInterval = parseInterval(v);
          case "--warmup-events" -> warmup = Long.parseLong(v.replace("_", ""));
          case "--runs" -> runs = Integer.parseInt(v);
          case "--sample-every" -> sampleEvery = Integer.parseInt(v);
          case "--spec" -> spec = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (parallelism <= 0 || sampleEvery <= 0 || events <= 0 || runs <= 0) {
        throw new IllegalArgumentException(
            "--events, --parallelism, --runs and --sample-every must be positive");
      }
      events = roundUp(events, parallelism);
      warmup = warmup <= 0 ? 0 : roundUp(warmup, parallelism);
      return new Options(
          events,
          entities,
          days,
          seed,
          which,
          parallelism,
          checkpointInterval,
          warmup,
          runs,
          sampleEvery,
          spec);
    }

    private static long roundUp(long n, int p) {
      return (n + p - 1) / p * p;
    }

    private static Duration parseInterval(String v) {
      if (v.equals("none")) {
        return null;
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      throw new IllegalArgumentException(
          "--checkpoint-interval: write e.g. 10s, 500ms, 1m or none, got " + v);
    }
  }

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("error: " + e.getMessage());
      }
      System.err.print(USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    boolean ok = run(o, System.out);
    System.exit(ok ? 0 : 1);
  }

  static FeatureSpec loadSpec(Path file) throws IOException {
    if (file != null) {
      return SpecParser.parse(file);
    }
    try (InputStream in = EngineBench.class.getResourceAsStream("/bench-payments.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      // No file: payment.avsc is found in the checkout or on the classpath (avro-schemas jar).
      return SpecParser.parse(null, yaml);
    }
  }

  static boolean run(Options o, PrintStream out) throws Exception {
    FeatureSpec spec = loadSpec(o.spec());
    SourceFields fields = SourceFields.of(spec);
    PaymentGenerator gen = new PaymentGenerator(o.seed(), o.events(), o.entities(), o.days());
    Path checkpoints = Files.createTempDirectory("freshet-bench-checkpoints");
    Duration bound = spec.source().maxOutOfOrderness();

    out.printf(
        "engine benchmark: %,d events, %,d customers, %d days, seed %d, parallelism %d,"
            + " RocksDB checkpoints %s%n",
        o.events(),
        o.entities(),
        o.days(),
        o.seed(),
        o.parallelism(),
        o.checkpointInterval() == null
            ? "none"
            : "incremental every " + o.checkpointInterval().toSeconds() + " s");
    out.printf(
        "JVM %s, %d processors, max heap %,d MB%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);

    Map<Variant, RunResult> results = new EnumMap<>(Variant.class);
    Map<Variant, Verifier.Check> checks = new EnumMap<>(Variant.class);
    Verifier verifier = null;
    for (Variant v : o.which()) {
      Configuration conf =
          v.backend.configuration(o.parallelism(), o.checkpointInterval(), checkpoints);
      if (o.warmupEvents() > 0) {
        PaymentGenerator warm =
            new PaymentGenerator(o.seed() + 1, o.warmupEvents(), o.entities(), o.days());
        LOG.info("{}: warm-up run, {} events", v.id, o.warmupEvents());
        runOne(v, spec, warm, bound, conf, 0);
      }
      if (verifier == null) {
        verifier = new Verifier(gen, o.sampleEvery());
      }
      List<RunResult> runs = new ArrayList<>();
      for (int run = 1; run <= o.runs(); run++) {
        System.gc();
        LOG.info("{}: timed run {} of {}, {} events", v.id, run, o.runs(), o.events());
        RunResult r = runOne(v, spec, gen, bound, conf, o.sampleEvery());
        runs.add(r);
        out.printf(
            "%-16s %,d events%s in %.1f s (job), %.1f s (wall): %,.0f events/s, %,d outputs;"
                + " task CPU %.1f s, %.2f us/event%n",
            v.id,
            r.events(),
            r.walked() == r.events()
                ? ""
                : String.format(" (%,d computed: up to the watermark at the end)", r.walked()),
            r.jobMillis() / 1000.0,
            r.wallMillis() / 1000.0,
            r.eventsPerSecond(),
            r.outputs(),
            r.taskCpuMillis() / 1000.0,
            r.cpuMicrosPerEvent());
        if (v == Variant.SOURCE_ONLY) {
          continue;
        }
        Verifier.Check c =
            v.sql
                ? verifier.sql(r.samples())
                : verifier.freshet(spec.views().get(0), fields, r.samples(), r.walkedTo());
        if (!checks.containsKey(v) || !c.ok()) {
          checks.put(v, c); // the table shows a failed run's check, if any
        }
        out.printf("%-16s check: %s%n", v.id, c.summary());
        if (v.sql) {
          out.printf(
              "%-16s (under an exclusive lower bound (t - W, t] instead, %d of the %d would"
                  + " differ)%n",
              v.id, c.mismatchesOtherDefinition(), c.compared());
        }
        if (r.deadLetters() > 0) {
          out.printf("%-16s %d dead letters%n", v.id, r.deadLetters());
        }
        c.examples().forEach(e -> out.printf("%-16s   %s%n", v.id, e));
      }
      runs.sort(Comparator.comparingDouble(RunResult::eventsPerSecond));
      RunResult median = runs.get((runs.size() - 1) / 2); // the slower middle one if even
      results.put(v, median);
      if (runs.size() > 1) {
        out.printf(
            "%-16s %d runs: %s events/s; median %,.0f%n",
            v.id,
            runs.size(),
            String.join(
                " / ",
                runs.stream().map(r -> String.format("%,.0f", r.eventsPerSecond())).toList()),
            median.eventsPerSecond());
      }
    }
    out.println();
    printTable(out, o, results, checks);
    boolean ok = checks.values().stream().allMatch(Verifier.Check::ok);
    if (!ok) {
      out.println("\nat least one variant's output FAILED its check: its numbers do not count");
    }
    return ok;
  }

  static RunResult runOne(
      Variant v,
      FeatureSpec spec,
      PaymentGenerator gen,
      Duration bound,
      Configuration conf,
      int sampleEvery)
      throws Exception {
    try (TaskCpu cpu = new TaskCpu()) {
      RunResult r;
      if (v == Variant.SOURCE_ONLY) {
        r = FreshetRun.sourceOnly(spec, gen, conf);
      } else {
        r =
            v.sql
                ? SqlBaseline.run(gen, bound, conf, sampleEvery)
                : FreshetRun.run(spec, gen, conf, sampleEvery);
      }
      LOG.info(
          "{}: task CPU ms by task: {}; allocated {} bytes/event",
          v.id,
          cpu.millisByTask(),
          cpu.allocatedBytes() / gen.events());
      return r.withTaskCpu(cpu.millis());
    }
  }

  static void printTable(
      PrintStream out,
      Options o,
      Map<Variant, RunResult> results,
      Map<Variant, Verifier.Check> checks) {
    String fmt = "| %-16s | %,11d | %8.1f | %,10.0f | %,12d | %-16s | %-6s |%n";
    out.println(
        "| variant          |    computed |  seconds |   events/s |      outputs | vs SQL, same backend | check  |");
    out.println(
        "|------------------|------------:|---------:|-----------:|-------------:|-----------------:|--------|");
    List<String> lines = new ArrayList<>();
    for (var e : results.entrySet()) {
      Variant v = e.getKey();
      RunResult r = e.getValue();
      String ratio = "";
      if (v == Variant.SOURCE_ONLY) {
        ratio = "";
      } else if (!v.sql) {
        RunResult sql =
            results.get(v.backend == Backend.HEAP ? Variant.SQL_HEAP : Variant.SQL_ROCKSDB);
        ratio =
            sql == null
                ? "(not run)"
                : String.format("%.1fx", r.eventsPerSecond() / sql.eventsPerSecond());
      } else {
        ratio = "1.0x";
      }
      lines.add(
          String.format(
              fmt,
              v.id,
              r.walked(),
              r.jobMillis() / 1000.0,
              r.eventsPerSecond(),
              r.outputs(),
              ratio,
              checks.containsKey(v) ? (checks.get(v).ok() ? "ok" : "FAILED") : "-"));
    }
    lines.forEach(out::print);
  }
}
