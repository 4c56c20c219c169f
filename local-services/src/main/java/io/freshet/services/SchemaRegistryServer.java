package io.freshet.services;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Apicurio Registry 2.6 (its Quarkus runner jar from Maven Central, unpacked by
 * local-services/schema-registry-server), a schema registry whose {@code /apis/ccompat/v6} speaks
 * the Confluent schema registry API: producers register their schemas there and frame each record
 * with the schema's id (the Confluent wire format), and the job reads them with {@code
 * freshet.kafka.value-format=confluent}. Schemas are kept in memory (H2), so they are gone when it
 * stops: for local runs and tests, not for production.
 */
final class SchemaRegistryServer extends ServerDefinition {
  SchemaRegistryServer(ServicesConfig config) {
    super(config, Service.SCHEMA_REGISTRY);
  }

  @Override
  LinkedHashMap<Integer, String> ports() {
    LinkedHashMap<Integer, String> ports = new LinkedHashMap<>();
    ports.put(config.schemaRegistryPort(), "Schema registry");
    return ports;
  }

  @Override
  int clientPort() {
    return config.schemaRegistryPort();
  }

  /** The Confluent API's base URL of a registry at host:port. */
  static String url(String address) {
    return "http://" + address + "/apis/ccompat/v6";
  }

  @Override
  void prepare(Path java) {}

  @Override
  List<String> jvmArguments() {
    return List.of(
        "-Xms64m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        "-Dquarkus.http.host=" + ServicesConfig.HOST,
        "-Dquarkus.http.port=" + config.schemaRegistryPort(),
        "-Djava.io.tmpdir=" + dir(),
        "-jar",
        ServerClasspath.of(service).entries().get(0).toString());
  }

  @Override
  boolean probeReady(Duration timeout) {
    return httpAnswers(
        config.schemaRegistryPort(),
        url(address()) + "/subjects",
        timeout,
        r -> r.statusCode() == 200);
  }

  @Override
  String readyDetail() {
    return "Confluent API " + url(address());
  }
}
