package io.freshet.training;

import io.freshet.store.StoreColumn;
import io.freshet.store.iceberg.HistoryTables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;

/**
 * Indicator columns of a training set: BOOLEAN columns that say where a value read is not what a
 * model would have been served.
 *
 * <p><b>Warming up.</b> A feature added to a view whose job resumed from saved state is null while
 * it warms up (docs/semantics.md, "Spec changes on saved state"); the history lists it in the row's
 * {@code warming_up} column. A training set that reads such a feature gets a column after the
 * view's features, named after the feature's column with {@code __warming_up} appended: true where
 * the value read is null because the feature was not computed yet (warming up, or the row was
 * written by a spec version without it, before it was added), false where it was computed (a null
 * is then the feature's value), null where the feature itself is null for want of a row (none yet,
 * or expired).
 *
 * <p><b>Held.</b> An as-served training set places rows by written_at, but the Cassandra sink held
 * catch-up updates (valid_from older than its hold at their written_at, {@link
 * HistoryTables#PROP_ONLINE_HOLD_MS}) until the job's next checkpoint, and never wrote those a
 * newer update of the entity replaced before it. Such a row went online later than its written_at,
 * or not at all: the view's {@code <view>__held} column is true where the row read was one, false
 * where it went online at its written_at, null where there is no row.
 *
 * <p>In a plan an indicator is one more value of the view, named {@code warming_up(feature)} or
 * {@code online_held(millis)} (names no feature can have), so every engine joins and writes it as
 * it does a feature; only the history readers know where it comes from.
 */
public final class Indicators {
  private static final String PREFIX = StoreColumn.WARMING_UP.column() + "(";
  private static final String HELD = "online_held(";

  /** The hold of tables that do not record it: the Cassandra sink's default then. */
  static final long DEFAULT_HOLD_MS = 60_000;

  private Indicators() {}

  /** The name of the warming-up indicator of {@code feature} among a plan's values. */
  public static String warmingUp(String feature) {
    return PREFIX + feature + ")";
  }

  /** The feature a value name is the warming-up indicator of, or null. */
  public static String featureOf(String name) {
    return name.startsWith(PREFIX) && name.endsWith(")")
        ? name.substring(PREFIX.length(), name.length() - 1)
        : null;
  }

  /** The name of the held indicator of a view whose online store held for {@code holdMillis}. */
  public static String held(long holdMillis) {
    return HELD + holdMillis + ")";
  }

  /** The hold a value name is the held indicator of, or -1. */
  public static long holdOf(String name) {
    if (!name.startsWith(HELD) || !name.endsWith(")")) {
      return -1;
    }
    return Long.parseLong(name.substring(HELD.length(), name.length() - 1));
  }

  /**
   * Whether the row was held by the online store: its valid_from older than the hold at its
   * written_at (the Cassandra sink's rule).
   */
  public static boolean wasHeld(long validFrom, long writtenAt, long holdMillis) {
    return holdMillis > 0 && validFrom < writtenAt - holdMillis;
  }

  /** The online hold a table records, or the default of jobs that did not record it. */
  static long onlineHold(Table table) {
    String v = table.properties().get(HistoryTables.PROP_ONLINE_HOLD_MS);
    try {
      return v == null ? DEFAULT_HOLD_MS : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return DEFAULT_HOLD_MS;
    }
  }

  /** The output column of an indicator, from the output column of its feature. */
  static String column(String featureColumn) {
    return featureColumn + "__" + StoreColumn.WARMING_UP.column();
  }

  /**
   * The history columns that hold a plan's values besides the ones every read has (entity,
   * valid_from, revision, last_event_time, written_at when as served): each feature's column, and
   * the {@code warming_up} and {@code spec_version} columns once if any value is a warming-up
   * indicator.
   */
  public static List<String> historyColumns(Collection<String> values) {
    List<String> out = new ArrayList<>();
    boolean indicators = false;
    for (String v : values) {
      if (featureOf(v) != null) {
        indicators = true;
      } else if (holdOf(v) < 0) {
        out.add(v);
      }
    }
    if (indicators) {
      out.add(StoreColumn.WARMING_UP.column());
      out.add(StoreColumn.SPEC_VERSION.column());
    }
    return out;
  }

