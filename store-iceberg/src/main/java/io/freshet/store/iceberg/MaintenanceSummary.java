package io.freshet.store.iceberg;

import io.freshet.spec.Durations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The lines of a {@link HistoryMaintenance.Report}: what was (or would be) done, and why. */
final class MaintenanceSummary {
  private MaintenanceSummary() {}

  static List<String> lines(HistoryMaintenance.Report r) {
    List<String> out = new ArrayList<>();
    out.add(r.table().toString());
    if (r.compaction() != null) {
      compaction(r.compaction(), out);
    }
    if (r.expiry() != null) {
      expiry(r.expiry(), out);
    }
    return out;
  }

  private static void compaction(HistoryCompaction.Result c, List<String> out) {
    String head = c.dryRun() ? "  compaction (dry run): " : "  compaction: ";
    if (c.filesRewritten() == 0) {
      out.add(
          head
              + c.filesBefore()
              + " data files, none to rewrite (no partition has "
              + c.minInputFiles()
              + " or more files under "
              + bytes((long) (c.targetFileBytes() * HistoryCompaction.SMALL_SHARE))
              + ")");
    } else {
      String about = c.dryRun() ? "about " : "";
      out.add(
          head
              + c.filesBefore()
              + " data files -> "
              + about
              + c.filesAfter()
              + ": "
              + (c.dryRun() ? "would rewrite " : "rewrote ")
              + c.filesRewritten()
              + " small files of "
              + c.partitions()
              + (c.partitions() == 1 ? " partition" : " partitions")
              + " ("
              + bytes(c.bytesRewritten())
              + ", "
              + String.format(Locale.ROOT, "%,d", c.rowsRewritten())
              + " rows) as "
              + about
              + c.filesWritten()
              + " (target "
              + bytes(c.targetFileBytes())
              + ")");
    }
    if (c.filesWithDeletes() > 0 || c.filesNotParquet() > 0) {
      out.add(
          "    left alone: "
              + c.filesWithDeletes()
              + " files with delete files, "
              + c.filesNotParquet()
              + " files not in Parquet");
    }
  }

  private static void expiry(SnapshotExpiry.Result e, List<String> out) {
    String head = e.dryRun() ? "  snapshots (dry run): " : "  snapshots: ";
    int keptPinned = e.keptPinned().size();
    int keptFlink = e.keptForFlink().size();
    int keptByRule = e.snapshotsAfter() - keptPinned - keptFlink;
    StringBuilder line =
        new StringBuilder(head)
            .append(e.snapshotsBefore())
            .append(" -> ")
            .append(e.snapshotsAfter())
            .append(": ")
            .append(e.dryRun() ? "would expire " : "expired ")
            .append(e.expired().size())
            .append(" older than ")
            .append(Durations.format(e.olderThan()))
            .append(" (before ")
            .append(Instant.ofEpochMilli(e.cutoffMillis()))
            .append("); kept ")
            .append(keptByRule)
            .append(" newer or among the newest ")
            .append(e.retainLast());
    if (keptPinned > 0) {
      line.append(", ").append(keptPinned).append(" pinned by training-set manifests");
    }
    if (keptFlink > 0) {
      line.append(", ")
          .append(keptFlink)
          .append(" so the Flink job finds its last commit on restore");
    }
    out.add(line.toString());
    for (Map.Entry<Long, List<String>> kept : e.keptPinned().entrySet()) {
      out.add(
          "    kept snapshot "
              + kept.getKey()
              + ": pinned by "
              + String.join(", ", kept.getValue()));
    }
    for (SnapshotPin b : e.broken()) {
      out.add(
          "    BREAKS "
              + b.pinnedBy()
              + ": "
              + (e.dryRun() ? "would expire" : "expired")
              + " its snapshot "
              + b.snapshotId()
              + " (forced); that training set can no longer be rebuilt");
    }
    for (SnapshotPin m : e.alreadyMissing()) {
      out.add(
          "    already broken: "
              + m.pinnedBy()
              + " pins snapshot "
              + m.snapshotId()
              + ", which the table no longer has");
    }
  }

  /** A byte count for people: B, KB, MB or GB (powers of 1024). */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
