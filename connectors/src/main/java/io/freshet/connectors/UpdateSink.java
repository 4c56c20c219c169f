package io.freshet.connectors;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A store that keeps feature updates (the Cassandra online store, the Iceberg history), attached
 * the same way by every job: the store reads its own enable flag and options from the job's
 * configuration and gives each of its operators a stable uid and a readable name derived from the
 * source and view, so that savepoints survive upgrades. Implementations live in the store's
 * connector package and are stateless.
 */
public interface UpdateSink {
  /** Whether the configuration turns this store on (its {@code freshet.<store>.enabled} key). */
  boolean enabled(Configuration conf);

  /**
   * Attaches this store's sink to one view's updates. Checks the store's options and the view now
   * and fails saying what to fix; builds the store's schema where the store does so up front.
   */
  void attach(
      DataStream<FeatureUpdate> updates, SourceSpec source, ViewSpec view, Configuration conf);
}
