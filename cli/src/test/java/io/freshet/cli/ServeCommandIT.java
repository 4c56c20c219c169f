package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.cassandra.CassandraFeatureWriter;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code freshet serve} as a user runs it, on the real Cassandra filled by the job's writer: it
 * prints where it serves, answers a plain HTTP client with the example spec's vector (behind a
 * bearer token), and stops cleanly.
 */
@ExtendWith(RealServicesExtension.class)
class ServeCommandIT {
  private static final Path SPEC = Path.of("../examples/payments/payments.yaml");

  /** A writer that signals each flush, so the test waits for the command's first lines. */
  private static final class FlushSignal extends StringWriter {
    final CountDownLatch flushed = new CountDownLatch(1);

    @Override
    public void flush() {
      super.flush();
      if (toString().contains("Ctrl-C stops it")) {
        flushed.countDown();
      }
    }
  }

  @Test
  void servesTheExampleSpecBehindATokenAndStops(TestServices services, @TempDir Path dir)
      throws Exception {
    FeatureSpec spec = SpecParser.parse(SPEC);
    ViewSpec view = spec.views().get(0);
    long now = System.currentTimeMillis();
    Configuration conf = new Configuration();
    String cassandra = "127.0.0.1:" + services.cassandraContactPoint().getPort();
    conf.set(CassandraOptions.CONTACT_POINTS, List.of(cassandra));
    conf.set(CassandraOptions.LOCAL_DATACENTER, services.cassandraLocalDatacenter());
    conf.set(CassandraOptions.KEYSPACE, services.keyspace());
    List<Object> values = new ArrayList<>(Arrays.asList(new Object[view.features().size()]));
    values.set(view.indexOf("txn_count_1h"), 5L);
    values.set(view.indexOf("last_country"), "FR");
    values.set(view.indexOf("amount_avg_7d"), 40.0);
    try (CassandraFeatureWriter w =
        CassandraFeatureWriter.open(
            spec.source(), view, conf, 0, new UnregisteredMetricsGroup(), () -> now)) {
      w.write(
          new FeatureUpdate(
              "c42",
              view.name(),
              now - 1000,
              now - 1000,
              values,
              view.version(spec.source()),
              false,
              0,
              now,
              List.of()),
          null);
      w.flush(true);
    }
    Path tokens = Files.writeString(dir.resolve("tokens"), "t0ken\n");

    FlushSignal out = new FlushSignal();
    StringWriter err = new StringWriter();
    CommandLine cli = FreshetCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread serve =
        new Thread(
            () ->
                exit.complete(
                    cli.execute(
                        "serve",
                        "--spec",
                        SPEC.toString(),
                        "--port",
                        "0",
                        "--contact-point",
                        cassandra,
                        "--keyspace",
                        services.keyspace(),
                        "--tokens-file",
                        tokens.toString())),
            "freshet-serve-under-test");
    serve.start();
    assertThat(out.flushed.await(60, TimeUnit.SECONDS)).as(out + "\n" + err).isTrue();
    assertThat(out.toString())
        .contains("freshet serve: views [customer_risk] on http://127.0.0.1:")
        .contains("at most 1000 entities per request, timeout 1s, plain HTTP, bearer tokens from")
        .contains("Ctrl-C stops it.");
    Matcher m = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+)").matcher(out.toString());
    assertThat(m.find()).isTrue();
    URI base = URI.create(m.group(1));

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(base.resolve("/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    HttpResponse<String> read = null;
    for (int i = 0; i < 30 && (read == null || read.statusCode() == 503); i++) {
      read =
          http.send(
              HttpRequest.newBuilder(base.resolve("/v1/features"))
                  .header("Authorization", "Bearer t0ken")
                  .header("Content-Type", "application/json")
                  .timeout(Duration.ofSeconds(30))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"view\": \"customer_risk\", \"entities\": [\"c42\"],"
                              + " \"features\": [\"txn_count_1h\", \"last_country\","
                              + " \"amount_avg_7d\"]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    }
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    JsonNode features =
        new ObjectMapper().readTree(read.body()).get("results").get(0).get("features");
    assertThat(features.get("txn_count_1h").get("value").asLong()).isEqualTo(5L);
    assertThat(features.get("last_country").get("value").asText()).isEqualTo("FR");
    assertThat(features.get("amount_avg_7d").get("value").asDouble()).isEqualTo(40.0);
    assertThat(features.get("txn_count_1h").get("age_ms").asLong()).isBetween(1000L, 600_000L);

    // request-time features: served from the request, and in a training set from the spine
    // columns of the same names, over the same stored vector: the same values
    HttpResponse<String> scored =
        http.send(
            HttpRequest.newBuilder(base.resolve("/v1/features"))
                .header("Authorization", "Bearer t0ken")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"view\": \"customer_risk\", \"entities\": [\"c42\"],"
                            + " \"features\": [\"amount_vs_avg_7d\", \"country_changed\"],"
                            + " \"request\": {\"amount\": 100, \"country\": \"DE\"}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(scored.statusCode()).as(scored.body()).isEqualTo(200);
    JsonNode computed =
        new ObjectMapper().readTree(scored.body()).get("results").get(0).get("features");
    assertThat(computed.get("amount_vs_avg_7d").get("value").asDouble()).isEqualTo(2.5);
    assertThat(computed.get("amount_vs_avg_7d").get("status").asText()).isEqualTo("PRESENT");
    assertThat(computed.get("country_changed").get("value").asBoolean()).isTrue();
    // the client without a spec reads the request-time features the job registered
    try (io.freshet.serving.FeatureClient client =
        io.freshet.serving.FeatureClient.builder()
            .contactPoints(cassandra)
            .localDatacenter(services.cassandraLocalDatacenter())
            .keyspace(services.keyspace())
            .build()) {
      io.freshet.serving.FeatureVector v =
          client.get("customer_risk", "c42", java.util.Map.of("amount", 100, "country", "DE"));
      assertThat(v.get("amount_vs_avg_7d").asDouble()).isEqualTo(2.5);
      assertThat(v.get("country_changed").asBoolean()).isTrue();
    }
    StringWriter got = new StringWriter();
    CommandLine get = FreshetCli.commandLine();
    get.setOut(new PrintWriter(got, true));
    assertThat(
            get.execute(
                "get",
                "--view",
                "customer_risk",
                "--entity",
                "c42",
                "--request",
                "amount=100",
                "--request",
                "country=DE",
                "--contact-point",
                cassandra,
                "--keyspace",
                services.keyspace()))
        .isZero();
    assertThat(got.toString())
        .containsPattern("amount_vs_avg_7d +double +PRESENT .* 2\\.5")
        .containsPattern("country_changed +boolean +PRESENT .* true");
    assertThat(trainingSetRow(spec, view, values, now, dir))
        .containsEntry("amount_vs_avg_7d", 2.5)
        .containsEntry("country_changed", true);
    HttpResponse<String> wrongType =
        http.send(
            HttpRequest.newBuilder(base.resolve("/v1/features"))
                .header("Authorization", "Bearer t0ken")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"view\": \"customer_risk\", \"entities\": [\"c42\"],"
                            + " \"request\": {\"amount\": \"lots\"}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(wrongType.body())
        .contains("invalid_request_field")
        .contains(
            "request field 'amount' of view 'customer_risk': expected a number, got \\\"lots\\\"");

    serve.interrupt();
    assertThat(exit.get(30, TimeUnit.SECONDS)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("freshet serve: stopped");
  }

  /**
   * The request-time features of a training set whose history holds the served vector and whose one
   * spine row is the request above (amount 100, country DE), built by the command.
   */
  private static java.util.Map<String, Object> trainingSetRow(
      FeatureSpec spec, ViewSpec view, List<Object> values, long now, Path dir) throws Exception {
    org.apache.iceberg.catalog.Catalog catalog =
        io.freshet.store.iceberg.HistoryCatalogs.load(
            "freshet", io.freshet.store.iceberg.HistoryCatalogs.complete(java.util.Map.of(), dir));
    org.apache.iceberg.Table table =
        io.freshet.store.iceberg.HistoryTables.ensure(catalog, "freshet", spec.source(), view);
    io.freshet.training.HistoryAppender.append(
        table,
        List.of(
            io.freshet.training.HistoryAppender.toRecord(
                table,
                new io.freshet.training.HistoryAppender.Row(
                    "c42", now - 1000, now - 1000, now, 0, values))));
    Path spine =
        Files.writeString(
            dir.resolve("scored.csv"),
            "customer_id,timestamp,amount,country\nc42," + now + ",100,DE\n");
    Path out = dir.resolve("scored.parquet");
    CommandLine cli = FreshetCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    int exit =
        cli.execute(
            "training-set",
            "--spec",
            SPEC.toString(),
            "--spine",
            spine.toString(),
            "--entity-column",
            "customer_id",
            "--timestamp-column",
            "timestamp",
            "-f",
            "customer_risk:amount_vs_avg_7d,customer_risk:country_changed",
            "--state-dir",
            dir.toString(),
            "-o",
            out.toString());
    assertThat(exit).as(err.toString()).isZero();
    List<org.apache.avro.generic.GenericRecord> rows = io.freshet.testing.ParquetRows.read(out);
    assertThat(rows).hasSize(1);
    java.util.Map<String, Object> row = new java.util.HashMap<>();
    row.put("amount_vs_avg_7d", rows.get(0).get("amount_vs_avg_7d"));
    row.put("country_changed", rows.get(0).get("country_changed"));
    return row;
  }
}
