package io.freshet.connectors.cassandra;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.PaymentSpecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Sink write throughput: one {@link CassandraFeatureWriter} (one subtask) writing updates of a
 * 50-feature view, flushing every 10,000 updates like a checkpoint would. Run it with
 * serving/run-serving-bench.sh (arguments: host:port [updates] [max-in-flight]).
 */
public final class CassandraSinkBench {
  public static void main(String[] args) throws Exception {
    String hostPort = args.length > 0 ? args[0] : "127.0.0.1:29042";
    int updates = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    FeatureSpec base = PaymentSpecs.oneView("bench_sink", "30d", PaymentSpecs.SUM);
    List<FeatureDef> features = new ArrayList<>();
    for (int f = 0; f < 50; f++) {
      features.add(
          new FeatureDef(
              "f" + f,
              Aggregation.SUM,
              "amount",
              ValueType.DOUBLE,
              Duration.ofHours(1),
              Duration.ofMinutes(1),
              null,
              null));
    }
    ViewSpec view = new ViewSpec("bench_sink", Duration.ofDays(30), null, features, List.of());
    Configuration conf = new Configuration();
    conf.set(CassandraOptions.CONTACT_POINTS, List.of(hostPort));
    conf.set(CassandraOptions.KEYSPACE, "bench_sink");
    conf.set(CassandraOptions.CONSISTENCY, "ONE");
    conf.set(CassandraOptions.MAX_IN_FLIGHT, inFlight);
    long now = System.currentTimeMillis();
    String version = view.version(base.source());
    try (CassandraFeatureWriter w =
        CassandraFeatureWriter.open(
            base.source(), view, conf, 0, new UnregisteredMetricsGroup(), () -> now)) {
      for (int round = 0; round < 2; round++) { // round 0 warms up
        int n = round == 0 ? Math.max(10_000, updates / 10) : updates;
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
          List<Object> values = new ArrayList<>(50);
          for (int f = 0; f < 50; f++) {
            values.add(i * 0.25 + f);
          }
          long ts = now - 3_600_000 + i;
          w.write(
              new FeatureUpdate(
                  "e" + (i % 100_000),
                  view.name(),
                  ts,
                  ts,
                  values,
                  version,
                  false,
                  0,
                  now,
                  List.of()),
              null);
          if (i % 10_000 == 9_999) {
            w.flush(false);
          }
        }
        w.flush(true);
        double s = (System.nanoTime() - t) / 1e9;
        if (round == 1) {
          System.out.printf(
              Locale.ROOT,
              "sink: %d updates x 50 features, 1 writer, max-in-flight %d: %.1f s, %.0f writes/s%n",
              n,
              inFlight,
              s,
              n / s);
        }
      }
    }
  }
}
