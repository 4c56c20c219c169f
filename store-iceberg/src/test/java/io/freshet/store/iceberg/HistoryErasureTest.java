package io.freshet.store.iceberg;

import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.COUNTRY;
import static io.freshet.testing.PaymentSpecs.SUM;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.FeatureSpec;
import io.freshet.store.StoreColumn;
import io.freshet.testing.HistoryRows;
import io.freshet.testing.PaymentSpecs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasing entities from a real history table (JDBC catalog on SQLite, file warehouse): exactly
 * their rows go, every other row stays as it was, an older snapshot still reads them, and a commit
 * that adds rows of them while the erasure runs makes it plan again rather than leave them.
 */
class HistoryErasureTest {
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

  private static List<String> rowsWithout(List<String> rows, Set<String> entities) {
    List<String> out = new ArrayList<>();
    for (String r : rows) {
      if (!entities.contains(r.substring(0, r.indexOf('|')))) {
        out.add(r);
      }
    }
    return out;
  }

  private static Set<String> entities(Table t) {
    Set<String> out = new java.util.HashSet<>();
    for (Record r : HistoryRows.read(t)) {
      out.add((String) r.getField(StoreColumn.ENTITY.column()));
    }
    return out;
  }

  @Test
  void exactlyTheEntitiesRowsGoAndAnOlderSnapshotStillReadsThem() {
    CheckpointCommits commits = new CheckpointCommits(table, 21);
    for (int i = 0; i < 8; i++) {
      commits.commit(40, 3);
    }
    List<String> before = HistoryRows.sortedText(table);
    long snapshotBefore = table.currentSnapshot().snapshotId();
    assertThat(before.get(0)).as("rows start with the entity").matches("c[0-9]+\\|.*");
    Set<String> gone = Set.of("c3", "c17", "c42");
    assertThat(entities(table)).containsAll(gone);
    long theirs = before.size() - rowsWithout(before, gone).size();

    HistoryErasure.Result r = HistoryErasure.erase(table, gone);

    assertThat(HistoryRows.sortedText(table)).isEqualTo(rowsWithout(before, gone));
    assertThat(entities(table)).doesNotContainAnyElementsOf(gone);
    assertThat(r.rowsErased()).isEqualTo(theirs).isPositive();
    assertThat(r.filesReplaced()).isPositive();
    assertThat(r.snapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(r.olderSnapshots()).isEqualTo(8);
    assertThat(table.currentSnapshot().operation()).isEqualTo(DataOperations.OVERWRITE);
    assertThat(table.currentSnapshot().summary())
        .containsEntry(HistoryCompaction.SUMMARY_MAINTENANCE, HistoryErasure.SUMMARY_VALUE);
    assertThat(HistoryRows.sortedText(table, snapshotBefore)).isEqualTo(before);

    HistoryErasure.Result again = HistoryErasure.erase(table, gone);
    assertThat(again.rowsErased()).isZero();
    assertThat(again.snapshotId()).isNull();
    assertThat(HistoryErasure.erase(table, Set.of("c1' OR '1'='1")).rowsErased()).isZero();
    assertThat(HistoryRows.sortedText(table)).isEqualTo(rowsWithout(before, gone));
  }

  @Test
  void rowsOfTheEntitiesCommittedDuringTheErasureAreErasedToo() {
    CheckpointCommits commits = new CheckpointCommits(table, 22);
    for (int i = 0; i < 4; i++) {
      commits.commit(40, 2);
    }
    Set<String> gone = new java.util.HashSet<>();
    for (int i = 0; i < 25; i++) {
      gone.add("c" + i);
    }
    Table job = catalog.loadTable(HistoryTables.identifier("freshet", "risk"));
    CheckpointCommits jobCommits = new CheckpointCommits(job, 99);
    int[] commitsDuring = new int[1];

    HistoryErasure.Result r =
        HistoryErasure.erase(
            table,
            gone,
            () -> {
              if (commitsDuring[0]++ == 0) {
                jobCommits.commit(30, 2); // rows of half the entities, some of them erased ones
              }
            });

    assertThat(commitsDuring[0]).as("commit attempts").isEqualTo(2);
    table.refresh();
    List<String> after = HistoryRows.sortedText(table);
    assertThat(entities(table)).doesNotContainAnyElementsOf(gone).isNotEmpty();
    assertThat(r.snapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    // the rows of the other entities, the job's commit's included, are all there
    List<String> jobRows = HistoryRows.sortedText(job, table.currentSnapshot().parentId());
    assertThat(after).isEqualTo(rowsWithout(jobRows, gone));
  }
}
