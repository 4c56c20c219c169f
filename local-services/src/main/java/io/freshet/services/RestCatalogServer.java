package io.freshet.services;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Apache Iceberg's REST catalog server ({@code org.apache.iceberg.rest.RESTCatalogServer}, the
 * reference implementation of the REST catalog protocol from iceberg-open-api's test fixtures) in
 * front of a JDBC catalog on SQLite, with its warehouse on this machine's file system:
 *
 * <pre>
 *  &lt;state dir&gt;/rest-catalog/catalog.db     the catalog's tables (SQLite)
 *  &lt;state dir&gt;/rest-catalog/warehouse/     the tables' metadata and data files
 * </pre>
 *
 * Clients (the job, training sets, {@code freshet views}, Spark, PyIceberg, Trino) reach it at
 * {@code http://127.0.0.1:<port>/} with catalog type {@code rest} and read and write the files
 * themselves, at the {@code file:} locations the catalog hands out. The server takes its settings
 * from {@code CATALOG_*} environment variables (Iceberg's convention: {@code CATALOG_URI} is {@code
 * uri}, {@code _} is {@code .}, {@code __} is {@code -}); it has no host setting and listens on
 * every interface.
 */
final class RestCatalogServer extends ServerDefinition {
  RestCatalogServer(ServicesConfig config) {
    super(config, Service.REST_CATALOG);
  }

  @Override
  LinkedHashMap<Integer, String> ports() {
    LinkedHashMap<Integer, String> ports = new LinkedHashMap<>();
    ports.put(config.restCatalogPort(), "Iceberg REST catalog");
    return ports;
  }

  @Override
  int clientPort() {
    return config.restCatalogPort();
  }

  /** The catalog's URI for clients, e.g. {@code http://127.0.0.1:29181/}. */
  static String uri(String address) {
    return "http://" + address + "/";
  }

  Path warehouse() {
    return dir().resolve("warehouse");
  }

  @Override
  void prepare(Path java) throws IOException {
    Files.createDirectories(warehouse());
  }

  @Override
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CATALOG_CATALOG__IMPL", "org.apache.iceberg.jdbc.JdbcCatalog");
    env.put("CATALOG_URI", "jdbc:sqlite:" + dir().resolve("catalog.db"));
    // the V1 schema also stores views; a busy timeout lets concurrent commits wait, not fail
    env.put("CATALOG_JDBC_SCHEMA__VERSION", "V1");
    env.put("CATALOG_JDBC_BUSY__TIMEOUT", "60000");
    env.put("CATALOG_WAREHOUSE", warehouse().toUri().toString());
    env.put("CATALOG_REST_PORT", Integer.toString(config.restCatalogPort()));
    return env;
  }

  @Override
  List<String> jvmArguments() {
    return List.of(
        "-Xms64m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        "-cp",
        ServerClasspath.of(service).asArgument(),
        "org.apache.iceberg.rest.RESTCatalogServer");
  }

  @Override
  boolean probeReady(Duration timeout) {
    return httpAnswers(
        config.restCatalogPort(),
        uri(address()) + "v1/config",
        timeout,
        r -> r.statusCode() == 200);
  }

  @Override
  String readyDetail() {
    return "catalog " + uri(address()) + ", warehouse " + warehouse();
  }
}
