package io.freshet.cli;

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
