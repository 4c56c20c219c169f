package io.freshet.services;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * How to prepare, launch and probe one server JVM. Everything it writes lives under {@code
 * <stateDir>/<id>/}; its console output goes to {@code <stateDir>/logs/<id>.log}.
 */
abstract class ServerDefinition implements AutoCloseable {
  /**
   * JVM argument prefixes that mark a process as started by Freshet for this state dir. The state
   * dir marker is also the system property that a job's default Iceberg catalog reads (connectors'
   * IcebergOptions), so a job on the local Flink cluster writes its history under the cluster's
   * state dir.
   */
  static final String SERVICE_MARKER = "-Dfreshet.service=";

  static final String STATE_DIR_MARKER = "-D" + StateDirectory.PROPERTY + "=";

  protected final ServicesConfig config;
  protected final Service service;

  ServerDefinition(ServicesConfig config, Service service) {
    this.config = config;
    this.service = service;
  }

  static ServerDefinition of(ServicesConfig config, Service service) {
    return switch (service) {
      case KAFKA -> new KafkaServer(config);
      case CASSANDRA -> new CassandraServer(config);
      case REST_CATALOG -> new RestCatalogServer(config);
      case OBJECT_STORE -> new ObjectStoreServer(config);
      case SCHEMA_REGISTRY -> new SchemaRegistryServer(config);
      case ZOOKEEPER -> new ZooKeeperServer(config);
    };
  }

  Service service() {
    return service;
  }

  Path dir() {
    return config.stateDir().resolve(service.id());
  }

  Path pidFile() {
    return dir().resolve(service.id() + ".pid");
  }

  Path instanceFile() {
    return dir().resolve("instance.properties");
  }

  Path logFile() {
    return config.logDir().resolve(service.id() + ".log");
  }

  /** The ports this server binds, each with a short description of its use. */
  abstract LinkedHashMap<Integer, String> ports();

  /** The port clients connect to. */
  abstract int clientPort();

  String address() {
    return ServicesConfig.HOST + ":" + clientPort();
  }

  /** Writes configuration files and runs one-off setup steps before the launch. */
  abstract void prepare(Path java) throws IOException, InterruptedException;

  /** JVM options and main class with arguments; the java binary and markers are added. */
  abstract List<String> jvmArguments();

  /** Environment variables the server JVM gets on top of this process's (none by default). */
  java.util.Map<String, String> environment() {
    return java.util.Map.of();
  }

  /** Wrappers to put before the java binary (e.g. setsid, setpriv). */
  List<String> wrappers() {
    return new ArrayList<>(ProcessControl.ownSession());
  }

  final List<String> command(Path java) {
    List<String> cmd = new ArrayList<>(wrappers());
    cmd.add(java.toString());
    cmd.add(SERVICE_MARKER + service.id());
    cmd.add(STATE_DIR_MARKER + config.stateDir());
    cmd.addAll(jvmArguments());
    return cmd;
  }

  /**
   * One readiness probe: true when the server answers real client requests. Must return within
   * about {@code timeout}; may keep client resources open until {@link #close()}.
   */
  abstract boolean probeReady(Duration timeout);

  private java.net.http.HttpClient http;

  /**
   * One HTTP probe for servers that speak HTTP: the port accepts, and a GET of {@code uri} gets a
   * response {@code answers} accepts, within about {@code timeout}.
   */
  final boolean httpAnswers(
      int port,
      String uri,
      Duration timeout,
      java.util.function.Predicate<java.net.http.HttpResponse<String>> answers) {
    if (!Ports.accepts(port, (int) Math.min(timeout.toMillis(), 1000))) {
      return false;
    }
    if (http == null) {
      http = java.net.http.HttpClient.newBuilder().connectTimeout(timeout).build();
    }
    try {
      return answers.test(
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(uri))
                  .timeout(timeout)
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString()));
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A one-line description of the running server after a successful probe, e.g. its version. */
  String readyDetail() {
    return "";
  }

  @Override
  public void close() {}
}