  /**
   * The spec versions recorded as having written to the table without computing {@code feature}
   * (before it was added, or after it was removed): their rows carry no value of it. Versions that
   * wrote before Freshet recorded them (older tables) are not known and count as computing it.
   */
  public static Set<String> versionsWithout(Table table, String feature) {
    Set<String> out = new HashSet<>();
    String prefix = HistoryTables.PROP_VERSION_FEATURES_PREFIX;
    for (Map.Entry<String, String> p : table.properties().entrySet()) {
      if (p.getKey().startsWith(prefix) && !List.of(p.getValue().split(",")).contains(feature)) {
        out.add(p.getKey().substring(prefix.length()));
      }
    }
    return out;
  }

  /**
   * What each value of a view's plan is, decided once per read of the view: a feature (read from
   * its column), a warming-up indicator (from the row's {@code warming_up} and {@code
   * spec_version}) or a held indicator (from its valid_from and written_at). Every history reader
   * of every engine asks it.
   *
   * @param names the plan's values, in order
   * @param warmingOf per value, the feature it is the warming-up indicator of, or null
   * @param holds per value, the hold of a held indicator, or -1
   * @param versionsWithout per value, the spec versions that did not compute the feature a
   *     warming-up indicator is of ({@link #versionsWithout}); empty for the others
   */
  public record Values(
      List<String> names, String[] warmingOf, long[] holds, List<Set<String>> versionsWithout)
      implements java.io.Serializable {

    /** The values of a plan reading {@code table}. */
    public static Values of(Table table, List<String> names) {
      int n = names.size();
      String[] warmingOf = new String[n];
      long[] holds = new long[n];
      List<Set<String>> without = new ArrayList<>(n);
      for (int f = 0; f < n; f++) {
        warmingOf[f] = featureOf(names.get(f));
        holds[f] = holdOf(names.get(f));
        without.add(
            warmingOf[f] == null ? Set.of() : Indicators.versionsWithout(table, warmingOf[f]));
      }
      return new Values(List.copyOf(names), warmingOf, holds, List.copyOf(without));
    }

    /** Whether value {@code f} is an indicator rather than a feature's column. */
    public boolean isIndicator(int f) {
      return warmingOf[f] != null || holds[f] >= 0;
    }

    /** The history column value {@code f} is read from; null for a held indicator. */
    public String column(int f) {
      return holds[f] >= 0
          ? null
          : warmingOf[f] != null ? StoreColumn.WARMING_UP.column() : names.get(f);
    }

    /** Whether a warming-up indicator needs the rows' spec_version. */
    public boolean needsVersion() {
      return versionsWithout.stream().anyMatch(v -> !v.isEmpty());
    }

    /** Held indicator {@code f} of a row of {@code validFrom} written at {@code writtenAt}. */
    public boolean held(int f, long validFrom, long writtenAt) {
      return wasHeld(validFrom, writtenAt, holds[f]);
    }

    /**
     * Warming-up indicator {@code f} of a row: whether its {@code warming_up} list names the
     * feature, or its spec version is one that did not compute it.
     *
     * @param warmingUp the row's warming_up value (names, or null)
     * @param version the row's spec_version (null when not read)
     */
    public boolean notComputed(int f, Iterable<?> warmingUp, Object version) {
      if (version != null && versionsWithout.get(f).contains(version.toString())) {
        return true;
      }
      if (warmingUp != null) {
        for (Object n : warmingUp) {
          if (n != null && warmingOf[f].contentEquals(n.toString())) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * Whether a feature of a history table can have been warming up: its column was added to the
   * table after the table was made (a feature the view had from the start was never added to saved
   * state), and the table has the {@code warming_up} column.
   */
  static boolean canWarm(Table table, String feature) {
    Schema current = table.schema();
    if (current.findField(StoreColumn.WARMING_UP.column()) == null
        || current.findField(feature) == null) {
      return false;
    }
    int first = table.schemas().keySet().stream().mapToInt(Integer::intValue).min().orElse(-1);
    Schema oldest = table.schemas().get(first);
    return oldest == null
        || oldest.findField(current.findField(feature).fieldId()) == null
        || !versionsWithout(table, feature).isEmpty();
  }
}
