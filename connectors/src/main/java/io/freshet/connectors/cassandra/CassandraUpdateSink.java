package io.freshet.connectors.cassandra;

import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.UpdateSink;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The Cassandra online store as a job attaches it: on unless {@link CassandraOptions#ENABLED} is
 * false, one {@link CassandraFeatureSink} per view with uid {@link CassandraFeatureSink#uid}.
 */
public final class CassandraUpdateSink implements UpdateSink {
  @Override
  public boolean enabled(Configuration conf) {
    return conf.get(CassandraOptions.ENABLED);
  }

  @Override
  public void attach(
      DataStream<FeatureUpdate> updates, SourceSpec source, ViewSpec view, Configuration conf) {
    updates
        .sinkTo(CassandraFeatureSink.forView(source, view, conf))
        .uid(CassandraFeatureSink.uid(source, view))
        .name("cassandra: " + view.name());
  }
}
