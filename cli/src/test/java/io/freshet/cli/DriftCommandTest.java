package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.training.HistoryAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
 * {@code freshet drift} on real Iceberg history and a training set built by {@code freshet
 * training-set}: production values from the same distribution as the training set's raise no drift
 * (exit 0); shifted ones do (exit 1), feature by feature, with the HTML report written. And the
 * statistics themselves on known samples.
 */
class DriftCommandTest {
  private static final long DAY = 86_400_000L;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final Path SPEC = Path.of("../examples/payments/payments.yaml");

  private final CliRunner freshet = new CliRunner();

  /**
   * A history of day 1 (what the training set reads) and day 2 (production), 40 customers each
   * updated every ~5 min; on day 2 the 7-day average and the country are shifted if asked.
   */
  private static void history(Path dir, boolean shift) throws Exception {
    FeatureSpec spec = SpecParser.parse(SPEC);
    ViewSpec view = spec.views().get(0);
    Catalog catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), dir));
    Table table = HistoryTables.ensure(catalog, "freshet", spec.source(), view);
    Random rnd = new Random(3);
    List<Record> rows = new ArrayList<>();
    for (int c = 0; c < 40; c++) {
      for (long t = T0 + rnd.nextInt(300_000);
          t < T0 + 2 * DAY;
          t += 200_000 + rnd.nextInt(200_000)) {
        boolean production = t >= T0 + DAY;
        List<Object> values = new ArrayList<>();
        for (FeatureDef f : view.features()) {
          values.add(
              switch (f.name()) {
                case "amount_avg_7d" ->
                    50 + 10 * rnd.nextGaussian() + (production && shift ? 30 : 0);
                case "last_country" ->
                    production && shift && rnd.nextInt(3) > 0
                        ? "US"
                        : List.of("FR", "DE", "NL").get(rnd.nextInt(3));
                default -> f.outputType() == ValueType.LONG ? (long) rnd.nextInt(20) : null;
              });
        }
        rows.add(
            HistoryAppender.toRecord(
                table, new HistoryAppender.Row("c" + c, t, t, t + 5, 0, values)));
      }
    }
    HistoryAppender.append(table, rows);
    StringBuilder spine = new StringBuilder("customer_id,timestamp\n");
    for (int i = 0; i < 3000; i++) {
      spine
          .append("c")
          .append(rnd.nextInt(40))
          .append(',')
          .append(T0 + 3_600_000 + rnd.nextInt((int) (DAY - 3_600_000)))
          .append('\n');
    }
    Files.writeString(dir.resolve("spine.csv"), spine);
  }

  private int trainingSet(Path dir) {
    return freshet.run(
        "training-set",
        "--spec",
        SPEC.toString(),
        "--spine",
        dir.resolve("spine.csv").toString(),
        "--entity-column",
        "customer_id",
        "--timestamp-column",
        "timestamp",
        "-f",
        "customer_risk:amount_avg_7d,customer_risk:txn_count_1h,customer_risk:last_country",
        "--state-dir",
        dir.toString(),
        "-o",
        dir.resolve("train.parquet").toString());
  }

  private int drift(Path dir) {
    return freshet.run(
        "drift",
        "--spec",
        SPEC.toString(),
        "--view",
        "customer_risk",
        "--training",
        dir.resolve("train.parquet").toString(),
        "--since",
        "24h",
        "--until",
        Instant.ofEpochMilli(T0 + 2 * DAY).toString(),
        "--state-dir",
        dir.toString());
  }

  @Test
  void theSameDistributionRaisesNoDrift(@TempDir Path dir) throws Exception {
    history(dir, false);
    assertThat(trainingSet(dir)).as(freshet.err()).isZero();
    assertThat(drift(dir)).as(freshet.out() + freshet.err()).isZero();
    assertThat(freshet.out())
        .containsPattern("amount_avg_7d +double +\\d+ +\\d+ .* ok")
        .containsPattern("last_country +string .* ok")
        .contains("no drift past the thresholds")
        .contains("report: " + dir.resolve("train.drift.html"));
    assertThat(Files.readString(dir.resolve("train.drift.html")))
        .contains("<svg")
        .doesNotContain("DRIFT");
  }

  @Test
  void aShiftedDistributionRaisesDriftAndAReport(@TempDir Path dir) throws Exception {
    history(dir, true);
    assertThat(trainingSet(dir)).as(freshet.err()).isZero();
    assertThat(drift(dir)).as(freshet.out() + freshet.err()).isEqualTo(1);
    assertThat(freshet.out())
        .containsPattern("amount_avg_7d +double .* DRIFT")
        .containsPattern("last_country +string .* DRIFT")
        .containsPattern("txn_count_1h +long .* ok")
        .contains("2 feature(s) drifted past the thresholds: [amount_avg_7d, last_country]");
    String html = Files.readString(dir.resolve("train.drift.html"));
    assertThat(html).contains("<svg").contains("class=\"drift\"").contains("last_country");
  }

  @Test
  void statisticsOnKnownSamples() {
    Random rnd = new Random(1);
    List<Object> a = new ArrayList<>();
    List<Object> b = new ArrayList<>();
    List<Object> shifted = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      a.add(rnd.nextGaussian());
      b.add(rnd.nextGaussian());
      shifted.add(rnd.nextGaussian() + 0.5);
    }
    DriftReport.Feature same = DriftReport.compare("x", ValueType.DOUBLE, a, b, 0.2, 0.1);
    DriftReport.Feature moved = DriftReport.compare("x", ValueType.DOUBLE, a, shifted, 0.2, 0.1);
    assertThat(same.psi()).isLessThan(0.01);
    assertThat(same.ks()).isLessThan(0.02);
    assertThat(same.drifted()).isFalse();
    // N(0,1) against N(0.5,1): KS = 2 * Phi(0.25) - 1 = 0.197
    assertThat(moved.ks()).isBetween(0.18, 0.22);
    assertThat(moved.psi()).isGreaterThan(0.2);
    assertThat(moved.drifted()).isTrue();
    assertThat(DriftReport.ks(new double[] {1, 2, 3}, new double[] {1, 2, 3})).isZero();
    assertThat(DriftReport.ks(new double[] {1, 2}, new double[] {3, 4})).isEqualTo(1.0);
    assertThat(DriftReport.psi(new double[] {0.5, 0.5}, new double[] {0.5, 0.5})).isZero();
  }
}
