package io.freshet.serving.http;

import com.datastax.oss.driver.api.core.CqlSession;
import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.cassandra.CassandraFeatureWriter;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.serving.FeatureClient;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ViewSpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * The HTTP feature server under load, against the Java client in the same run: an open-loop load
 * (requests start on a fixed schedule whatever the answers do; latency runs from the scheduled
 * start, so a stall counts for every request it delays) of {@code POST /v1/features} with 1, 10 and
 * 100 random entities of view {@code risk}, then the same schedule of {@code getManyAsync} calls on
 * a {@link FeatureClient}; then rising rates of 1-entity requests until p99 passes 20 ms. Run it
 * with serving-http/run-server-bench.sh (arguments: host:port [seconds per phase]).
 *
 * <p>System properties (through {@code FRESHET_BENCH_JAVA_OPTS}): {@code -DtargetPairs=N} runs only
 * the target case (1 entity at 500 requests/s, server then client) N times and stops;
 * {@code -DserverUri=http://host:port} loads a server in another process (started with the
 * arguments {@code host:port seconds serve port}) instead of the one in this JVM; {@code
 * -Dconnections=N} sets the generator's connections (16).
 */
public final class ServerBench {
  static final String KEYSPACE = "bench_http";
  static final int ENTITIES = 10_000;

  private ServerBench() {}

  public static void main(String[] args) throws Exception {
    String hostPort = args.length > 0 ? args[0] : "127.0.0.1:29042";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    String[] hp = hostPort.split(":");
    InetSocketAddress cp = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
    FeatureSpec spec = TestSpecs.RISK;
    fill(cp, spec);
    FeatureClient.Builder clientBuilder =
        FeatureClient.builder().contactPoint(cp).keyspace(KEYSPACE).localDatacenter("datacenter1");
    if (args.length > 2 && args[2].equals("serve")) {
      // the server alone, for a load generator in another process (wrk, ab): port, then seconds
      try (FeatureServer server =
          FeatureServer.builder()
              .spec(spec)
              .cassandra(clientBuilder, hostPort + ", keyspace " + KEYSPACE)
              .port(Integer.parseInt(args[3]))
              .build()
              .start()) {
        System.out.println("serving " + server.uri() + " for " + seconds + " s");
        Thread.sleep(seconds * 1000L);
      }
      return;
    }
    try (FeatureServer server =
            FeatureServer.builder()
                .spec(spec)
                .cassandra(clientBuilder, hostPort + ", keyspace " + KEYSPACE)
                .port(0)
                .build()
                .start();
        FeatureClient client =
            FeatureClient.builder()
                .contactPoint(cp)
                .keyspace(KEYSPACE)
                .localDatacenter("datacenter1")
                .spec(spec)
                .build()) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI base = URI.create(System.getProperty("serverUri", server.uri().toString()));
      Random rnd = new Random(7);
      Function<Integer, CompletableFuture<?>> clientCall =
          k -> client.getManyAsync("risk", entities(rnd, k)).toCompletableFuture();
      KeepAliveLoad load =
          new KeepAliveLoad(base, "/v1/features", Integer.getInteger("connections", 16));
      // warm-up: JIT, connections, prepared statements
      load.atRate(i -> body(rnd, 1), 500, 10);
      run(clientCall, 1, 500, 10);
      int pairs = Integer.getInteger("targetPairs", 0);
      if (pairs > 0) {
        System.out.println(
            "| case | entities | target req/s | achieved req/s | p50 ms | p99 ms | max ms | errors |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int p = 0; p < pairs; p++) {
          print("server POST /v1/features", 1, 500, load.atRate(i -> body(rnd, 1), 500, seconds));
          print("Java client getManyAsync", 1, 500, run(clientCall, 1, 500, seconds));
        }
        return;
      }
      // capacity: 4 connections, each waiting for its answer before the next request
      KeepAliveLoad four = new KeepAliveLoad(server.uri(), "/v1/features", 4);
      for (int k : new int[] {1, 10}) {
        Result closed = four.asFastAsPossible(i -> body(rnd, k), seconds);
        System.out.printf(
            Locale.ROOT,
            "closed loop, 4 callers, %d entities: %.0f req/s, p50 %.2f ms, p99 %.2f ms, errors %d%n",
            k,
            closed.achieved,
            closed.p(0.5),
            closed.p(0.99),
            closed.errors);
      }
      System.out.println(
          "| case | entities | target req/s | achieved req/s | p50 ms | p99 ms | max ms | errors |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      for (int k : new int[] {1, 10, 100}) {
        int rate = k == 100 ? 100 : 500;
        print("server POST /v1/features", k, rate, load.atRate(i -> body(rnd, k), rate, seconds));
        print("Java client getManyAsync", k, rate, run(clientCall, k, rate, seconds));
      }
      int best = 0;
      for (int rate : new int[] {1000, 2000, 3000, 4000, 6000}) {
        Result r = load.atRate(i -> body(rnd, 1), rate, seconds);
        print("server, rising rate", 1, rate, r);
        if (r.p(0.99) >= 20 || r.errors > 0 || r.achieved < rate * 0.95) {
          break;
        }
        best = rate;
      }
      System.out.printf(
          Locale.ROOT, "%nhighest rate tried with p99 under 20 ms, 1 entity: %d req/s%n", best);
      // the server's own view of the same requests (from accepting to answering), all phases
      System.out.println("\nserver-side histogram of POST /v1/features (all phases):");
      String metrics =
          http.send(
                  HttpRequest.newBuilder(server.uri().resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : metrics.split("\n")) {
        if (line.startsWith("freshet_serve_requests_seconds_bucket")
            && line.contains("/v1/features")) {
          System.out.println("  " + line);
        }
      }
    }
  }

