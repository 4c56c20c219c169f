package io.freshet.cli;

import io.freshet.connectors.cassandra.CassandraSessions;
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

  @Option(
      names = "--cassandra-properties",
      paramLabel = "FILE",
      description =
          "Cassandra security settings as a properties file of the job's freshet.cassandra.*"
              + " keys (username, password-file or password-env, ssl.enabled,"
              + " ssl.truststore.path, ssl.truststore.password-file); default: the local"
              + " services' when they run with --secure and --contact-point is not given.")
  java.nio.file.Path cassandraProperties;

  /**
   * The {@code freshet.cassandra.*} security settings: --cassandra-properties, else the local
   * services' secured ones when this command talks to them, else none.
   */
  java.util.Map<String, String> securitySettings() {
    if (cassandraProperties != null) {
      java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
      java.util.Properties p = new java.util.Properties();
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(cassandraProperties)) {
        p.load(in);
      } catch (java.io.IOException e) {
        throw new CliException(
            "--cassandra-properties: cannot read " + cassandraProperties + ": " + e);
      }
      p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
      return out;
    }
    return contactPoint == null ? LocalDefaults.cassandraSettings() : java.util.Map.of();
  }

  @Option(
      names = "--consistency",
      paramLabel = "LEVEL",
      defaultValue = "LOCAL_ONE",
      description =
          "Read consistency level (default: ${DEFAULT-VALUE}; LOCAL_QUORUM on a multi-node"
              + " cluster whose writes are LOCAL_QUORUM reads what was acknowledged, see"
              + " docs/serving.md, \"Consistency levels\").")
  String consistency;

  /** --contact-point, else {@link LocalDefaults#cassandra()}. */
  String contactPoints() {
    return contactPoint != null ? contactPoint : LocalDefaults.cassandra();
  }

  /** A serving client on these options' cluster and keyspace. */
  FeatureClient.Builder client() {
    FeatureClient.Builder b =
        FeatureClient.builder()
            .contactPoints(contactPoints())
            .localDatacenter(datacenter)
            .keyspace(keyspace);
    org.apache.flink.configuration.Configuration conf =
        org.apache.flink.configuration.Configuration.fromMap(securitySettings());
    try {
      b.consistency(CassandraSessions.consistencyLevel(consistency, "--consistency"));
      CassandraSessions.credentials(conf).ifPresent(c -> b.credentials(c.getKey(), c.getValue()));
      javax.net.ssl.SSLContext ssl = CassandraSessions.sslContext(conf);
      if (ssl != null) {
        b.sslContext(ssl);
      }
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    return b;
  }
}
