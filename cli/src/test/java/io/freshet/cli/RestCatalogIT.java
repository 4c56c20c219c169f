package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.services.LocalServices;
import io.freshet.services.Service;
import io.freshet.services.ServiceStatus;
import io.freshet.services.SparkSql;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The feature history in a shared catalog: Iceberg's REST catalog server, started by the local
 * services ({@code freshet services start --rest-catalog}) from Maven jars in its own JVM. The job
 * writes its history tables through it (catalog type {@code rest}, nothing else set: the server
 * chooses the table locations); the Cassandra vectors and the newest history rows read back through
 * a REST client equal the naive oracle; {@code freshet training-set} and {@code freshet
 * check-consistency}, given only the catalog's type and URI, read the same tables, and the training
 * set equals the oracle row by row; Spark SQL, with no Freshet code, reads every history row.
 */
@RealServices
class RestCatalogIT {
  /**
   * A namespace of this run's own: the local REST catalog keeps its tables across runs (its
   * warehouse is in the state dir), and an older run's rows would join this run's.
   */
  private static final String NAMESPACE = "rest_it_" + Long.toHexString(System.nanoTime());

  @Test
  @Timeout(600)
  void theJobTrainingSetsAndChecksShareTheRestCatalog(TestServices services) throws Exception {
    LocalServices local = services.localServices();
    boolean wasRunning = local.status(Service.REST_CATALOG).isUp();
    List<ServiceStatus> started = local.start(EnumSet.of(Service.REST_CATALOG));
    assertThat(started).singleElement().satisfies(s -> assertThat(s.isUp()).isTrue());
    String uri = local.restCatalogUri();
    try {
      String topic = services.createTopic("rest-payments", 2);
      services.createTopic("rest-payments.dead-letters", 1);
      Path dir = Path.of("target", "rest-catalog-it-" + UUID.randomUUID()).toAbsolutePath();
      Files.createDirectories(dir);
      Path specFile = ExampleSpec.onTopic(dir, topic, "customer_risk", "rest_risk");
      FeatureSpec spec = SpecParser.parse(specFile);
      ViewSpec view = spec.views().get(0);

      PaymentsGenerator generator = EndToEndChecks.dayWithoutLateEvents(41);
      try (KafkaPublisher out = new KafkaPublisher(services.kafkaBootstrapServers(), topic, 0)) {
        KafkaPublisher.publish(generator, out, n -> {});
      }

      Map<String, String> sets = EndToEndChecks.jobSettings(services, null, NAMESPACE);
      sets.put("freshet.iceberg.catalog-type", "rest");
      sets.put("freshet.iceberg.uri", uri);
      sets.put("freshet.kafka.group-id", "rest-" + UUID.randomUUID());
      sets.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
      sets.put(
          "execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
      FeatureJobRunner.Result r = EndToEndChecks.runToEnd(services, spec, sets);
      assertThat(r.counts().events()).as("events read").isEqualTo(generator.size());

      Catalog catalog =
          HistoryCatalogs.load(
              "freshet", HistoryCatalogs.complete(Map.of("type", "rest", "uri", uri), dir));
      try {
        assertThat(catalog).isInstanceOf(RESTCatalog.class);
        assertThat(
                catalog
                    .loadTable(
                        io.freshet.store.iceberg.HistoryTables.identifier(NAMESPACE, view.name()))
                    .location())
            .as("the table's location, chosen by the catalog server")
            .contains("rest-catalog/warehouse");
        EndToEndChecks.servingEqualsHistoryEqualsOracle(
            spec, generator, services, catalog, NAMESPACE);
        sparkReadsTheSameRows(uri, view, EndToEndChecks.history(catalog, NAMESPACE, view), dir);
      } finally {
        if (catalog instanceof AutoCloseable c) {
          c.close();
        }
      }

      String[] restCatalog = {
        "--catalog-type", "rest", "--catalog-uri", uri, "--namespace", NAMESPACE
      };
      EndToEndChecks.cliTrainingSetEqualsOracle(
          spec, specFile, view, generator, dir, java.util.Arrays.asList(restCatalog));

      CliRunner check = new CliRunner();
      assertThat(
              check.run(
                  concat(
                      new String[] {
                        "check-consistency",
                        "--spec",
                        specFile.toString(),
                        "--keyspace",
                        services.keyspace()
                      },
                      restCatalog)))
          .as("freshet check-consistency: %s%s", check.out(), check.err())
          .isZero();
      assertThat(check.out()).contains("consistent:");
    } finally {
      if (!wasRunning) {
        local.stop(EnumSet.of(Service.REST_CATALOG));
      }
    }
  }

  /**
   * Spark SQL (Spark 4.0.1 with Iceberg's Spark runtime, in its own JVM, no Freshet code) with the
   * catalog settings docs/notebooks.md gives: every history row, as the Iceberg API read them.
   */
  private static void sparkReadsTheSameRows(
      String uri, ViewSpec view, Map<String, List<EndToEndChecks.HistoryRow>> history, Path dir)
      throws Exception {
    List<String> features = List.of("txn_count_1h", "amount_sum_24h", "last_country");
    String sql =
        "SELECT entity, unix_millis(valid_from), revision, "
            + String.join(", ", features)
            + " FROM freshet."
            + NAMESPACE
            + "."
            + view.name();
    Map<String, String> conf = new java.util.LinkedHashMap<>();
    conf.put("spark.sql.catalog.freshet", "org.apache.iceberg.spark.SparkCatalog");
    conf.put("spark.sql.catalog.freshet.type", "rest");
    conf.put("spark.sql.catalog.freshet.uri", uri);
    var results = SparkSql.run(conf, List.of(sql), dir.resolve("spark.log"), Duration.ofMinutes(5));
    List<String> spark = new java.util.ArrayList<>();
    for (List<String> row : results.get(sql)) {
      spark.add(String.join("|", row.stream().map(String::valueOf).toList()));
    }
    List<String> iceberg = new java.util.ArrayList<>();
    history.forEach(
        (entity, rows) -> {
          for (EndToEndChecks.HistoryRow r : rows) {
            List<String> cells = new java.util.ArrayList<>();
            cells.add(entity);
            cells.add(Long.toString(r.validFrom()));
            cells.add(Integer.toString(r.revision()));
            for (String f : features) {
              cells.add(String.valueOf(r.values().get(view.indexOf(f))));
            }
            iceberg.add(String.join("|", cells));
          }
        });
    assertThat(spark)
        .as("history rows read by Spark SQL through the REST catalog")
        .isNotEmpty()
        .containsExactlyInAnyOrderElementsOf(iceberg);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
