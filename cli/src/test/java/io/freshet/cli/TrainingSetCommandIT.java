package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.services.FlinkCluster;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.ParquetRows;
import io.freshet.testing.SessionCluster;
import io.freshet.training.HistoryAppender;
import io.freshet.training.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code freshet training-set --engine flink} against {@code --engine local} on the payments
 * example's history: the same rows, the same manifest, and a Flink rebuild from the local run's
 * manifest. The Flink job runs on a MiniCluster in this JVM with flink-conf/config.yaml (RocksDB,
 * checkpoint interval, no Kryo, no generated uids), as the command runs it for a user; and, with
 * {@code --jobmanager}, on a session cluster of its own JVMs ({@link FlinkCluster}, as {@code
 * freshet cluster start} runs it) with the shaded job jar (build it first: {@code ./mvnw -pl jobs
 * -am package -DskipTests}).
 */
class TrainingSetCommandIT {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z

  private final CliRunner freshet = new CliRunner();

  /**
   * Writes the payments example's history (30 customers, ties and corrections included) into a
   * catalog under {@code dir} and a 2000-row spine; returns the command's options for them.
   */
  private static String[] historyAndSpine(Path dir) throws Exception {
    Path specFile = LocalDefaults.home().resolve("examples/payments/payments.yaml");
    FeatureSpec spec = SpecParser.parse(specFile);
    ViewSpec view = spec.views().get(0);
    Catalog catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), dir));
    Table table = HistoryTables.ensure(catalog, "freshet", spec.source(), view);
    Random rnd = new Random(7);
    List<Record> history = new ArrayList<>();
    for (int c = 0; c < 30; c++) {
      long vf = T0;
      for (int i = 0; i < 20; i++) {
        vf += rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(600_000);
        List<Object> values = new ArrayList<>();
        for (FeatureDef f : view.features()) {
          values.add(
              switch (f.outputType()) {
                case LONG -> (long) rnd.nextInt(50);
                case DOUBLE -> rnd.nextInt(10_000) / 100.0;
                case STRING -> List.of("FR", "DE").get(rnd.nextInt(2));
                case BOOLEAN -> rnd.nextBoolean();
              });
        }
        history.add(
            HistoryAppender.toRecord(
                table, new HistoryAppender.Row("c" + c, vf, vf, vf + 5, i, values)));
      }
    }
    HistoryAppender.append(table, history);
    StringBuilder csv = new StringBuilder("customer_id,timestamp,label\n");
    for (int i = 0; i < 2000; i++) {
      long ts = T0 - 60_000 + rnd.nextInt(4 * 3_600_000);
      csv.append("c").append(rnd.nextInt(32)).append(',').append(ts).append(',').append(i % 2);
      csv.append('\n');
    }
    Path spine = dir.resolve("labels.csv");
    Files.writeString(spine, csv);
    return new String[] {
      "training-set",
      "--spec",
      specFile.toString(),
      "--spine",
      spine.toString(),
      "--entity-column",
      "customer_id",
      "--timestamp-column",
      "timestamp",
      "-f",
      "customer_risk:txn_count_1h,customer_risk:amount_avg_7d,customer_risk:last_country",
      "--state-dir",
      dir.toString()
    };
  }

  @Test
  void theFlinkEngineWritesTheRowsOfTheLocalOne(@TempDir Path dir) throws Exception {
    String[] common = historyAndSpine(dir);
    Path local = dir.resolve("local.parquet");
    assertThat(freshet.run(concat(common, "-o", local.toString()))).as(freshet.err()).isZero();
    Path flink = dir.resolve("flink.parquet");
    assertThat(
            freshet.run(
                concat(common, "--engine", "flink", "--parallelism", "2", "-o", flink.toString())))
        .as(freshet.err())
        .isZero();
    assertThat(freshet.err()).contains("as a Flink batch job (parallelism 2)");

    List<String> expected = ParquetRows.text(local);
    assertThat(expected).hasSize(2000).anyMatch(r -> r.contains("\"last_country\": \""));
    assertThat(ParquetRows.text(flink)).isEqualTo(expected);
    Manifest localManifest = Manifest.read(dir.resolve("local.manifest.json"));
    Manifest flinkManifest = Manifest.read(dir.resolve("flink.manifest.json"));
    assertThat(flinkManifest.views()).isEqualTo(localManifest.views());
    assertThat(flinkManifest.spineSha256()).isEqualTo(localManifest.spineSha256());

    Path again = dir.resolve("again.parquet");
    assertThat(
            freshet.run(
                "training-set",
                "--manifest",
                dir.resolve("local.manifest.json").toString(),
                "--state-dir",
                dir.toString(),
                "--engine",
                "flink",
                "-o",
                again.toString()))
        .as(freshet.err())
        .isZero();
    assertThat(ParquetRows.text(again)).isEqualTo(expected);
  }

  @Test
  void theSameJoinRunsOnASessionCluster(@TempDir Path dir) throws Exception {
    String[] common = historyAndSpine(dir);
    Path local = dir.resolve("local.parquet");
    assertThat(freshet.run(concat(common, "-o", local.toString()))).as(freshet.err()).isZero();
    FlinkCluster cluster = SessionCluster.create(dir.resolve("cluster"), Map.of());
    try {
      cluster.start(SessionCluster.START_TIMEOUT);
      Path remote = dir.resolve("remote.parquet");
      int code =
          freshet.run(
              concat(common, "--jobmanager", cluster.restAddress(), "-o", remote.toString()));
      assertThat(code).as(freshet.err()).isZero();
      assertThat(ParquetRows.text(remote)).isEqualTo(ParquetRows.text(local));
    } finally {
      cluster.stop(Duration.ofSeconds(30));
    }
  }

  @Test
  void engineOptionsAreCheckedBeforeAnythingRuns(@TempDir Path dir) {
    assertThat(
            freshet.run("training-set", "--engine", "flink", "--rows-in-memory", "10", "-o", "x"))
        .isEqualTo(1);
    assertThat(freshet.err()).contains("--rows-in-memory and --temp-dir are for --engine local");
    assertThat(freshet.run("training-set", "--parallelism", "4", "-o", "x")).isEqualTo(1);
    assertThat(freshet.err())
        .contains("--parallelism, --flink-conf and --set are for --engine flink");
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
