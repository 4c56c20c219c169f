package io.freshet.cli;

import io.freshet.services.LocalSecurity;
import io.freshet.services.ServicesConfig;
import io.freshet.services.StateDirectory;
import java.nio.file.Path;

/** Addresses of the local services ({@code freshet services start}) for options left unset. */
final class LocalDefaults {
  private LocalDefaults() {}

  /** Kafka of the local services, e.g. 127.0.0.1:29092 (FRESHET_KAFKA_PORT changes it). */
  static String kafka() {
    return ServicesConfig.HOST + ":" + ServicesConfig.fromEnvironment().kafkaPort();
  }

  /** Cassandra of the local services, e.g. 127.0.0.1:29042 (FRESHET_CQL_PORT changes it). */
  static String cassandra() {
    return ServicesConfig.HOST + ":" + ServicesConfig.fromEnvironment().cqlPort();
  }

  /**
   * The secured setup of the local services' state dir ({@code services start --secure}); {@link
   * LocalSecurity#enabled()} says whether they run secured.
   */
  static LocalSecurity security() {
    return LocalSecurity.of(stateDir());
  }

  /** Kafka client settings for the local services: their secured ones, else none. */
  static java.util.Properties kafkaClientSettings() {
    LocalSecurity security = security();
    if (!security.enabled()) {
      return new java.util.Properties();
    }
    try {
      return security.kafkaClientSettings();
    } catch (java.io.IOException e) {
      throw new CliException(
          "Cannot read the local services' Kafka client settings "
              + security.kafkaClientProperties()
              + ": "
              + e.getMessage());
    }
  }

  /**
   * The job settings that reach the local services: their secured ones ({@code
   * freshet.kafka.properties-file}, {@code freshet.cassandra.username}, password file, TLS), else
   * none. No secret is among them, only the files that hold them.
   */
  static java.util.Map<String, String> securedJobSettings() {
    LocalSecurity security = security();
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    if (!security.enabled()) {
      return out;
    }
    out.put("freshet.kafka.properties-file", security.kafkaClientProperties().toString());
    out.putAll(cassandraSettings());
    return out;
  }

  /** The local services' {@code freshet.cassandra.*} security settings, else none. */
  static java.util.Map<String, String> cassandraSettings() {
    LocalSecurity security = security();
    if (!security.enabled()) {
      return java.util.Map.of();
    }
    try {
      return security.cassandraClientSettings();
    } catch (java.io.IOException e) {
      throw new CliException(
          "Cannot read the local services' Cassandra settings "
              + security.cassandraClientProperties()
              + ": "
              + e.getMessage());
    }
  }

  /**
   * Freshet's state directory, for every command: services, cluster, runs and the default history
   * catalog. FRESHET_STATE_DIR, else the checkout's .freshet, else ~/.freshet ({@link
   * StateDirectory}).
   */
  static Path stateDir() {
    return StateDirectory.resolve();
  }

  /** The checkout (bin/freshet sets freshet.home), else the working directory. */
  static Path home() {
    String home = System.getProperty("freshet.home");
    return (home != null ? Path.of(home) : Path.of("")).toAbsolutePath().normalize();
  }
}
