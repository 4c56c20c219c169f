package io.freshet.serving.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureVector;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Serving latency: {@link FeatureClient} against a raw driver {@code SELECT} of the same row(s) on
 * the same session, interleaved in the same run, for 1 entity x 50 features and 100 entities x 50
 * features. Run it with serving/run-serving-bench.sh (arguments: host:port [iterations]).
 *
 * <p>The raw baseline does what any hand-written reader would: a prepared, idempotent SELECT per
 * entity (concurrently for 100), reading all 50 columns into an array. The client adds view
 * metadata, status and age per feature and the result objects.
 */
public final class ServingBench {
  static final int FEATURES = 50;
  static final int ENTITIES = 10_000;
  static final String KS = "bench_serving";
  static final String VIEW = "bench_view";

  public static void main(String[] args) throws Exception {
    String hostPort = args.length > 0 ? args[0] : "127.0.0.1:29042";
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    String[] hp = hostPort.split(":");
    InetSocketAddress cp = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
    DriverConfigLoader loader =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
            .build();
    try (CqlSession admin =
        CqlSession.builder()
            .addContactPoint(cp)
            .withLocalDatacenter("datacenter1")
            .withConfigLoader(loader)
            .build()) {
      setUp(admin);
    }
    try (FeatureClient client =
        FeatureClient.builder()
            .contactPoint(cp)
            .keyspace(KS)
            .requestTimeout(Duration.ofSeconds(2))
            .build()) {
      CqlSession session = client.session();
      PreparedStatement raw = session.prepare(rawSelect());
      Random rnd = new Random(1);
      List<String> all = new ArrayList<>();
      for (int i = 0; i < ENTITIES; i++) {
        all.add("e" + i);
      }
      // warm-up (JIT, connections, prepared statements)
      for (int i = 0; i < iterations / 2; i++) {
        String e = all.get(rnd.nextInt(ENTITIES));
        client.get(VIEW, e);
        rawOne(session, raw, e);
      }
      long[] c1 = new long[iterations];
      long[] r1 = new long[iterations];
      for (int i = 0; i < iterations; i++) {
        String e = all.get(rnd.nextInt(ENTITIES));
        // alternate which goes first, so neither always gets the warmer cache
        if ((i & 1) == 0) {
          c1[i] = timeClient(client, e);
          r1[i] = timeRaw(session, raw, e);
        } else {
          r1[i] = timeRaw(session, raw, e);
          c1[i] = timeClient(client, e);
        }
      }
      int manyIterations = Math.max(200, iterations / 20);
      for (int i = 0; i < manyIterations / 4; i++) {
        List<String> batch = sample(all, rnd, 100);
        client.getMany(VIEW, batch);
        rawMany(session, raw, batch);
      }
      long[] c100 = new long[manyIterations];
      long[] r100 = new long[manyIterations];
      for (int i = 0; i < manyIterations; i++) {
        List<String> batch = sample(all, rnd, 100);
        if ((i & 1) == 0) {
          c100[i] = timeClientMany(client, batch);
          r100[i] = timeRawMany(session, raw, batch);
        } else {
          r100[i] = timeRawMany(session, raw, batch);
          c100[i] = timeClientMany(client, batch);
        }
      }
      System.out.println(
          "| case | n | p50 ms | p99 ms | p99.9 ms | mean ms |\n|---|---|---|---|---|---|");
      row("client get, 1 entity x 50", c1);
      row("raw driver SELECT, 1 entity x 50", r1);
      row("client getMany, 100 entities x 50", c100);
      row("raw driver, 100 concurrent SELECTs x 50", r100);
      System.out.printf(
          Locale.ROOT,
          "%nratios client/raw: 1 entity p50 %.3f p99 %.3f p99.9 %.3f; 100 entities p50 %.3f p99"
              + " %.3f p99.9 %.3f%n",
          ratio(c1, r1, 0.5),
          ratio(c1, r1, 0.99),
          ratio(c1, r1, 0.999),
          ratio(c100, r100, 0.5),
          ratio(c100, r100, 0.99),
          ratio(c100, r100, 0.999));
    }
  }

