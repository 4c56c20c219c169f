package io.freshet.store.iceberg;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.util.PropertyUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expiry of a history table's old snapshots (one per checkpoint commit), which also deletes the
 * data and metadata files that no remaining snapshot references (the small files compaction
 * replaced, among them).
 *
 * <p>Which snapshots expire: those Iceberg's own policy expires ({@code expireOlderThan(cutoff)},
 * {@code retainLast(n)}: every snapshot older than the cutoff except the newest {@code n} of each
 * branch, and never a branch head or tag), except
 *
 * <ul>
 *   <li><b>pinned</b> ones ({@link SnapshotPin}: the snapshot a training-set manifest read), unless
 *       forced; forced, the result names the pins it broke;
 *   <li>the snapshots from the current one back to the newest commit of a Flink job (the one with
 *       {@value #FLINK_MAX_COMMITTED_CHECKPOINT_ID} in its summary). Iceberg's Flink committer,
 *       when a job restores a checkpoint or savepoint, walks back from the current snapshot through
 *       each parent to find the last checkpoint it committed; a missing parent ends the walk, and
 *       the committer would then commit the restored checkpoint's files a second time. Compaction
 *       snapshots after the job's last commit would otherwise let that commit expire.
 * </ul>
 *
 * <p>The kept snapshots are expired by id, so that Iceberg cannot take a pinned one by its age
 * rule; before committing, Iceberg's own plan of the expiry is checked to remove nothing else.
 */
public final class SnapshotExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotExpiry.class);

  /**
   * The snapshot summary key with which Iceberg's Flink committer records the last checkpoint it
   * committed (with {@code flink.job-id} and {@code flink.operator-id}; Iceberg's {@code
   * SinkUtil}).
   */
  public static final String FLINK_MAX_COMMITTED_CHECKPOINT_ID =
      "flink.max-committed-checkpoint-id";

  private SnapshotExpiry() {}

  /**
   * Which snapshots to expire.
   *
   * @param olderThan snapshots older than this (before now minus it) may expire; null takes the
   *     table's {@code history.expire.max-snapshot-age-ms} (Iceberg's default 5 days)
   * @param retainLast the newest snapshots of each branch kept regardless of age; null takes the
   *     table's {@code history.expire.min-snapshots-to-keep} (Iceberg's default 1)
   * @param force expire pinned snapshots too (the result names the pins broken)
   */
  public record Options(Duration olderThan, Integer retainLast, boolean force) {
    public static final Options DEFAULTS = new Options(null, null, false);

    public Options {
      if (olderThan != null && olderThan.isNegative()) {
        throw new IllegalArgumentException("the snapshot age is not negative: " + olderThan);
      }
      if (retainLast != null && retainLast < 1) {
        throw new IllegalArgumentException(
            "at least the newest snapshot is kept (retain-last 1 or more), not " + retainLast);
      }
    }
  }

  /**
   * What an expiry did, or would do.
   *
   * @param dryRun nothing was expired
   * @param snapshotsBefore snapshots of the table before
   * @param cutoffMillis snapshots older than this could expire (epoch millis)
   * @param olderThan the age the cutoff came from
   * @param retainLast the newest snapshots of each branch kept regardless of age
   * @param expired the snapshots expired, oldest first
   * @param keptPinned snapshots Iceberg's policy would expire, kept for the pins listed
   * @param keptForFlink snapshots Iceberg's policy would expire, kept so that the Flink job finds
   *     its last commit on restore
   * @param broken forced: the pins whose snapshot was expired
   * @param alreadyMissing pins of this table whose snapshot did not exist before the expiry
   */
  public record Result(
      boolean dryRun,
      int snapshotsBefore,
      long cutoffMillis,
      Duration olderThan,
      int retainLast,
      List<Long> expired,
      Map<Long, List<String>> keptPinned,
      List<Long> keptForFlink,
      List<SnapshotPin> broken,
      List<SnapshotPin> alreadyMissing) {
    public int snapshotsAfter() {
      return snapshotsBefore - expired.size();
    }
  }

  /**
   * Expires the table's old snapshots, or (dry run) says which it would expire.
   *
   * @param id the table's identifier in its catalog (pins name tables by it)
   * @param pins pins of any table; those of {@code id} count
   * @param now the time the age is measured from
   * @throws org.apache.iceberg.exceptions.ValidationException when the table disables garbage
   *     collection ({@code gc.enabled=false})
   */
  public static Result expire(
      Table table,
      TableIdentifier id,
      Options options,
      Collection<SnapshotPin> pins,
      Instant now,
      boolean dryRun) {
    table.refresh();
    Map<String, String> props = table.properties();
    Duration olderThan =
        options.olderThan() != null
            ? options.olderThan()
            : Duration.ofMillis(
                PropertyUtil.propertyAsLong(
                    props,
                    TableProperties.MAX_SNAPSHOT_AGE_MS,
                    TableProperties.MAX_SNAPSHOT_AGE_MS_DEFAULT));
    int retainLast =
        options.retainLast() != null
            ? options.retainLast()
            : PropertyUtil.propertyAsInt(
                props,
                TableProperties.MIN_SNAPSHOTS_TO_KEEP,
                TableProperties.MIN_SNAPSHOTS_TO_KEEP_DEFAULT);
    long cutoff = now.minus(olderThan).toEpochMilli();
    int before = size(table.snapshots());

    // Iceberg's policy, planned but not committed
    List<Snapshot> candidates =
        new ArrayList<>(
            table.expireSnapshots().expireOlderThan(cutoff).retainLast(retainLast).apply());
    candidates.sort(
        (a, b) ->
            a.timestampMillis() != b.timestampMillis()
                ? Long.compare(a.timestampMillis(), b.timestampMillis())
                : Long.compare(a.sequenceNumber(), b.sequenceNumber()));

    Map<Long, List<String>> pinnedBy = new LinkedHashMap<>();
    List<SnapshotPin> alreadyMissing = new ArrayList<>();
    for (SnapshotPin pin : pins) {
      if (!pin.table().equals(id)) {
        continue;
      }
      if (table.snapshot(pin.snapshotId()) == null) {
        alreadyMissing.add(pin);
      } else {
        pinnedBy.computeIfAbsent(pin.snapshotId(), k -> new ArrayList<>()).add(pin.pinnedBy());
      }
    }
    Set<Long> flinkChain = flinkChain(table);

    List<Long> expire = new ArrayList<>();
    Map<Long, List<String>> keptPinned = new LinkedHashMap<>();
    List<Long> keptForFlink = new ArrayList<>();
    List<SnapshotPin> broken = new ArrayList<>();
    for (Snapshot s : candidates) {
      long sid = s.snapshotId();
      if (flinkChain.contains(sid)) {
        keptForFlink.add(sid);
      } else if (pinnedBy.containsKey(sid) && !options.force()) {
        keptPinned.put(sid, pinnedBy.get(sid));
      } else {
        expire.add(sid);
        for (String by : pinnedBy.getOrDefault(sid, List.of())) {
          broken.add(new SnapshotPin(id, sid, by));
        }
      }
    }

    if (!dryRun && !expire.isEmpty()) {
      checkRemovesOnly(table, expire, retainLast);
      byIds(table, expire, retainLast).commit();
      table.refresh();
      LOG.info(
          "expired {} snapshots of {} (kept {} pinned, {} for the Flink committer)",
          expire.size(),
          table.name(),
          keptPinned.size(),
          keptForFlink.size());
    }
    return new Result(
        dryRun,
        before,
        cutoff,
        olderThan,
        retainLast,
        List.copyOf(expire),
        keptPinned,
        List.copyOf(keptForFlink),
        List.copyOf(broken),
        List.copyOf(alreadyMissing));
  }

  /**
   * The snapshots from the main branch's head back to the newest one a Flink job committed
   * (inclusive), or none when no Flink job committed to the branch.
   */
  static Set<Long> flinkChain(Table table) {
    Set<Long> chain = new LinkedHashSet<>();
    Snapshot s = table.currentSnapshot();
    while (s != null) {
      chain.add(s.snapshotId());
      if (s.summary().containsKey(FLINK_MAX_COMMITTED_CHECKPOINT_ID)) {
        return chain;
      }
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    return Set.of();
  }

  /**
   * Expires exactly {@code ids}: an age cutoff at the epoch keeps every other snapshot (no snapshot
   * is older), and a snapshot given by id is removed whatever the age rule says.
   */
  private static ExpireSnapshots byIds(Table table, List<Long> ids, int retainLast) {
    ExpireSnapshots ex = table.expireSnapshots().expireOlderThan(0).retainLast(retainLast);
    ids.forEach(ex::expireSnapshotId);
    return ex;
  }

  /**
   * Refuses to commit when Iceberg would remove a snapshot outside {@code ids} (a branch with its
   * own max-snapshot-age, say), which could be a pinned one.
   */
  private static void checkRemovesOnly(Table table, List<Long> ids, int retainLast) {
    Set<Long> planned = new HashSet<>(ids);
    List<Long> more =
        byIds(table, ids, retainLast).apply().stream()
            .map(Snapshot::snapshotId)
            .filter(sid -> !planned.contains(sid))
            .toList();
    if (!more.isEmpty()) {
      throw new IllegalStateException(
          "expiring "
              + ids.size()
              + " snapshots of "
              + table.name()
              + " would also remove snapshots "
              + more
              + " (a branch's own retention settings?): nothing expired. Expire them with Iceberg's"
              + " own tools, or change the branch's retention");
    }
  }

  private static int size(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }
}
