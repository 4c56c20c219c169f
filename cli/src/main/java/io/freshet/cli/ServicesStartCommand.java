package io.freshet.cli;

import io.freshet.services.LocalServices;
import io.freshet.services.Service;
import io.freshet.services.ServiceStatus;
import io.freshet.services.ServicesConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code freshet services start}: starts Kafka and Cassandra (and, when asked, the Iceberg REST
 * catalog) and waits until they answer.
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Starts Kafka and Cassandra (in parallel) unless they are already running, and waits until"
          + " Kafka answers metadata requests and Cassandra answers CQL.",
      "With --rest-catalog, also Apache Iceberg's REST catalog server (a JDBC catalog on SQLite"
          + " and a warehouse in the state dir), which notebooks, Spark, Trino and PyIceberg reach"
          + " over HTTP; give it to jobs and commands as catalog type rest (see"
          + " docs/notebooks.md).",
      "With --object-store, also an S3-compatible object store (s3proxy on a directory of the"
          + " state dir, bucket freshet, a secret of its own in object-store/credentials.properties)"
          + " for checkpoints, savepoints and an Iceberg warehouse at s3:// locations (see"
          + " docs/operations.md, \"Object storage\").",
      "With --secure (on the first start of a state dir; it stays secured), Kafka takes clients"
          + " only over TLS with SASL/SCRAM-SHA-512 and Cassandra only over TLS with a password;"
          + " certificates, passwords and client settings are made in the state dir's secure/"
          + " (see docs/operations.md, \"Secured services\"). Freshet's commands find them there"
          + " on their own.",
      "With --schema-registry, also a schema registry speaking the Confluent API (Apicurio"
          + " Registry from Maven Central, schemas in memory: gone when it stops), for sources"
          + " whose producers write the Confluent wire format (freshet.kafka.value-format=confluent).",
      "Needs a JDK 17 for the servers (Cassandra 5.0 runs only on 17)."
    },
    footer = {
      "",
      "Examples:",
      "  freshet services start",
      "  freshet services start --rest-catalog",
      "  freshet services start --object-store",
      "  freshet services start --secure --state-dir /tmp/freshet-secure",
      "  freshet services start --state-dir /tmp/freshet --kafka-port 39092 --cql-port 39042"
    })
final class ServicesStartCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ServicesOptions options;

  @CommandLine.Option(
      names = "--rest-catalog",
      description = "Also start the Iceberg REST catalog (port: --rest-catalog-port).")
  boolean restCatalog;

  @CommandLine.Option(
      names = "--object-store",
      description = "Also start the S3-compatible object store (port: --object-store-port).")
  boolean objectStore;

  @CommandLine.Option(
      names = "--schema-registry",
      description =
          "Also start a schema registry with the Confluent API (Apicurio Registry, in memory;"
              + " port: --schema-registry-port).")
  boolean schemaRegistry;

  @CommandLine.Option(
      names = "--zookeeper",
      description =
          "Also start ZooKeeper, for the session cluster's JobManager high availability"
              + " (port: --zookeeper-port; see docs/operations.md, \"JobManager high"
              + " availability\").")
  boolean zookeeper;

  @CommandLine.Option(
      names = "--secure",
      description =
          "Secure Kafka (TLS, SASL/SCRAM) and Cassandra (TLS, password) of this state dir; needs a"
              + " state dir whose Kafka has never started unsecured.")
  boolean secure;

  @Override
  public Integer call() {
    ServicesConfig config = options.toConfig().toBuilder().secure(secure).build();
    PrintWriter out = spec.commandLine().getOut();
    out.println("Starting local services in " + config.stateDir() + " ...");
    out.flush();
    java.util.EnumSet<Service> services = Service.defaults();
    if (restCatalog) {
      services.add(Service.REST_CATALOG);
    }
    if (objectStore) {
      services.add(Service.OBJECT_STORE);
    }
    if (schemaRegistry) {
      services.add(Service.SCHEMA_REGISTRY);
    }
    if (zookeeper) {
      services.add(Service.ZOOKEEPER);
    }
    List<ServiceStatus> results = new LocalServices(config).start(services);
    results.forEach(s -> out.println(s.describe()));
    boolean allWereRunning =
        results.stream().allMatch(s -> s.state() == ServiceStatus.State.ALREADY_RUNNING);
    out.println();
    if (allWereRunning) {
      out.println("Everything was already running; nothing started.");
    }
    ServicesStatusCommand.printConnectionHints(out, results, config);
    out.println("Logs: " + config.logDir());
    return 0;
  }
}
