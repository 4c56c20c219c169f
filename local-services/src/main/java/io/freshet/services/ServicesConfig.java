package io.freshet.services;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where local services keep their state and which ports they use.
 *
 * <p>Defaults are chosen so as not to clash with a developer's own servers: Kafka on 29092
 * (controller 29093), Cassandra CQL on 29042 (inter-node storage port 27000). Every value can be
 * set by a builder method, a system property or an environment variable; {@link #fromEnvironment}
 * reads them in that order of precedence (system property before environment variable):
 *
 * <pre>
 * state dir          freshet.state.dir       FRESHET_STATE_DIR     (default: see StateDirectory:
 *                                                                   &lt;checkout&gt;/.freshet, else
 *                                                                   ~/.freshet)
 * Kafka port         freshet.kafka.port      FRESHET_KAFKA_PORT                (29092)
 * Kafka controller   freshet.kafka.controller.port  FRESHET_KAFKA_CONTROLLER_PORT (29093)
 * Cassandra CQL      freshet.cql.port        FRESHET_CQL_PORT                  (29042)
 * Cassandra storage  freshet.cassandra.storage.port FRESHET_CASSANDRA_STORAGE_PORT (27000)
 * REST catalog       freshet.rest-catalog.port FRESHET_REST_CATALOG_PORT         (29181)
 * object store (S3)  freshet.object-store.port FRESHET_OBJECT_STORE_PORT         (29190)
 * schema registry    freshet.schema-registry.port FRESHET_SCHEMA_REGISTRY_PORT   (29081)
 * ZooKeeper          freshet.zookeeper.port  FRESHET_ZOOKEEPER_PORT            (29281)
 * JDK 17 for servers freshet.java.home       FRESHET_JAVA_HOME     (default: searched)
 * </pre>
 */
public final class ServicesConfig {
  public static final int DEFAULT_KAFKA_PORT = 29092;
  public static final int DEFAULT_KAFKA_CONTROLLER_PORT = 29093;
  public static final int DEFAULT_REST_CATALOG_PORT = 29181;
  public static final int DEFAULT_OBJECT_STORE_PORT = 29190;
  public static final int DEFAULT_SCHEMA_REGISTRY_PORT = 29081;
  public static final int DEFAULT_ZOOKEEPER_PORT = 29281;
  public static final int DEFAULT_CQL_PORT = 29042;
  public static final int DEFAULT_CASSANDRA_STORAGE_PORT = 27000;
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(150);
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

  /** The loopback address every service binds to. */
  public static final String HOST = "127.0.0.1";

  private final Path stateDir;
  private final int kafkaPort;
  private final int kafkaControllerPort;
  private final int cqlPort;
  private final int cassandraStoragePort;
  private final int restCatalogPort;
  private final int objectStorePort;
  private final int schemaRegistryPort;
  private final int zookeeperPort;
  private final Path javaHome;
  private final Duration startTimeout;
  private final Duration stopTimeout;
  private final boolean secure;

  private ServicesConfig(Builder b) {
    this.stateDir =
        (b.stateDir != null ? b.stateDir : StateDirectory.resolve()).toAbsolutePath().normalize();
    this.kafkaPort = b.kafkaPort;
    this.kafkaControllerPort = b.kafkaControllerPort;
    this.cqlPort = b.cqlPort;
    this.cassandraStoragePort = b.cassandraStoragePort;
    this.restCatalogPort = b.restCatalogPort;
    this.objectStorePort = b.objectStorePort;
    this.schemaRegistryPort = b.schemaRegistryPort;
    this.zookeeperPort = b.zookeeperPort;
    this.javaHome = b.javaHome;
    this.startTimeout = b.startTimeout;
    this.stopTimeout = b.stopTimeout;
    this.secure = b.secure;
  }

  /** Settings from system properties and environment variables, else the defaults. */
  public static ServicesConfig fromEnvironment() {
    return builderFromEnvironment().build();
  }

  /** A builder preset from system properties and environment variables; override as needed. */
  public static Builder builderFromEnvironment() {
    return builderFrom(System.getenv(), System.getProperties()::getProperty);
  }

  static Builder builderFrom(
      Map<String, String> env, java.util.function.Function<String, String> sysProps) {
    Builder b = new Builder();
    b.stateDir(
        StateDirectory.resolve(
            env::get,
            sysProps,
            Path.of("").toAbsolutePath(),
            Path.of(System.getProperty("user.home"))));
    b.kafkaPort(
        port(env, sysProps, "freshet.kafka.port", "FRESHET_KAFKA_PORT", DEFAULT_KAFKA_PORT));
    b.kafkaControllerPort(
        port(
            env,
            sysProps,
            "freshet.kafka.controller.port",
            "FRESHET_KAFKA_CONTROLLER_PORT",
            DEFAULT_KAFKA_CONTROLLER_PORT));
    b.cqlPort(port(env, sysProps, "freshet.cql.port", "FRESHET_CQL_PORT", DEFAULT_CQL_PORT));
    b.cassandraStoragePort(
        port(
            env,
            sysProps,
            "freshet.cassandra.storage.port",
            "FRESHET_CASSANDRA_STORAGE_PORT",
            DEFAULT_CASSANDRA_STORAGE_PORT));
    b.restCatalogPort(
        port(
            env,
            sysProps,
            "freshet.rest-catalog.port",
            "FRESHET_REST_CATALOG_PORT",
            DEFAULT_REST_CATALOG_PORT));
    b.objectStorePort(
        port(
            env,
            sysProps,
            "freshet.object-store.port",
            "FRESHET_OBJECT_STORE_PORT",
            DEFAULT_OBJECT_STORE_PORT));
    b.schemaRegistryPort(
        port(
            env,
            sysProps,
            "freshet.schema-registry.port",
            "FRESHET_SCHEMA_REGISTRY_PORT",
            DEFAULT_SCHEMA_REGISTRY_PORT));
    b.zookeeperPort(
        port(
            env,
            sysProps,
            "freshet.zookeeper.port",
            "FRESHET_ZOOKEEPER_PORT",
            DEFAULT_ZOOKEEPER_PORT));
    String javaHome =
        StateDirectory.setting(env::get, sysProps, "freshet.java.home", "FRESHET_JAVA_HOME");
    if (javaHome != null) {
      b.javaHome(Path.of(javaHome));
    }
    return b;
  }

  private static int port(
      Map<String, String> env,
      java.util.function.Function<String, String> sysProps,
      String property,
      String variable,
      int dflt) {
    String value = StateDirectory.setting(env::get, sysProps, property, variable);
    if (value == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new LocalServicesException(
          "Port setting "
              + property
              + " / "
              + variable
              + " must be a number between 1 and 65535, got '"
              + value
              + "'");
    }
  }

  /**
   * A config on its own state dir and on eight ports free right now (see {@link LoopbackPorts}): a
   * private instance (a test, or one beside the shared services) that must not meet another.
   */
  public static ServicesConfig onFreePorts(Path stateDir) {
    int[] ports = LoopbackPorts.free(8);
    return builder()
        .stateDir(stateDir)
        .kafkaPort(ports[0])
        .kafkaControllerPort(ports[1])
        .cqlPort(ports[2])
        .cassandraStoragePort(ports[3])
        .restCatalogPort(ports[4])
        .objectStorePort(ports[5])
        .schemaRegistryPort(ports[6])
        .zookeeperPort(ports[7])
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .stateDir(stateDir)
        .kafkaPort(kafkaPort)
        .kafkaControllerPort(kafkaControllerPort)
        .cqlPort(cqlPort)
        .cassandraStoragePort(cassandraStoragePort)
        .restCatalogPort(restCatalogPort)
        .objectStorePort(objectStorePort)
        .schemaRegistryPort(schemaRegistryPort)
        .zookeeperPort(zookeeperPort)
        .javaHome(javaHome)
        .startTimeout(startTimeout)
        .stopTimeout(stopTimeout)
        .secure(secure);
  }

  public Path stateDir() {
    return stateDir;
  }

  public Path logDir() {
    return stateDir.resolve("logs");
  }

  public int kafkaPort() {
    return kafkaPort;
  }

  public int kafkaControllerPort() {
    return kafkaControllerPort;
  }

  public int cqlPort() {
    return cqlPort;
  }

  public int cassandraStoragePort() {
    return cassandraStoragePort;
  }

  /** The Iceberg REST catalog's port (the optional service). */
  public int restCatalogPort() {
    return restCatalogPort;
  }

  /** The S3-compatible object store's port (the optional service). */
  public int objectStorePort() {
    return objectStorePort;
  }

  /** The schema registry's port (the optional service). */
  public int schemaRegistryPort() {
    return schemaRegistryPort;
  }

  /** ZooKeeper's client port (the optional service, for Flink's high availability). */
  public int zookeeperPort() {
    return zookeeperPort;
  }

  /** The JDK 17 home to run the servers with, if given; otherwise one is searched for. */
  public Optional<Path> javaHome() {
    return Optional.ofNullable(javaHome);
  }

  public Duration startTimeout() {
    return startTimeout;
  }

  public Duration stopTimeout() {
    return stopTimeout;
  }

  /**
   * Whether a start should secure Kafka and Cassandra ({@link LocalSecurity}) if this state dir's
   * are not yet; a state dir once secured stays so whatever this says.
   */
  public boolean secure() {
    return secure;
  }

  @Override
  public String toString() {
    return "ServicesConfig{stateDir="
        + stateDir
        + ", kafka="
        + kafkaPort
        + "/"
        + kafkaControllerPort
        + ", cql="
        + cqlPort
        + ", storage="
        + cassandraStoragePort
        + ", rest-catalog="
        + restCatalogPort
        + ", object-store="
        + objectStorePort
        + ", schema-registry="
        + schemaRegistryPort
        + ", zookeeper="
        + zookeeperPort
        + "}";
  }

  /** Builder with validation of every value as it is set. */
  public static final class Builder {
    private Path stateDir; // null: StateDirectory.resolve()
    private int kafkaPort = DEFAULT_KAFKA_PORT;
    private int kafkaControllerPort = DEFAULT_KAFKA_CONTROLLER_PORT;
    private int cqlPort = DEFAULT_CQL_PORT;
    private int cassandraStoragePort = DEFAULT_CASSANDRA_STORAGE_PORT;
    private int restCatalogPort = DEFAULT_REST_CATALOG_PORT;
    private int objectStorePort = DEFAULT_OBJECT_STORE_PORT;
    private int schemaRegistryPort = DEFAULT_SCHEMA_REGISTRY_PORT;
    private int zookeeperPort = DEFAULT_ZOOKEEPER_PORT;
    private Path javaHome;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
    private boolean secure;

    private Builder() {}

    /** Secure this state dir's Kafka and Cassandra at their next start (see {@link #secure()}). */
    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    public Builder stateDir(Path stateDir) {
      this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
      return this;
    }

    public Builder kafkaPort(int port) {
      this.kafkaPort = checkPort("Kafka port", port);
      return this;
    }

    public Builder kafkaControllerPort(int port) {
      this.kafkaControllerPort = checkPort("Kafka controller port", port);
      return this;
    }

    public Builder cqlPort(int port) {
      this.cqlPort = checkPort("Cassandra CQL port", port);
      return this;
    }

    public Builder cassandraStoragePort(int port) {
      this.cassandraStoragePort = checkPort("Cassandra storage port", port);
      return this;
    }

    public Builder restCatalogPort(int port) {
      this.restCatalogPort = checkPort("Iceberg REST catalog port", port);
      return this;
    }

    public Builder objectStorePort(int port) {
      this.objectStorePort = checkPort("object store port", port);
      return this;
    }

    public Builder schemaRegistryPort(int port) {
      this.schemaRegistryPort = checkPort("schema registry port", port);
      return this;
    }

    public Builder zookeeperPort(int port) {
      this.zookeeperPort = checkPort("ZooKeeper port", port);
      return this;
    }

    /** A JDK 17 home for the server JVMs; null means search JAVA_HOME, PATH, /usr/lib/jvm. */
    public Builder javaHome(Path javaHome) {
      this.javaHome = javaHome;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = positive("start timeout", timeout);
      return this;
    }

    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = positive("stop timeout", timeout);
      return this;
    }

    public ServicesConfig build() {
      int[] ports = {
        kafkaPort,
        kafkaControllerPort,
        cqlPort,
        cassandraStoragePort,
        restCatalogPort,
        objectStorePort,
        schemaRegistryPort,
        zookeeperPort
      };
      for (int i = 0; i < ports.length; i++) {
        for (int j = i + 1; j < ports.length; j++) {
          if (ports[i] == ports[j]) {
            throw new LocalServicesException(
                "Port "
                    + ports[i]
                    + " is configured twice: Kafka, Kafka controller, Cassandra CQL, Cassandra"
                    + " storage, REST catalog, object store, schema registry and ZooKeeper ports must all differ");
          }
        }
      }
      return new ServicesConfig(this);
    }

    private static int checkPort(String what, int port) {
      if (port < 1 || port > 65535) {
        throw new LocalServicesException(what + " must be between 1 and 65535, got " + port);
      }
      return port;
    }

    private static Duration positive(String what, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new LocalServicesException(what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
