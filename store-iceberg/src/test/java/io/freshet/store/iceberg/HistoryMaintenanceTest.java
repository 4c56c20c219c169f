package io.freshet.store.iceberg;

import static io.freshet.store.iceberg.CheckpointCommits.dataFiles;
import static io.freshet.store.iceberg.CheckpointCommits.filesOnDisk;
import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.COUNTRY;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.FeatureSpec;
import io.freshet.testing.HistoryRows;
import io.freshet.testing.PaymentSpecs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction and expiry together, as {@code freshet maintain} runs them on every table of a
 * namespace: the small files the compaction replaced leave the disk with the snapshots that read
 * them, except those a pinned snapshot still reads; and the summary says so.
 */
class HistoryMaintenanceTest {

  @TempDir Path stateDir;
  private Catalog catalog;

  @BeforeEach
  void openCatalog() {
    catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), stateDir));
  }

  @AfterEach
  void closeCatalog() throws Exception {
    if (catalog instanceof AutoCloseable c) {
      c.close();
    }
  }

  private Table table(String view) {
    FeatureSpec spec = PaymentSpecs.oneView(view, "30d", COUNT, COUNTRY);
    return HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
  }

  @Test
  void compactionThenExpiryFreesTheDiskButWhatAPinnedSnapshotReads() {
    Table risk = table("risk");
    CheckpointCommits commits = new CheckpointCommits(risk, 8);
    List<Long> snapshots = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      snapshots.add(commits.commit(20, 2));
    }
    long pinned = snapshots.get(9);
    Set<String> pinnedFiles = new HashSet<>();
    risk.newScan()
        .useSnapshot(pinned)
        .planFiles()
        .forEach(t -> pinnedFiles.add(t.file().location()));
    List<String> pinnedRows = HistoryRows.sortedText(risk, pinned);
    List<String> current = HistoryRows.sortedText(risk);
    assertThat(filesOnDisk(risk)).hasSize(48);
    TableIdentifier id = HistoryTables.identifier("freshet", "risk");
    SnapshotPin pin = new SnapshotPin(id, pinned, "/sets/train.manifest.json");
    Instant now = Instant.ofEpochMilli(risk.currentSnapshot().timestampMillis()).plusSeconds(3600);

    HistoryMaintenance.Report report =
        HistoryMaintenance.maintain(
            catalog,
            id,
            new HistoryMaintenance.Options(
                HistoryCompaction.Options.DEFAULTS,
                new SnapshotExpiry.Options(Duration.ZERO, 1, false),
                false),
            List.of(pin),
            now);

    risk.refresh();
    assertThat(HistoryRows.sortedText(risk)).isEqualTo(current);
    assertThat(HistoryRows.sortedText(risk, pinned)).isEqualTo(pinnedRows);
    List<DataFile> live = dataFiles(risk);
    assertThat(live).hasSize(2);
    // on disk: the 2 compacted files and the 20 files the pinned snapshot still reads
    assertThat(filesOnDisk(risk)).hasSize(2 + pinnedFiles.size());
    assertThat(pinnedFiles).hasSize(20);
    assertThat(risk.snapshots()).hasSize(2); // the compaction and the pinned one
    assertThat(report.compaction().filesBefore()).isEqualTo(48);
    assertThat(report.compaction().filesAfter()).isEqualTo(2);
    assertThat(report.expiry().expired()).hasSize(23);

    assertThat(report.summary())
        .containsExactly(
            "freshet.risk",
            "  compaction: 48 data files -> 2: rewrote 48 small files of 2 partitions ("
                + MaintenanceSummary.bytes(report.compaction().bytesRewritten())
                + ", 480 rows) as 2 (target 512.0 MB)",
            "  snapshots: 25 -> 2: expired 23 older than 0s (before "
                + now
                + "); kept 1 newer or among the newest 1, 1 pinned by training-set manifests",
            "    kept snapshot " + pinned + ": pinned by /sets/train.manifest.json");
  }

  @Test
  void aDryRunOfEveryTableOfTheNamespaceChangesNothingAndSaysWhatItWould() {
    Table risk = table("risk");
    Table spend = table("spend");
    CheckpointCommits riskCommits = new CheckpointCommits(risk, 1);
    CheckpointCommits spendCommits = new CheckpointCommits(spend, 2);
    List<Long> riskSnapshots = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      riskSnapshots.add(riskCommits.commit(5, 1));
      spendCommits.commit(5, 1);
    }
    SnapshotPin pin =
        new SnapshotPin(
            HistoryTables.identifier("freshet", "risk"), riskSnapshots.get(2), "old.manifest.json");
    SnapshotPin forced =
        new SnapshotPin(HistoryTables.identifier("freshet", "spend"), 12345L, "lost.manifest.json");
    Instant now = Instant.now().plusSeconds(3600);

    List<String> lines = new ArrayList<>();
    for (TableIdentifier id : HistoryMaintenance.tables(catalog, "freshet")) {
      lines.addAll(
          HistoryMaintenance.maintain(
                  catalog,
                  id,
                  new HistoryMaintenance.Options(
                      HistoryCompaction.Options.DEFAULTS,
                      new SnapshotExpiry.Options(Duration.ofMinutes(1), 1, false),
                      true),
                  List.of(pin, forced),
                  now)
              .summary());
    }

    assertThat(lines.get(0)).isEqualTo("freshet.risk");
    assertThat(lines.get(1))
        .startsWith("  compaction (dry run): 6 data files -> about 1: would rewrite 6 small files");
    assertThat(lines.get(2))
        .startsWith("  snapshots (dry run): 6 -> 2: would expire 4 older than 1m")
        .endsWith("kept 1 newer or among the newest 1, 1 pinned by training-set manifests");
    assertThat(lines.get(3))
        .isEqualTo("    kept snapshot " + riskSnapshots.get(2) + ": pinned by old.manifest.json");
    assertThat(lines.get(4)).isEqualTo("freshet.spend");
    assertThat(lines.get(6)).startsWith("  snapshots (dry run): 6 -> 1: would expire 5");
    assertThat(lines.get(7))
        .isEqualTo(
            "    already broken: lost.manifest.json pins snapshot 12345, which the table no longer"
                + " has");
    risk.refresh();
    spend.refresh();
    assertThat(risk.snapshots()).hasSize(6);
    assertThat(spend.snapshots()).hasSize(6);
    assertThat(dataFiles(risk)).hasSize(6);
  }
}
