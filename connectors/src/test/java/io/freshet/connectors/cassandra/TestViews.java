package io.freshet.connectors.cassandra;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.FeatureSpec;
import io.freshet.testing.PaymentSpecs;
import java.util.Arrays;
import java.util.List;

/** Updates for the small payments specs of {@link PaymentSpecs}. */
public final class TestViews {
  private TestViews() {}

  /** Writer settings on the test's Cassandra node and keyspace, at consistency ONE. */
  static org.apache.flink.configuration.Configuration cassandra(
      io.freshet.testing.TestServices services) {
    var conf = new org.apache.flink.configuration.Configuration();
    conf.set(
        CassandraOptions.CONTACT_POINTS,
        List.of("127.0.0.1:" + services.cassandraContactPoint().getPort()));
    conf.set(CassandraOptions.LOCAL_DATACENTER, services.cassandraLocalDatacenter());
    conf.set(CassandraOptions.KEYSPACE, services.keyspace());
    conf.set(CassandraOptions.CONSISTENCY, "ONE");
    return conf;
  }

  /**
   * An update of the spec's view, written (written_at) when it became valid: a test's updates carry
   * no wall-clock time.
   */
  static FeatureUpdate update(
      FeatureSpec spec,
      String entity,
      long validFrom,
      long lastEventTime,
      int revision,
      Object... values) {
    var view = spec.views().get(0);
    return new FeatureUpdate(
        entity,
        view.name(),
        validFrom,
        lastEventTime,
        Arrays.asList(values),
        view.version(spec.source()),
        revision > 0,
        revision,
        validFrom,
        List.of());
  }
}
