package io.freshet.store.iceberg;

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
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot expiry on a real history table after 30 checkpoint commits: snapshots older than the
 * cutoff expire, except the one a training-set manifest pins (unless forced, which names the
 * manifest it breaks) and the ones the Flink committer needs on restore.
 */
class SnapshotExpiryTest {
  private static final TableIdentifier ID = HistoryTables.identifier("freshet", "risk");
  private static final Duration AGE = Duration.ofDays(5);

  @TempDir Path stateDir;
  private Catalog catalog;
  private Table table;
  private final List<Long> commits = new ArrayList<>();

  @BeforeEach
  void thirtyCommits() {
    catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), stateDir));
    FeatureSpec spec = PaymentSpecs.oneView("risk", "30d", COUNT, COUNTRY);
    table = HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
    CheckpointCommits checkpoints = new CheckpointCommits(table, 21);
    for (int i = 0; i < 30; i++) {
      commits.add(checkpoints.commit(10, 2));
    }
  }

  @AfterEach
  void closeCatalog() throws Exception {
    if (catalog instanceof AutoCloseable c) {
      c.close();
    }
  }

  /** The time at which snapshot {@code index} is exactly {@link #AGE} old. */
  private Instant nowWhenAged(int index) {
    return Instant.ofEpochMilli(table.snapshot(commits.get(index)).timestampMillis()).plus(AGE);
  }

  /** Commits older than snapshot {@code index} (those the age rule expires), oldest first. */
  private List<Long> olderThan(int index) {
    long cutoff = table.snapshot(commits.get(index)).timestampMillis();
    return commits.stream().filter(id -> table.snapshot(id).timestampMillis() < cutoff).toList();
  }

  @Test
  void snapshotsOlderThanTheCutoffExpireExceptTheOneAManifestPins() {
    long pinned = commits.get(5);
    List<String> pinnedRows = HistoryRows.sortedText(table, pinned);
    List<String> current = HistoryRows.sortedText(table);
    List<Long> old = olderThan(20);
    assertThat(old).hasSizeGreaterThan(10).contains(pinned);
    SnapshotPin pin = new SnapshotPin(ID, pinned, "train.manifest.json");

    SnapshotExpiry.Result result =
        SnapshotExpiry.expire(
            table,
            ID,
            new SnapshotExpiry.Options(AGE, 1, false),
            List.of(pin),
            nowWhenAged(20),
            false);

    table.refresh();
    List<Long> expected = old.stream().filter(id -> id != pinned).toList();
    assertThat(result.expired()).isEqualTo(expected);
    assertThat(result.keptPinned()).isEqualTo(Map.of(pinned, List.of("train.manifest.json")));
    assertThat(result.broken()).isEmpty();
    assertThat(result.snapshotsBefore()).isEqualTo(30);
    assertThat(result.snapshotsAfter()).isEqualTo(30 - expected.size());
    assertThat(table.snapshots()).hasSize(result.snapshotsAfter());
    for (long id : commits) {
      assertThat(table.snapshot(id) != null)
          .as("snapshot %s", id)
          .isEqualTo(!expected.contains(id));
    }
    assertThat(HistoryRows.sortedText(table, pinned))
        .as("the manifest's rows")
        .isEqualTo(pinnedRows);
    assertThat(HistoryRows.sortedText(table)).isEqualTo(current);
  }

  @Test
  void forcedTheExpiryTakesThePinnedSnapshotAndNamesTheManifestItBreaks() {
    long pinned = commits.get(5);
    long elsewhere = commits.get(25); // newer than the cutoff: not broken
    List<SnapshotPin> pins =
        List.of(
            new SnapshotPin(ID, pinned, "a.manifest.json"),
            new SnapshotPin(ID, elsewhere, "b.manifest.json"),
            new SnapshotPin(HistoryTables.identifier("freshet", "other"), 42L, "c.manifest.json"));
    List<Long> old = olderThan(20);

    SnapshotExpiry.Result result =
        SnapshotExpiry.expire(
            table, ID, new SnapshotExpiry.Options(AGE, 1, true), pins, nowWhenAged(20), false);

    table.refresh();
    assertThat(table.snapshot(pinned)).isNull();
    assertThat(table.snapshot(elsewhere)).isNotNull();
    assertThat(result.expired()).isEqualTo(old);
    assertThat(result.broken()).containsExactly(new SnapshotPin(ID, pinned, "a.manifest.json"));
    assertThat(result.keptPinned()).isEmpty();
    assertThat(result.alreadyMissing()).as("another table's pin is not this one's").isEmpty();

    // the next run reports the manifest as already broken
    SnapshotExpiry.Result again =
        SnapshotExpiry.expire(
            table, ID, new SnapshotExpiry.Options(AGE, 1, false), pins, nowWhenAged(20), false);
    assertThat(again.expired()).isEmpty();
    assertThat(again.alreadyMissing()).containsExactly(pins.get(0));
  }

  @Test
  void aDryRunPlansTheSameExpiryAndExpiresNothing() {
    SnapshotPin pin = new SnapshotPin(ID, commits.get(3), "train.manifest.json");
    SnapshotExpiry.Options options = new SnapshotExpiry.Options(AGE, 1, false);

    SnapshotExpiry.Result plan =
        SnapshotExpiry.expire(table, ID, options, List.of(pin), nowWhenAged(20), true);
    table.refresh();
    assertThat(table.snapshots()).hasSize(30);

    SnapshotExpiry.Result done =
        SnapshotExpiry.expire(table, ID, options, List.of(pin), nowWhenAged(20), false);
    assertThat(plan.dryRun()).isTrue();
    assertThat(plan.expired()).isNotEmpty().isEqualTo(done.expired());
    assertThat(plan.keptPinned()).isEqualTo(done.keptPinned());
  }

  @Test
  void retainLastKeepsTheNewestWhateverTheirAge() {
    Instant later = nowWhenAged(29).plusSeconds(60); // every snapshot is older than the cutoff

    SnapshotExpiry.Result result =
        SnapshotExpiry.expire(
            table, ID, new SnapshotExpiry.Options(AGE, 4, false), List.of(), later, false);

    table.refresh();
    assertThat(result.expired()).isEqualTo(commits.subList(0, 26));
    List<Long> left = new ArrayList<>();
    table.snapshots().forEach(s -> left.add(s.snapshotId()));
    assertThat(left).containsExactlyInAnyOrderElementsOf(commits.subList(26, 30));
  }

  @Test
  void theSnapshotsBackToTheFlinkJobsLastCommitStay() {
    // the job's checkpoints commit, then compaction replaces the files after its last commit
    CheckpointCommits job = new CheckpointCommits(table, 31);
    long lastFlinkCommit = 0;
    for (int checkpoint = 1; checkpoint <= 5; checkpoint++) {
      lastFlinkCommit = job.commit(10, 2, CheckpointCommits.flinkCommit("job-1", checkpoint));
    }
    HistoryCompaction.compact(table, HistoryCompaction.Options.DEFAULTS, false);
    table.refresh();
    Snapshot compacted = table.currentSnapshot();
    assertThat(compacted.parentId()).isEqualTo(lastFlinkCommit);
    Instant later = Instant.ofEpochMilli(compacted.timestampMillis()).plus(AGE).plusSeconds(60);

    SnapshotExpiry.Result result =
        SnapshotExpiry.expire(
            table, ID, new SnapshotExpiry.Options(AGE, 1, false), List.of(), later, false);

    table.refresh();
    assertThat(result.keptForFlink()).containsExactly(lastFlinkCommit);
    assertThat(table.snapshots()).hasSize(2);
    // what Iceberg's Flink committer does on restore: walk back to this job's last commit
    assertThat(maxCommittedCheckpoint(table, "job-1")).isEqualTo(5);
  }

  /** Iceberg's {@code SinkUtil.getMaxCommittedCheckpointId}, for one job: -1 when not found. */
  private static long maxCommittedCheckpoint(Table table, String jobId) {
    Snapshot s = table.currentSnapshot();
    while (s != null) {
      if (jobId.equals(s.summary().get("flink.job-id"))) {
        return Long.parseLong(s.summary().get(SnapshotExpiry.FLINK_MAX_COMMITTED_CHECKPOINT_ID));
      }
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    return -1;
  }
}
