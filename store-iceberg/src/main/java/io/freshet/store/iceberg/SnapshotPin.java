package io.freshet.store.iceberg;

import java.util.Objects;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * A snapshot of a history table that something still reads, so that expiring it would break that
 * reader: a training-set manifest records, per view, the snapshot it read, and rebuilds its rows
 * from that snapshot only. {@link SnapshotExpiry} keeps pinned snapshots unless forced, and then
 * names what it broke by {@link #pinnedBy}.
 *
 * @param table the history table (namespace and name, as the catalog knows it)
 * @param snapshotId the pinned snapshot
 * @param pinnedBy who pins it, as the user knows it (a manifest's path)
 */
public record SnapshotPin(TableIdentifier table, long snapshotId, String pinnedBy) {
  public SnapshotPin {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(pinnedBy, "pinnedBy");
  }
}
