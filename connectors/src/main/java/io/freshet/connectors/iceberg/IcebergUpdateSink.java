package io.freshet.connectors.iceberg;

import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.UpdateSink;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The Iceberg history as a job attaches it: on unless {@link IcebergOptions#ENABLED} is false, one
 * {@link IcebergHistorySink} per view (its operators' uids start with {@code
 * iceberg-history-<source>-<view>}).
 */
public final class IcebergUpdateSink implements UpdateSink {
  @Override
  public boolean enabled(Configuration conf) {
    return conf.get(IcebergOptions.ENABLED);
  }

  @Override
  public void attach(
      DataStream<FeatureUpdate> updates, SourceSpec source, ViewSpec view, Configuration conf) {
    IcebergHistorySink.append(updates, source, view, conf);
  }
}
