package io.freshet.serving.http;

import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.cassandra.CassandraFeatureWriter;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.serving.FeatureClient;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.TestServices;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Fills a test keyspace the way the job does: through the job's own Cassandra writer, which creates
 * each view's table and its freshet_views row from the spec and writes versioned rows with TTLs.
 */
final class OnlineRows implements AutoCloseable {
  private final FeatureSpec spec;
  private final long now;
  private final CassandraFeatureWriter writer;

  /** A writer of the spec's (first) view into the services' keyspace, at wall-clock time now. */
  OnlineRows(TestServices services, FeatureSpec spec, long now) throws Exception {
    this.spec = spec;
    this.now = now;
    Configuration conf = new Configuration();
    conf.set(
        CassandraOptions.CONTACT_POINTS,
        List.of("127.0.0.1:" + services.cassandraContactPoint().getPort()));
    conf.set(CassandraOptions.LOCAL_DATACENTER, services.cassandraLocalDatacenter());
    conf.set(CassandraOptions.KEYSPACE, services.keyspace());
    conf.set(CassandraOptions.CONSISTENCY, "ONE");
    ViewSpec view = spec.views().get(0);
    this.writer =
        CassandraFeatureWriter.open(
            spec.source(), view, conf, 0, new UnregisteredMetricsGroup(), () -> now);
  }

  /** Writes the entity's vector, whose last event was at lastEventTime, in the view's order. */
  OnlineRows put(String entity, long lastEventTime, Object... values) throws Exception {
    ViewSpec view = spec.views().get(0);
    writer.write(
        new FeatureUpdate(
            entity,
            view.name(),
            lastEventTime,
            lastEventTime,
            Arrays.asList(values),
            view.version(spec.source()),
            false,
            0,
            now,
            List.of()),
        null);
    return this;
  }

  @Override
  public void close() throws Exception {
    writer.flush(false);
    writer.close();
  }

  /** A client builder for the services' keyspace whose clock stands at now. */
  static FeatureClient.Builder client(TestServices services, long now) {
    return FeatureClient.builder()
        .contactPoint(services.cassandraContactPoint())
        .localDatacenter(services.cassandraLocalDatacenter())
        .keyspace(services.keyspace())
        .clock(Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC));
  }
}
