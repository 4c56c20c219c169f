package io.freshet.cli;

import io.freshet.services.ServicesConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the {@code services} subcommands; each falls back to ServicesConfig. */
final class ServicesOptions {
  @Mixin StateDirOption stateDir;

  @Option(
      names = "--kafka-port",
      paramLabel = "PORT",
      description = "Kafka broker port (env FRESHET_KAFKA_PORT; default 29092).")
  Integer kafkaPort;

  @Option(
      names = "--kafka-controller-port",
      paramLabel = "PORT",
      description =
          "Kafka KRaft controller port (env FRESHET_KAFKA_CONTROLLER_PORT; default 29093).")
  Integer kafkaControllerPort;

  @Option(
      names = "--cql-port",
      paramLabel = "PORT",
      description = "Cassandra CQL port (env FRESHET_CQL_PORT; default 29042).")
  Integer cqlPort;

  @Option(
      names = "--cassandra-storage-port",
      paramLabel = "PORT",
      description =
          "Cassandra inter-node storage port (env FRESHET_CASSANDRA_STORAGE_PORT; default 27000).")
  Integer cassandraStoragePort;

  @Option(
      names = "--rest-catalog-port",
      paramLabel = "PORT",
      description =
          "Iceberg REST catalog port, with start --rest-catalog (env FRESHET_REST_CATALOG_PORT;"
              + " default 29181).")
  Integer restCatalogPort;

  @Option(
      names = "--object-store-port",
      paramLabel = "PORT",
      description =
          "S3-compatible object store port, with start --object-store (env"
              + " FRESHET_OBJECT_STORE_PORT; default 29190).")
  Integer objectStorePort;

  @Option(
      names = "--schema-registry-port",
      paramLabel = "PORT",
      description =
          "Schema registry port, with start --schema-registry (env FRESHET_SCHEMA_REGISTRY_PORT;"
              + " default 29081).")
  Integer schemaRegistryPort;

  @Option(
      names = "--zookeeper-port",
      paramLabel = "PORT",
      description =
          "ZooKeeper client port, with start --zookeeper (env FRESHET_ZOOKEEPER_PORT; default"
              + " 29281).")
  Integer zookeeperPort;

  @Option(
      names = "--java-home",
      paramLabel = "DIR",
      description = "JDK 17 for the servers (env FRESHET_JAVA_HOME; default: searched).")
  Path javaHome;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "How long start waits for readiness, or stop for an exit (default 150 / 30).")
  Integer timeoutSeconds;

  ServicesConfig toConfig() {
    ServicesConfig.Builder b = ServicesConfig.builderFromEnvironment();
    if (stateDir.stateDir != null) {
      b.stateDir(stateDir.stateDir);
    }
    if (kafkaPort != null) {
      b.kafkaPort(kafkaPort);
    }
    if (kafkaControllerPort != null) {
      b.kafkaControllerPort(kafkaControllerPort);
    }
    if (cqlPort != null) {
      b.cqlPort(cqlPort);
    }
    if (cassandraStoragePort != null) {
      b.cassandraStoragePort(cassandraStoragePort);
    }
    if (objectStorePort != null) {
      b.objectStorePort(objectStorePort);
    }
    if (zookeeperPort != null) {
      b.zookeeperPort(zookeeperPort);
    }
    if (schemaRegistryPort != null) {
      b.schemaRegistryPort(schemaRegistryPort);
    }
    if (restCatalogPort != null) {
      b.restCatalogPort(restCatalogPort);
    }
    if (javaHome != null) {
      b.javaHome(javaHome);
    }
    if (timeoutSeconds != null) {
      b.startTimeout(Duration.ofSeconds(timeoutSeconds));
      b.stopTimeout(Duration.ofSeconds(timeoutSeconds));
    }
    return b.build();
  }
}
