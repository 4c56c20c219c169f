package io.freshet.cli;

import io.freshet.serving.FeatureClient;
import io.freshet.store.StoreNames;
import picocli.CommandLine.Option;

/** The Cassandra cluster and keyspace of the online store; the local services' when left unset. */
final class CassandraClientOptions {
  @Option(
      names = "--keyspace",
      paramLabel = "KEYSPACE",
      defaultValue = StoreNames.DEFAULT_KEYSPACE,
      description = "Keyspace of the view tables (default: ${DEFAULT-VALUE}).")
  String keyspace;

  @Option(
      names = "--contact-point",
      paramLabel = "HOST:PORT",
      description =
          "Cassandra contact point(s), comma separated (default: the local Freshet's,"
              + " 127.0.0.1:<FRESHET_CQL_PORT or 29042>).")
  String contactPoint;

  @Option(
      names = "--datacenter",
      paramLabel = "DC",
      defaultValue = "datacenter1",
      description = "Local data center (default: ${DEFAULT-VALUE}).")
  String datacenter;

  /** --contact-point, else {@link LocalDefaults#cassandra()}. */
  String contactPoints() {
    return contactPoint != null ? contactPoint : LocalDefaults.cassandra();
  }

  /** A serving client on these options' cluster and keyspace. */
  FeatureClient.Builder client() {
    return FeatureClient.builder()
        .contactPoints(contactPoints())
        .localDatacenter(datacenter)
        .keyspace(keyspace);
  }
}
