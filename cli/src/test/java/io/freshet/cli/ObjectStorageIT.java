package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.services.LocalServices;
import io.freshet.services.ObjectStore;
import io.freshet.services.Service;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checkpoints, savepoints and the Iceberg warehouse on S3-compatible object storage: the local
 * object store ({@code freshet services start --object-store}, s3proxy in its own JVM) behind
 * Flink's S3 file system (flink-s3-fs-hadoop) and Iceberg's S3FileIO (iceberg-aws), configured with
 * the settings docs/operations.md gives. The job reads half of the payments, checkpoints and stops
 * with a savepoint at an {@code s3://} location, resumes from it for the other half; the history's
 * metadata and data files are objects in the bucket, nothing is written to the local warehouse;
 * Cassandra and the history equal the naive oracle; {@code freshet training-set}, given the same
 * catalog properties, builds a training set equal to the oracle; and the store refuses an unsigned
 * request for an object the job wrote.
 */
@RealServices
class ObjectStorageIT {
  private static final String NAMESPACE = "s3_it";

  @Test
  @Timeout(600)
  void checkpointsSavepointsAndHistoryLiveInTheObjectStore(TestServices services) throws Exception {
    LocalServices local = services.localServices();
    boolean wasRunning = local.status(Service.OBJECT_STORE).isUp();
    local.start(EnumSet.of(Service.OBJECT_STORE));
    try {
      ObjectStore store = local.objectStore();
      Path bucket =
          local.config().stateDir().resolve("object-store").resolve("data").resolve(store.bucket());
      String prefix = "object-storage-it-" + UUID.randomUUID();
      Path dir = Path.of("target", prefix).toAbsolutePath();
      Files.createDirectories(dir);

      String topic = services.createTopic("s3-payments", 2);
      services.createTopic("s3-payments.dead-letters", 1);
      Path specFile = ExampleSpec.onTopic(dir, topic, "customer_risk", "s3_risk");
      FeatureSpec spec = SpecParser.parse(specFile);
      ViewSpec view = spec.views().get(0);
      PaymentsGenerator generator = EndToEndChecks.dayWithoutLateEvents(43);
      List<PaymentsGenerator.Event> all = new ArrayList<>();
      generator.forEach(all::add);

      Map<String, String> catalog = new LinkedHashMap<>(store.icebergCatalogProperties());
      catalog.put("uri", "jdbc:sqlite:" + dir.resolve("catalog.db"));
      catalog.put("warehouse", store.uri(prefix + "/warehouse"));
      Map<String, String> sets = EndToEndChecks.jobSettings(services, null, NAMESPACE);
      sets.put("freshet.kafka.group-id", prefix);
      sets.putAll(store.flinkSettings());
      sets.put("execution.checkpointing.dir", store.uri(prefix + "/checkpoints"));
      sets.put("execution.checkpointing.savepoint-dir", store.uri(prefix + "/savepoints"));
      catalog.forEach((k, v) -> sets.put("freshet.iceberg.catalog." + k, v));
      sets.put("freshet.iceberg.uri", catalog.get("uri"));
      sets.put("freshet.iceberg.warehouse", catalog.get("warehouse"));

      String savepoint = null;
      for (List<PaymentsGenerator.Event> half :
          List.of(all.subList(0, 1_500), all.subList(1_500, all.size()))) {
        try (KafkaPublisher out = new KafkaPublisher(services.kafkaBootstrapServers(), topic, 0)) {
          KafkaPublisher.publish(half, out, n -> {});
        }
        Map<String, String> run = new LinkedHashMap<>(sets);
        if (savepoint == null) {
          run.put("freshet.kafka.starting-offsets", "earliest");
        } else {
          run.put("execution.state-recovery.path", savepoint);
        }
        StringWriter progress = new StringWriter();
        Configuration conf = FeatureJobRunner.localConfiguration(Path.of("../flink-conf"), run);
        List<String> hidden = new ArrayList<>();
        FeatureJobRunner.Result r =
            FeatureJobRunner.runLocal(
                spec,
                conf,
                new PrintWriter(progress),
                false,
                UntilEnd.take(
                    services.kafkaBootstrapServers(),
                    topic,
                    prefix,
                    savepoint == null ? UntilEnd.Start.EARLIEST : UntilEnd.Start.RESTORED),
                id ->
                    hidden.addAll(
                        EndToEndChecks.secretsHidden(conf, id, store.secretKey(), "secret")));
        assertThat(hidden)
            .as("the web UI's configuration pages that hold the secret's keys, masked")
            .contains("/jobmanager/config s3.secret-key")
            .contains("/jobmanager/config freshet.iceberg.catalog.s3.secret-access-key");
        assertThat(r.last().restarts()).as("restarts: %s", progress).isZero();
        assertThat(r.counts().events()).as("events read: %s", progress).isEqualTo(half.size());
        assertThat(r.savepoint())
            .as("the savepoint's location")
            .startsWith(store.uri(prefix + "/savepoints/"));
        Path metadata =
            bucket.resolve(r.savepoint().substring(store.uri("").length()) + "/_metadata");
        assertThat(metadata).as("the savepoint's metadata object").isRegularFile();
        // the job's checkpoint storage: chk-N objects are deleted once a job finishes; the job's
        // directory with its shared (incremental RocksDB files) part stays
        assertThat(
                bucket.resolve(prefix).resolve("checkpoints").resolve(r.jobId()).resolve("shared"))
            .as("the checkpoint directory of job %s", r.jobId())
            .isDirectory();
        savepoint = r.savepoint();
      }
      assertThat(dir.resolve("warehouse")).as("a local warehouse").doesNotExist();

      Catalog history = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(catalog, dir));
      try {
        Table table = history.loadTable(HistoryTables.identifier(NAMESPACE, view.name()));
        assertThat(table.location()).startsWith(store.uri(prefix + "/warehouse/"));
        assertThat(table.io().getClass().getName()).isEqualTo("org.apache.iceberg.aws.s3.S3FileIO");
        List<String> dataFiles = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
          tasks.forEach(t -> dataFiles.add(t.file().location()));
        }
        assertThat(dataFiles).isNotEmpty();
        for (String f : dataFiles) {
          assertThat(f).startsWith(store.uri(prefix + "/warehouse/"));
          assertThat(bucket.resolve(f.substring(store.uri("").length())))
              .as("object of data file %s", f)
              .isRegularFile();
        }
        EndToEndChecks.servingEqualsHistoryEqualsOracle(spec, all, services, history, NAMESPACE);

        // what the job wrote is private: an unsigned request is refused
        String someObject = dataFiles.get(0).substring("s3://".length());
        HttpResponse<String> anonymous =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(store.endpoint() + "/" + someObject)).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).as("unsigned GET of %s", someObject).isEqualTo(403);
      } finally {
        if (history instanceof AutoCloseable c) {
          c.close();
        }
      }

      List<String> s3Catalog =
          new ArrayList<>(
              List.of(
                  "--namespace",
                  NAMESPACE,
                  "--catalog-uri",
                  catalog.get("uri"),
                  "--warehouse",
                  catalog.get("warehouse")));
      store
          .icebergCatalogProperties()
          .forEach((k, v) -> s3Catalog.addAll(List.of("--catalog-property", k + "=" + v)));
      EndToEndChecks.cliTrainingSetEqualsOracle(spec, specFile, view, generator, dir, s3Catalog);
    } finally {
      if (!wasRunning) {
        local.stop(EnumSet.of(Service.OBJECT_STORE));
      }
    }
  }
}
