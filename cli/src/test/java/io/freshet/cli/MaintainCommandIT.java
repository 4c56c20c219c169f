package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.HistoryRows;
import io.freshet.testing.ParquetRows;
import io.freshet.training.HistoryAppender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code freshet maintain} on the payments example's history after many checkpoint commits (the
 * local JDBC catalog on SQLite, no services): every row kept, the small files compacted, old
 * snapshots expired except the one a training-set manifest read, which still rebuilds its training
 * set row for row; forced, the command names the manifest it breaks, whose rebuild then fails.
 */
class MaintainCommandIT {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long DAY = 86_400_000L;
  private static final Path SPEC = LocalDefaults.home().resolve("examples/payments/payments.yaml");

  @TempDir Path dir;
  private final CliRunner freshet = new CliRunner();
  private Catalog catalog;
  private Table table;
  private ViewSpec view;
  private final Random rnd = new Random(17);

  @BeforeEach
  void historyTable() {
    FeatureSpec spec = SpecParser.parse(SPEC);
    view = spec.views().get(0);
    catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), dir));
    table = HistoryTables.ensure(catalog, "freshet", spec.source(), view);
  }

  @AfterEach
  void closeCatalog() throws Exception {
    if (catalog instanceof AutoCloseable c) {
      c.close();
    }
  }

  /** {@code n} commits, as checkpoints leave them: 30 customers' updates over 2 days each. */
  private long checkpoints(int n) {
    long last = 0;
    for (int c = 0; c < n; c++) {
      List<Record> rows = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        long vf = T0 + rnd.nextInt(2) * DAY + rnd.nextInt((int) DAY);
        List<Object> values = new ArrayList<>();
        for (FeatureDef f : view.features()) {
          values.add(
              rnd.nextInt(6) == 0
                  ? null
                  : switch (f.outputType()) {
                    case LONG -> (long) rnd.nextInt(50);
                    case DOUBLE -> rnd.nextInt(10_000) / 100.0;
                    case STRING -> List.of("FR", "DE").get(rnd.nextInt(2));
                    case BOOLEAN -> rnd.nextBoolean();
                  });
        }
        rows.add(
            HistoryAppender.toRecord(
                table, new HistoryAppender.Row("c" + rnd.nextInt(30), vf, vf, vf + 5, 0, values)));
      }
      last = HistoryAppender.append(table, rows);
    }
    return last;
  }

  /** A training set over the history as it is now; returns its output file. */
  private Path trainingSet(String name) throws IOException {
    Path spine = dir.resolve("labels.csv");
    if (!Files.exists(spine)) {
      StringBuilder csv = new StringBuilder("customer_id,timestamp,label\n");
      Random r = new Random(3);
      for (int i = 0; i < 500; i++) {
        long ts = T0 + r.nextInt((int) (2 * DAY));
        csv.append("c").append(r.nextInt(30)).append(',').append(ts).append(',').append(i % 2);
        csv.append('\n');
      }
      Files.writeString(spine, csv);
    }
    Path output = dir.resolve(name + ".parquet");
    int code =
        freshet.run(
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
            "customer_risk:txn_count_1h,customer_risk:amount_sum_24h,customer_risk:last_country",
            "--state-dir",
            dir.toString(),
            "-o",
            output.toString(),
            "--manifest-out",
            dir.resolve("sets").resolve(name + ".manifest.json").toString());
    assertThat(code).as(freshet.err()).isZero();
    return output;
  }

  private int rebuild(String name) {
    return freshet.run(
        "training-set",
        "--manifest",
        dir.resolve("sets").resolve(name + ".manifest.json").toString(),
        "--state-dir",
        dir.toString(),
        "-o",
        dir.resolve(name + "-again.parquet").toString());
  }

  @Test
  void maintainCompactsExpiresAndKeepsWhatAManifestReads() throws Exception {
    Files.createDirectories(dir.resolve("sets"));
    long pinned = checkpoints(12);
    Path early = trainingSet("early");
    checkpoints(12);
    List<String> history = HistoryRows.sortedText(table);
    assertThat(history).hasSize(24 * 30);
    assertThat(dataFiles()).isEqualTo(48);
    String manifest = dir.resolve("sets").resolve("early.manifest.json").toString();

    int code =
        freshet.run(
            "maintain",
            "--state-dir",
            dir.toString(),
            "--spec",
            SPEC.toString(),
            "--keep-manifests",
            dir.resolve("sets").toString(),
            "--older-than",
            "0s");

    assertThat(code).as(freshet.err()).isZero();
    String printed = freshet.out();
    assertThat(printed)
        .contains("1 training-set manifest read 1 snapshot: kept")
        .contains("freshet.customer_risk")
        .contains("  compaction: 48 data files -> 2: rewrote 48 small files of 2 partitions")
        .contains("  snapshots: 25 -> 2: expired 23 older than 0s")
        .contains("1 pinned by training-set manifests")
        .contains("    kept snapshot " + pinned + ": pinned by " + manifest);
    assertThat(HistoryRows.sortedText(table)).as("every row, every column").isEqualTo(history);
    assertThat(dataFiles()).isEqualTo(2);
    table.refresh();
    assertThat(table.snapshots()).hasSize(2);
    assertThat(table.snapshot(pinned)).isNotNull();

    // the pinned training set still rebuilds row for row, while today's history gives other rows
    assertThat(rebuild("early")).as(freshet.err()).isZero();
    assertThat(ParquetRows.text(dir.resolve("early-again.parquet")))
        .isEqualTo(ParquetRows.text(early));
    assertThat(ParquetRows.text(trainingSet("now"))).isNotEqualTo(ParquetRows.text(early));

    // forced: the pinned snapshot goes, and the command says which manifest it broke
    Files.delete(dir.resolve("sets").resolve("now.manifest.json"));
    code =
        freshet.run(
            "maintain",
            "--state-dir",
            dir.toString(),
            "--keep-manifests",
            dir.resolve("sets").resolve("*.manifest.json").toString(),
            "--older-than",
            "0s",
            "--no-compact",
            "--force");
    assertThat(code).as(freshet.err()).isZero();
    assertThat(freshet.out())
        .contains("1 training-set manifest read 1 snapshot: expired like any other (--force)")
        .contains(
            "    BREAKS "
                + manifest
                + ": expired its snapshot "
                + pinned
                + " (forced); that training set can no longer be rebuilt");
    table.refresh();
    assertThat(table.snapshot(pinned)).isNull();
    assertThat(HistoryRows.sortedText(table)).isEqualTo(history);
    assertThat(rebuild("early")).isEqualTo(1);
    assertThat(freshet.err()).contains("no longer has snapshot " + pinned);
  }

  @Test
  void aDryRunPrintsThePlanAndChangesNothing() throws Exception {
    Files.createDirectories(dir.resolve("sets"));
    long pinned = checkpoints(3);
    trainingSet("early");
    checkpoints(3);
    table.refresh();
    long current = table.currentSnapshot().snapshotId();

    int code =
        freshet.run(
            "maintain",
            "--state-dir",
            dir.toString(),
            "--keep-manifests",
            dir.resolve("sets").toString(),
            "--older-than",
            "0s",
            "--dry-run");

    assertThat(code).as(freshet.err()).isZero();
    assertThat(freshet.out())
        .contains("  compaction (dry run): 12 data files -> about 2: would rewrite 12 small files")
        .contains("  snapshots (dry run): 6 -> 2: would expire 4 older than 0s")
        .contains("    kept snapshot " + pinned + ": pinned by ");
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(current);
    assertThat(table.snapshots()).hasSize(6);
    assertThat(dataFiles()).isEqualTo(12);
  }

  @Test
  void expiryWithoutManifestsOrForceIsRefused() throws Exception {
    checkpoints(2);

    assertThat(freshet.run("maintain", "--state-dir", dir.toString(), "--older-than", "0s"))
        .isEqualTo(1);
    assertThat(freshet.err()).contains("give them with --keep-manifests DIR|FILE|GLOB, or --force");
    assertThat(
            freshet.run(
                "maintain",
                "--state-dir",
                dir.toString(),
                "--keep-manifests",
                dir.resolve("no-such-dir").toString()))
        .isEqualTo(1);
    assertThat(freshet.err()).contains("no-such-dir: no such file or directory");
    assertThat(
            freshet.run(
                "maintain",
                "--state-dir",
                dir.toString(),
                "--keep-manifests",
                dir.resolve("*.manifest.json").toString()))
        .isEqualTo(1);
    assertThat(freshet.err()).contains("matches no file");
    assertThat(
            freshet.run("maintain", "--state-dir", dir.toString(), "--no-compact", "--no-expire"))
        .isEqualTo(1);
    assertThat(freshet.err()).contains("leave nothing to do");
    assertThat(
            freshet.run("maintain", "--state-dir", dir.toString(), "--view", "nope", "--no-expire"))
        .isZero();
    assertThat(freshet.out()).contains("freshet.nope\n  no history table");
    table.refresh();
    assertThat(table.snapshots()).hasSize(2);
  }

  @Test
  void sizesReadWithTheirUnits() {
    assertThat(MaintainCommand.bytes("128MB")).isEqualTo(128L << 20);
    assertThat(MaintainCommand.bytes("1gb")).isEqualTo(1L << 30);
    assertThat(MaintainCommand.bytes("65536")).isEqualTo(65536);
    assertThat(freshet.run("maintain", "--target-file-size", "big", "--no-expire")).isEqualTo(1);
    assertThat(freshet.err()).contains("write e.g. 128MB");
  }

  private int dataFiles() {
    table.refresh();
    int n = 0;
    try (var tasks = table.newScan().planFiles()) {
      for (var ignored : tasks) {
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }
}