  private static void print(String what, int k, int rate, Result r) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %d |%n",
        what,
        k,
        rate,
        r.achieved,
        r.p(0.5),
        r.p(0.99),
        r.p(1.0),
        r.errors);
  }

  /** Latencies in ms of a run, errors counted. */
  record Result(double[] millis, int errors, double achieved) {
    double p(double q) {
      if (millis.length == 0) {
        return Double.NaN;
      }
      double[] s = millis.clone();
      Arrays.sort(s);
      int i = (int) Math.ceil(q * s.length) - 1;
      return s[Math.max(0, Math.min(s.length - 1, i))];
    }
  }

  /** Starts {@code call(k)} {@code rate} times a second for {@code seconds}, on schedule. */
  static Result run(Function<Integer, CompletableFuture<?>> call, int k, int rate, int seconds)
      throws Exception {
    int n = rate * seconds;
    double[] latency = new double[n];
    AtomicInteger errors = new AtomicInteger();
    CompletableFuture<?>[] all = new CompletableFuture<?>[n];
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      all[i] =
          call.apply(k)
              .whenComplete(
                  (r, e) -> {
                    latency[index] = (System.nanoTime() - due) / 1e6;
                    if (e != null && errors.incrementAndGet() == 1) {
                      System.err.println("first error: " + e);
                    }
                  });
    }
    CompletableFuture.allOf(all).exceptionally(e -> null).get();
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Result(latency, errors.get(), n / elapsed);
  }

  private static List<String> entities(Random rnd, int k) {
    List<String> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      out.add("e" + rnd.nextInt(ENTITIES));
    }
    return out;
  }

  private static String body(Random rnd, int k) {
    StringBuilder sb = new StringBuilder("{\"view\":\"risk\",\"entities\":[");
    for (int i = 0; i < k; i++) {
      sb.append(i == 0 ? "\"e" : ",\"e").append(rnd.nextInt(ENTITIES)).append('"');
    }
    return sb.append("]}").toString();
  }

  /** Creates the keyspace and writes a vector for every entity, as the job's sink does. */
  private static void fill(InetSocketAddress cp, FeatureSpec spec) throws Exception {
    try (CqlSession s =
        CqlSession.builder().addContactPoint(cp).withLocalDatacenter("datacenter1").build()) {
      s.execute(
          "CREATE KEYSPACE IF NOT EXISTS "
              + KEYSPACE
              + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    }
    Configuration conf = new Configuration();
    conf.set(CassandraOptions.CONTACT_POINTS, List.of(cp.getHostString() + ":" + cp.getPort()));
    conf.set(CassandraOptions.KEYSPACE, KEYSPACE);
    ViewSpec view = spec.views().get(0);
    long now = System.currentTimeMillis();
    try (CassandraFeatureWriter w =
        CassandraFeatureWriter.open(
            spec.source(), view, conf, 0, new UnregisteredMetricsGroup(), () -> now)) {
      for (int e = 0; e < ENTITIES; e++) {
        w.write(
            new FeatureUpdate(
                "e" + e,
                view.name(),
                now - 60_000,
                now - 60_000,
                Arrays.asList((long) e, e * 1.5, e * 2.5, e % 2 == 0 ? "FR" : "DE"),
                view.version(spec.source()),
                false,
                0,
                now,
                List.of()),
            null);
      }
      w.flush(false);
    }
  }
}
