package io.freshet.cli;

import io.freshet.services.LocalSecurity;
import io.freshet.services.LocalServices;
import io.freshet.services.ObjectStore;
import io.freshet.services.Service;
import io.freshet.services.ServiceStatus;
import io.freshet.services.ServicesConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code freshet services status}: which servers run, where, and where their logs are. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows whether Kafka and Cassandra are running from this state dir, their addresses, pids"
          + " and logs.",
      "Exit code 0 when both run, 3 when one or both do not."
    },
    footer = {"", "Example:", "  freshet services status"})
final class ServicesStatusCommand implements Callable<Integer> {
  static final int NOT_ALL_RUNNING = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ServicesOptions options;

  @Override
  public Integer call() {
    ServicesConfig config = options.toConfig();
    PrintWriter out = spec.commandLine().getOut();
    List<ServiceStatus> results = new LocalServices(config).status();
    out.println("State dir: " + config.stateDir());
    results.forEach(s -> out.println(s.describe()));
    printConnectionHints(out, results, config);
    return results.stream().allMatch(ServiceStatus::isUp) ? 0 : NOT_ALL_RUNNING;
  }

  static void printConnectionHints(
      PrintWriter out, List<ServiceStatus> results, ServicesConfig config) {
    for (ServiceStatus s : results) {
      if (!s.isUp()) {
        continue;
      }
      LocalSecurity security = LocalSecurity.of(config.stateDir());
      if (s.service() == Service.KAFKA) {
        out.println(
            "Kafka bootstrap servers: "
                + s.address()
                + (security.enabled()
                    ? " (SASL_SSL, SCRAM user "
                        + LocalSecurity.USER
                        + "; client settings in "
                        + security.kafkaClientProperties()
                        + ")"
                    : ""));
      } else if (s.service() == Service.REST_CATALOG) {
        String uri = LocalServices.restCatalogUri(s);
        out.println(
            "Iceberg REST catalog: "
                + uri
                + " (commands: --catalog-type rest --catalog-uri "
                + uri
                + "; jobs: --set freshet.iceberg.catalog-type=rest --set freshet.iceberg.uri="
                + uri
                + ")");
      } else if (s.service() == Service.ZOOKEEPER) {
        out.println(
            "ZooKeeper: "
                + s.address()
                + " (for the session cluster's JobManager high availability: docs/operations.md)");
      } else if (s.service() == Service.SCHEMA_REGISTRY) {
        String url = LocalServices.schemaRegistryUrl(s);
        out.println(
            "Schema registry (Confluent API): "
                + url
                + " (jobs: --set freshet.kafka.value-format=confluent --set"
                + " freshet.kafka.schema-registry.url="
                + url
                + "; schemas in memory)");
      } else if (s.service() == Service.OBJECT_STORE) {
        ObjectStore store = new LocalServices(config).objectStore(s);
        out.println(
            "S3 object store: "
                + store.endpoint()
                + ", bucket "
                + store.bucket()
                + ", access key "
                + store.accessKey()
                + ", secret in "
                + store.credentialsFile()
                + " (settings: docs/operations.md, \"Object storage\")");
      } else {
        out.println(
            "Cassandra contact point: "
                + s.address()
                + " (local datacenter "
                + LocalServices.cassandraLocalDatacenter()
                + (security.enabled()
                    ? "; TLS, role "
                        + LocalSecurity.USER
                        + ", settings in "
                        + security.cassandraClientProperties()
                    : "")
                + ")");
      }
    }
  }
}