  static void setUp(CqlSession s) {
    s.execute(
        "CREATE KEYSPACE IF NOT EXISTS "
            + KS
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    StringBuilder cols = new StringBuilder();
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (int f = 0; f < FEATURES; f++) {
      cols.append(", f").append(f).append(" double");
      names.add("f" + f);
      types.add("double");
    }
    s.execute(
        "CREATE TABLE IF NOT EXISTS "
            + KS
            + "."
            + VIEW
            + " (entity text PRIMARY KEY, valid_from bigint, last_event_time bigint,"
            + " written_at bigint, spec_version text, revision int"
            + cols
            + ")");
    s.execute(
        "CREATE TABLE IF NOT EXISTS "
            + KS
            + ".freshet_views (view_name text PRIMARY KEY, source text, features list<text>,"
            + " types list<text>, ttl_ms bigint, spec_version text, updated_at timestamp)");
    s.execute(
        SimpleStatement.newInstance(
            "INSERT INTO "
                + KS
                + ".freshet_views (view_name, source, features, types, ttl_ms, spec_version)"
                + " VALUES (?, 'bench', ?, ?, ?, 'bench')",
            VIEW,
            names,
            types,
            Duration.ofDays(30).toMillis()));
    long count = s.execute("SELECT count(*) FROM " + KS + "." + VIEW).one().getLong(0);
    if (count >= ENTITIES) {
      return;
    }
    StringBuilder marks = new StringBuilder();
    for (int f = 0; f < FEATURES; f++) {
      marks.append(", ?");
    }
    PreparedStatement ins =
        s.prepare(
            "INSERT INTO "
                + KS
                + "."
                + VIEW
                + " (entity, valid_from, last_event_time, written_at, spec_version, revision, "
                + String.join(", ", names)
                + ") VALUES (?, ?, ?, ?, 'bench', 0"
                + marks
                + ")");
    long now = System.currentTimeMillis();
    Semaphore inFlight = new Semaphore(256);
    for (int i = 0; i < ENTITIES; i++) {
      BoundStatementBuilder b = ins.boundStatementBuilder();
      b.setString(0, "e" + i).setLong(1, now).setLong(2, now).setLong(3, now);
      for (int f = 0; f < FEATURES; f++) {
        b.setDouble(4 + f, i * 0.5 + f);
      }
      inFlight.acquireUninterruptibly();
      s.executeAsync(b.build()).whenComplete((r, e) -> inFlight.release());
    }
    inFlight.acquireUninterruptibly(256);
  }

  static String rawSelect() {
    StringBuilder sb =
        new StringBuilder("SELECT valid_from, last_event_time, written_at, spec_version, revision");
    for (int f = 0; f < FEATURES; f++) {
      sb.append(", f").append(f);
    }
    return sb.append(" FROM ")
        .append(KS)
        .append('.')
        .append(VIEW)
        .append(" WHERE entity = ?")
        .toString();
  }

  static long timeClient(FeatureClient c, String e) {
    long t = System.nanoTime();
    FeatureVector v = c.get(VIEW, e);
    if (v.value(FEATURES - 1) == null) {
      throw new IllegalStateException("no value for " + e);
    }
    return System.nanoTime() - t;
  }

  static long timeRaw(CqlSession s, PreparedStatement ps, String e) {
    long t = System.nanoTime();
    double[] v = rawOne(s, ps, e);
    if (v[FEATURES - 1] == 0 && e.equals("e-none")) {
      throw new IllegalStateException();
    }
    return System.nanoTime() - t;
  }

  static double[] rawOne(CqlSession s, PreparedStatement ps, String e) {
    Row r = s.execute(ps.bind(e).setIdempotent(true)).one();
    return read(r);
  }

  static double[] read(Row r) {
    double[] v = new double[FEATURES];
    for (int f = 0; f < FEATURES; f++) {
      v[f] = r.getDouble(5 + f);
    }
    return v;
  }

  static long timeClientMany(FeatureClient c, List<String> batch) {
    long t = System.nanoTime();
    Map<String, FeatureVector> m = c.getMany(VIEW, batch);
    if (m.size() != batch.size()) {
      throw new IllegalStateException();
    }
    return System.nanoTime() - t;
  }

  static long timeRawMany(CqlSession s, PreparedStatement ps, List<String> batch) {
    long t = System.nanoTime();
    List<double[]> out = rawMany(s, ps, batch);
    if (out.size() != batch.size()) {
      throw new IllegalStateException();
    }
    return System.nanoTime() - t;
  }

  static List<double[]> rawMany(CqlSession s, PreparedStatement ps, List<String> batch) {
    List<CompletableFuture<double[]>> fs = new ArrayList<>(batch.size());
    for (String e : batch) {
      fs.add(
          s.executeAsync(ps.bind(e).setIdempotent(true))
              .thenApply(AsyncResultSet::one)
              .thenApply(ServingBench::read)
              .toCompletableFuture());
    }
    List<double[]> out = new ArrayList<>(batch.size());
    for (CompletableFuture<double[]> f : fs) {
      out.add(f.join());
    }
    return out;
  }

  static List<String> sample(List<String> all, Random rnd, int n) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>(n * 2);
    while (out.size() < n) {
      out.add(all.get(rnd.nextInt(all.size())));
    }
    return new ArrayList<>(out);
  }

  static double pct(long[] xs, double q) {
    long[] s = xs.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)] / 1e6;
  }

  static double ratio(long[] a, long[] b, double q) {
    return pct(a, q) / pct(b, q);
  }

  static void row(String name, long[] xs) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %.3f | %.3f | %.3f | %.3f |%n",
        name,
        xs.length,
        pct(xs, 0.5),
        pct(xs, 0.99),
        pct(xs, 0.999),
        Arrays.stream(xs).average().orElse(0) / 1e6);
  }
}
