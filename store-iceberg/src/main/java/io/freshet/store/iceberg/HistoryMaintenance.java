package io.freshet.store.iceberg;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Keeps history tables healthy over months of checkpoint commits: {@link HistoryCompaction} of
 * their small data files, then {@link SnapshotExpiry} of their old snapshots (keeping the ones
 * training-set manifests pin), table by table, with a short summary of each. Compaction runs first,
 * so that the same run's expiry can delete the files it replaced (unless a kept snapshot still
 * reads them). Safe while the feature job runs and commits.
 */
public final class HistoryMaintenance {
  private HistoryMaintenance() {}

  /**
   * What to do.
   *
   * @param compaction how to compact, or null for no compaction
   * @param expiry how to expire snapshots, or null for no expiry
   * @param dryRun plan and report, change nothing
   */
  public record Options(
      HistoryCompaction.Options compaction, SnapshotExpiry.Options expiry, boolean dryRun) {
    public Options {
      if (compaction == null && expiry == null) {
        throw new IllegalArgumentException("nothing to do: neither compaction nor expiry");
      }
    }
  }

  /**
   * One table's maintenance.
   *
   * @param table the table
   * @param compaction what compaction did, or null when not asked
   * @param expiry what expiry did, or null when not asked
   */
  public record Report(
      TableIdentifier table, HistoryCompaction.Result compaction, SnapshotExpiry.Result expiry) {
    /** The report as a few lines for people: the table, then one line per step and finding. */
    public List<String> summary() {
      return MaintenanceSummary.lines(this);
    }
  }

  /** The tables of a namespace, by name. */
  public static List<TableIdentifier> tables(Catalog catalog, String namespace) {
    List<TableIdentifier> ids = new ArrayList<>(catalog.listTables(Namespace.of(namespace)));
    ids.sort(Comparator.comparing(TableIdentifier::name));
    return ids;
  }

  /**
   * Compacts, then expires, one table.
   *
   * @param pins pins of any table (a manifest's views): those of {@code id} are kept from expiry
   * @param now the time snapshot ages are measured from
   */
  public static Report maintain(
      Catalog catalog,
      TableIdentifier id,
      Options options,
      Collection<SnapshotPin> pins,
      Instant now) {
    Table table = catalog.loadTable(id);
    HistoryCompaction.Result compacted =
        options.compaction() == null
            ? null
            : HistoryCompaction.compact(table, options.compaction(), options.dryRun());
    SnapshotExpiry.Result expired =
        options.expiry() == null
            ? null
            : SnapshotExpiry.expire(table, id, options.expiry(), pins, now, options.dryRun());
    return new Report(id, compacted, expired);
  }
}
