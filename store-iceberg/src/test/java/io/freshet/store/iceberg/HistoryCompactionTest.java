package io.freshet.store.iceberg;

import static io.freshet.store.iceberg.CheckpointCommits.dataFiles;
import static io.freshet.store.iceberg.CheckpointCommits.filesOnDisk;
import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.COUNTRY;
import static io.freshet.testing.PaymentSpecs.SUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.spec.FeatureSpec;
import io.freshet.store.StoreColumn;
import io.freshet.testing.HistoryRows;
import io.freshet.testing.PaymentSpecs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.ValidationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a real history table (JDBC catalog on SQLite, file warehouse) after many small
 * commits, as a job committing on every checkpoint leaves it: every row kept exactly, the files cut
 * to one per partition, and safe beside a concurrent commit.
 */
class HistoryCompactionTest {
  private static final String ANY = "{name: any_foreign, agg: count, window: 2h}";

  @TempDir Path stateDir;
  private Catalog catalog;
  private Table table;

  @BeforeEach
  void createTable() {
    catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), stateDir));
    FeatureSpec spec = PaymentSpecs.oneView("risk", "30d", COUNT, SUM, COUNTRY);
    table = HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
  }

  @AfterEach
  void closeCatalog() throws Exception {
    if (catalog instanceof AutoCloseable c) {
      c.close();
    }
  }

  /**
   * 20 commits over 3 days; after the 10th the view gains a feature, so the older files lack its
   * column (it reads null in their rows, before and after compaction).
   */
  private void manySmallCommits() {
    CheckpointCommits commits = new CheckpointCommits(table, 11);
    for (int i = 0; i < 10; i++) {
      commits.commit(25, 3);
    }
    FeatureSpec more = PaymentSpecs.oneView("risk", "30d", COUNT, SUM, COUNTRY, ANY);
    table = HistoryTables.ensure(catalog, "freshet", more.source(), more.views().get(0));
    commits = new CheckpointCommits(table, 12);
    for (int i = 0; i < 10; i++) {
      commits.commit(25, 3);
    }
  }

  @Test
  void compactionKeepsEveryRowAndLeavesOneFilePerPartition() {
    manySmallCommits();
    List<String> before = HistoryRows.sortedText(table);
    int filesBefore = dataFiles(table).size();
    long snapshotBefore = table.currentSnapshot().snapshotId();
    assertThat(before).hasSize(500);
    assertThat(before).anyMatch(r -> r.endsWith("|null")).anyMatch(r -> !r.endsWith("|null"));
    assertThat(filesBefore).isEqualTo(60);

    HistoryCompaction.Result result =
        HistoryCompaction.compact(table, HistoryCompaction.Options.DEFAULTS, false);

    assertThat(HistoryRows.sortedText(table))
        .as("the same multiset of rows, every column")
        .isEqualTo(before);
    List<DataFile> after = dataFiles(table);
    assertThat(after).hasSize(3);
    assertThat(result.filesBefore()).isEqualTo(60);
    assertThat(result.filesRewritten()).isEqualTo(60);
    assertThat(result.filesWritten()).isEqualTo(3);
    assertThat(result.filesAfter()).isEqualTo(3);
    assertThat(result.partitions()).isEqualTo(3);
    assertThat(result.rowsRewritten()).isEqualTo(500);
    assertThat(table.currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(table.currentSnapshot().summary())
        .containsEntry(HistoryCompaction.SUMMARY_MAINTENANCE, "compaction");
    assertThat(result.snapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    // the files carry the metrics readers prune and order by (the training set's newest-first)
    int validFrom = table.schema().findField(StoreColumn.VALID_FROM.column()).fieldId();
    assertThat(after)
        .allSatisfy(
            f -> {
              assertThat(f.upperBounds()).containsKey(validFrom);
              assertThat(f.lowerBounds()).containsKey(validFrom);
              assertThat(f.recordCount()).isPositive();
            });
    // a reader pinned to the old snapshot reads what it read before
    assertThat(HistoryRows.sortedText(table, snapshotBefore)).isEqualTo(before);
  }

  @Test
  void aSmallTargetSizeRollsTheNewFiles() {
    CheckpointCommits commits = new CheckpointCommits(table, 5);
    for (int i = 0; i < 12; i++) {
      commits.commit(1_500, 1);
    }
    List<String> before = HistoryRows.sortedText(table);
    long target =
        dataFiles(table).stream().mapToLong(DataFile::fileSizeInBytes).max().orElseThrow();

    HistoryCompaction.Result result =
        HistoryCompaction.compact(table, new HistoryCompaction.Options(4 * target, 2), false);

    assertThat(HistoryRows.sortedText(table)).isEqualTo(before);
    assertThat(result.filesRewritten()).isEqualTo(12);
    assertThat(result.filesWritten()).isBetween(2, 6);
    assertThat(dataFiles(table)).hasSize(result.filesWritten());
  }

  @Test
  void partitionsWithFewerSmallFilesThanAskedAreLeftAlone() {
    CheckpointCommits commits = new CheckpointCommits(table, 3);
    commits.commit(10, 1); // day 0: one file
    long day0 = table.currentSnapshot().snapshotId();
    for (int i = 0; i < 3; i++) {
      commits.commit(10, 1);
    }
    List<DataFile> files = dataFiles(table);
    assertThat(files).hasSize(4);

    HistoryCompaction.Result few =
        HistoryCompaction.compact(table, new HistoryCompaction.Options(0, 5), false);
    assertThat(few.filesRewritten()).isZero();
    assertThat(few.snapshotId()).isNull();
    assertThat(dataFiles(table)).hasSize(4);
    assertThat(table.snapshots()).hasSize(4);

    HistoryCompaction.Result enough =
        HistoryCompaction.compact(table, new HistoryCompaction.Options(0, 4), false);
    assertThat(enough.filesRewritten()).isEqualTo(4);
    assertThat(dataFiles(table)).hasSize(1);
    assertThat(HistoryRows.sortedText(table, day0)).hasSize(10);
  }

  @Test
  void aDryRunSaysWhatItWouldDoAndChangesNothing() {
    manySmallCommits();
    long snapshot = table.currentSnapshot().snapshotId();
    List<Path> onDisk = filesOnDisk(table);

    HistoryCompaction.Result plan =
        HistoryCompaction.compact(table, HistoryCompaction.Options.DEFAULTS, true);

    assertThat(plan.dryRun()).isTrue();
    assertThat(plan.filesRewritten()).isEqualTo(60);
    assertThat(plan.filesWritten()).isEqualTo(3);
    assertThat(plan.partitions()).isEqualTo(3);
    assertThat(plan.snapshotId()).isNull();
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(snapshot);
    assertThat(filesOnDisk(table)).isEqualTo(onDisk);
  }

  @Test
  void aCheckpointCommittedDuringTheRewriteIsKept() {
    manySmallCommits();
    List<String> before = HistoryRows.sortedText(table);
    Set<String> planned = locations(dataFiles(table));
    Table job = catalog.loadTable(HistoryTables.identifier("freshet", "risk"));
    CheckpointCommits jobCommits = new CheckpointCommits(job, 99);
    long[] appended = new long[1];

    HistoryCompaction.Result result =
        HistoryCompaction.compact(
            table,
            HistoryCompaction.Options.DEFAULTS,
            false,
            () -> appended[0] = jobCommits.commit(30, 3));

    List<String> after = HistoryRows.sortedText(table);
    List<String> jobRows = HistoryRows.sortedText(job, appended[0]);
    assertThat(after).hasSize(before.size() + 30);
    assertThat(after).containsAll(before);
    assertThat(jobRows).isEqualTo(after);
    List<DataFile> files = dataFiles(table);
    assertThat(files).hasSize(3 + 3); // the compacted files and the checkpoint's, untouched
    assertThat(locations(files)).doesNotContainAnyElementsOf(planned);
    assertThat(table.snapshot(table.currentSnapshot().parentId()).snapshotId())
        .isEqualTo(appended[0]);
    assertThat(result.filesWritten()).isEqualTo(3);
  }

  @Test
  void aRewriteThatCannotCommitLeavesNoFilesBehind() {
    manySmallCommits();
    List<String> before = HistoryRows.sortedText(table);
    DataFile gone = dataFiles(table).get(7);
    Table other = catalog.loadTable(HistoryTables.identifier("freshet", "risk"));

    assertThatThrownBy(
            () ->
                HistoryCompaction.compact(
                    table,
                    HistoryCompaction.Options.DEFAULTS,
                    false,
                    () -> other.newDelete().deleteFile(gone).commit()))
        .isInstanceOf(ValidationException.class);

    assertThat(filesOnDisk(table)).noneMatch(p -> p.getFileName().toString().contains("compacted"));
    assertThat(HistoryRows.sortedText(table)).hasSize(before.size() - (int) gone.recordCount());
  }

  private static Set<String> locations(List<DataFile> files) {
    return files.stream().map(DataFile::location).collect(Collectors.toSet());
  }
}
