package io.freshet.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.StoreNames;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Online/offline agreement of one view: every entity's Cassandra row against its newest history row
 * (greatest valid_from, then revision) at the table's current snapshot.
 *
 * <p>An entity agrees when both hold the same version (valid_from and revision) with the same
 * values. The stores legitimately differ for a while: Cassandra is written at once and the history
 * on each checkpoint (the online row is then <em>ahead</em>), the sink holds catch-up updates until
 * the checkpoint (<em>behind</em>), and Cassandra drops a vector {@code expired-retention} after it
 * expired. A difference of those kinds counts as a problem only once the newer side's written_at is
 * older than the grace period; a row whose version matches but whose values differ, and a history
 * row past its grace with no online row while not expired, are always problems.
 */
final class ConsistencyCheck {
  /** The outcome for one entity that is not in agreement. */
  record Finding(String entity, Kind kind, String detail) {}

  enum Kind {
    /** Same version, other values: the worst case, training and serving disagree. */
    DIFFERENT_VALUES(true),
    /**
     * A stored vector (online or history) differs from the naive recomputation from the source
     * events: what was served or trained is not what the spec defines.
     */
    RECOMPUTED_DIFFERS(true),
    /** The online row is older than the history's newest, past the grace period. */
    ONLINE_BEHIND(true),
    /** The online row is newer than the committed history, past the grace period. */
    ONLINE_AHEAD(true),
    /** No online row for a live (not expired) history row past the grace period. */
    MISSING_ONLINE(true),
    /** An online row the history does not have, past the grace period. */
    MISSING_OFFLINE(true),
    /** Ahead, behind or missing within the grace period: in flight, not a problem yet. */
    IN_FLIGHT(false),
    /** Expired by the ttl: Cassandra may have dropped it. */
    EXPIRED(false);

    final boolean problem;

    Kind(boolean problem) {
      this.problem = problem;
    }
  }

  /**
   * One view's result.
   *
   * @param entities entities in either store
   * @param agreeing entities whose online row is the newest history row
   * @param counts entities per other kind
   * @param examples the first findings that are problems (up to the limit asked)
   */
  record Report(
      String view,
      long entities,
      long agreeing,
      Map<Kind, Long> counts,
      List<Finding> examples,
      Recomputed recomputed) {
    long problems() {
      long n = 0;
      for (Map.Entry<Kind, Long> e : counts.entrySet()) {
        n += e.getKey().problem ? e.getValue() : 0;
      }
      return n;
    }
  }

  /**
   * How the recomputation from the source events went.
   *
   * @param chosen entities chosen for it (with a vector not expired)
   * @param agreeing those whose stored vectors both equal the recomputation
   * @param notRecomputable those left out, by reason
   * @param unavailable why nothing was recomputed, or null
   */
  record Recomputed(
      long chosen, long agreeing, Map<String, Long> notRecomputable, String unavailable) {
    static final Recomputed NONE = new Recomputed(0, 0, Map.of(), null);
  }

  /** A stored version of an entity's vector. */
  private record Version(
      long validFrom,
      int revision,
      long lastEventTime,
      long writtenAt,
      String specVersion,
      Set<String> warmingUp,
      Object[] values) {
    boolean newerThan(Version o) {
      return validFrom != o.validFrom ? validFrom > o.validFrom : revision > o.revision;
    }
  }

  private ConsistencyCheck() {}

  /**
   * Checks one view.
   *
   * @param history the view's history table
   * @param session a session to the online store
   * @param keyspace the view tables' keyspace
   * @param now the wall clock, epoch millis
   * @param grace how long the stores may differ in flight
   * @param examples how many problems to keep as examples
   * @param sample check this many entities (a fixed pseudo-random choice), or all when 0
   * @param recompute recompute this many of the checked entities (the first of the same choice)
   *     from the source events, with {@code events}; none when 0
   * @param events reads the source events of the entities given
   */
  static Report check(
      ViewSpec view,
      Table history,
      CqlSession session,
      String keyspace,
      long now,
      Duration grace,
      int examples,
      int sample,
      int recompute,
      Function<Set<String>, Recomputation> events) {
    Map<String, Version> offline = newestHistory(view, history);
    Map<String, Version> online = onlineRows(view, session, keyspace);
    Set<String> all = new HashSet<>(offline.keySet());
    all.addAll(online.keySet());
    long ttl = view.ttl().toMillis();
    // the same entities every time: the smallest by a hash of the id
    List<String> byHash =
        all.stream()
            .sorted(
                java.util.Comparator.comparingInt((String e) -> mix(e.hashCode()))
                    .thenComparing(e -> e))
            .toList();
    Set<String> entities =
        new HashSet<>(sample > 0 ? byHash.subList(0, Math.min(sample, byHash.size())) : byHash);
    Set<String> toRecompute = new HashSet<>();
    for (String e : byHash) {
      Version newest = newest(offline.get(e), online.get(e));
      if (toRecompute.size() < recompute
          && entities.contains(e)
          && now - newest.lastEventTime <= ttl) {
        toRecompute.add(e);
      }
    }
    Recomputation rc = toRecompute.isEmpty() ? null : events.apply(toRecompute);
    Map<String, Long> notRecomputable = new java.util.TreeMap<>();
    long recomputedAgreeing = 0;
    Map<Kind, Long> counts = new java.util.EnumMap<>(Kind.class);
    List<Finding> found = new ArrayList<>();
    long agreeing = 0;
    long graceMillis = grace.toMillis();
    for (String entity : entities.stream().sorted().toList()) {
      Version h = offline.get(entity);
      Version c = online.get(entity);
      Finding f = null;
      if (rc != null && toRecompute.contains(entity)) {
        String why = rc.notRecomputable(entity);
        boolean hCurrent = h != null && rc.current(view, h.specVersion);
        boolean cCurrent = c != null && rc.current(view, c.specVersion);
        if (why == null && !hCurrent && !cCurrent) {
          why = "written by spec version " + newest(h, c).specVersion;
        }
        if (why != null) {
          notRecomputable.merge(why, 1L, Long::sum);
        } else {
          String diff =
              recomputedDifferences(view, rc, entity, hCurrent ? h : null, cCurrent ? c : null);
          if (diff.isEmpty()) {
            recomputedAgreeing++;
          } else {
            f = new Finding(entity, Kind.RECOMPUTED_DIFFERS, diff);
          }
        }
      }
      if (f == null) {
        f = storesFinding(view, entity, h, c, now, graceMillis);
      }
      if (f == null) {
        agreeing++;
        continue;
      }
      counts.merge(f.kind(), 1L, Long::sum);
      if (f.kind().problem && found.size() < examples) {
        found.add(f);
      }
    }
    Recomputed recomputed =
        rc == null
            ? Recomputed.NONE
            : new Recomputed(
                toRecompute.size(), recomputedAgreeing, notRecomputable, rc.unavailable());
    return new Report(view.name(), entities.size(), agreeing, counts, found, recomputed);
  }

  /**
   * How the online row and the newest history row of one entity compare, or null when they agree.
   */
  private static Finding storesFinding(
      ViewSpec view, String entity, Version h, Version c, long now, long graceMillis) {
    long ttl = view.ttl().toMillis();
    if (h != null && c != null && h.validFrom == c.validFrom && h.revision == c.revision) {
      String diff = differences(view, h, c);
      return diff.isEmpty() ? null : new Finding(entity, Kind.DIFFERENT_VALUES, diff);
    } else if (now - (h != null ? h : c).lastEventTime > ttl) {
      return new Finding(entity, Kind.EXPIRED, "");
    } else if (c == null) {
      return new Finding(
          entity,
          now - h.writtenAt > graceMillis ? Kind.MISSING_ONLINE : Kind.IN_FLIGHT,
          "history " + version(h) + ", no online row");
    } else if (h == null) {
      return new Finding(
          entity,
          now - c.writtenAt > graceMillis ? Kind.MISSING_OFFLINE : Kind.IN_FLIGHT,
          "online " + version(c) + ", no history row");
    } else if (c.newerThan(h)) {
      return new Finding(
          entity,
          now - c.writtenAt > graceMillis ? Kind.ONLINE_AHEAD : Kind.IN_FLIGHT,
          "online " + version(c) + ", history " + version(h));
    } else {
      return new Finding(
          entity,
          now - h.writtenAt > graceMillis ? Kind.ONLINE_BEHIND : Kind.IN_FLIGHT,
          "online " + version(c) + ", history " + version(h));
    }
  }

  /** The newer of two versions, either of which may be missing (not both). */
  private static Version newest(Version a, Version b) {
    return a == null ? b : b == null || a.newerThan(b) ? a : b;
  }

  /**
   * Each stored vector's differences from the recomputation at its own valid_from, as "online: ...;
   * history: ..."; empty when both equal it.
   */
  private static String recomputedDifferences(
      ViewSpec view, Recomputation rc, String entity, Version h, Version c) {
    String online =
        c == null ? "" : rc.differences(view, entity, c.validFrom, c.values, c.warmingUp);
    String history =
        h == null ? "" : rc.differences(view, entity, h.validFrom, h.values, h.warmingUp);
    if (!online.isEmpty()
        && online.equals(history)
        && h.validFrom == c.validFrom
        && h.revision == c.revision) {
      return "online and history " + version(h) + ": " + online;
    }
    List<String> out = new ArrayList<>();
    if (!online.isEmpty()) {
      out.add("online " + version(c) + ": " + online);
    }
    if (!history.isEmpty()) {
      out.add("history " + version(h) + ": " + history);
    }
    return String.join("; ", out);
  }

  /** Spreads a hash code (murmur3's finalizer), so that a sample is not the ids' sort order. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  private static String version(Version v) {
    return "valid_from " + java.time.Instant.ofEpochMilli(v.validFrom) + " revision " + v.revision;
  }

  /** The features whose values differ, as "name: online X, history Y"; empty when none. */
  private static String differences(ViewSpec view, Version h, Version c) {
    List<String> out = new ArrayList<>();
    List<FeatureDef> features = view.features();
    for (int i = 0; i < features.size(); i++) {
      if (!Objects.equals(h.values[i], c.values[i])) {
        out.add(features.get(i).name() + ": online " + c.values[i] + ", history " + h.values[i]);
      }
    }
    return String.join("; ", out);
  }

  /** Each entity's newest history row (by valid_from, then revision). */
  private static Map<String, Version> newestHistory(ViewSpec view, Table table) {
    Map<String, Version> newest = new HashMap<>();
    if (table.currentSnapshot() == null) {
      return newest;
    }
    List<String> columns = new ArrayList<>();
    for (StoreColumn c :
        List.of(
            StoreColumn.ENTITY,
            StoreColumn.VALID_FROM,
            StoreColumn.REVISION,
            StoreColumn.LAST_EVENT_TIME,
            StoreColumn.WRITTEN_AT,
            StoreColumn.SPEC_VERSION,
            StoreColumn.WARMING_UP)) {
      columns.add(c.column());
    }
    for (FeatureDef f : view.features()) {
      columns.add(f.name());
    }
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).select(columns).build()) {
      for (Record r : rows) {
        Object[] values = new Object[view.features().size()];
        for (int i = 0; i < values.length; i++) {
          Object v = r.getField(view.features().get(i).name());
          values[i] = v instanceof CharSequence s ? s.toString() : v;
        }
        Version v =
            new Version(
                millis(r.getField(StoreColumn.VALID_FROM.column())),
                (Integer) r.getField(StoreColumn.REVISION.column()),
                millis(r.getField(StoreColumn.LAST_EVENT_TIME.column())),
                millis(r.getField(StoreColumn.WRITTEN_AT.column())),
                String.valueOf(r.getField(StoreColumn.SPEC_VERSION.column())),
                names(r.getField(StoreColumn.WARMING_UP.column())),
                values);
        newest.merge(
            r.getField(StoreColumn.ENTITY.column()).toString(),
            v,
            (a, b) -> b.newerThan(a) ? b : a);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return newest;
  }

  /** Every online row of the view. */
  private static Map<String, Version> onlineRows(
      ViewSpec view, CqlSession session, String keyspace) {
    StringBuilder cols =
        new StringBuilder(
            "entity, valid_from, revision, last_event_time, written_at, spec_version, warming_up");
    for (FeatureDef f : view.features()) {
      cols.append(", \"").append(f.name()).append('"');
    }
    String cql =
        "SELECT " + cols + " FROM \"" + keyspace + "\".\"" + StoreNames.table(view.name()) + "\"";
    Map<String, Version> rows = new HashMap<>();
    for (Row r : session.execute(SimpleStatement.newInstance(cql).setPageSize(5_000))) {
      Object[] values = new Object[view.features().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = r.getObject(7 + i);
      }
      rows.put(
          r.getString(0),
          new Version(
              r.getLong(1),
              r.getInt(2),
              r.getLong(3),
              r.getLong(4),
              r.getString(5),
              names(r.getObject(6)),
              values));
    }
    return rows;
  }

  /** A warming_up column's feature names (a list or set of strings, or null for none). */
  private static Set<String> names(Object column) {
    Set<String> out = new HashSet<>();
    if (column instanceof java.util.Collection<?> c) {
      c.forEach(n -> out.add(String.valueOf(n)));
    }
    return out;
  }

  private static long millis(Object timestamp) {
    return timestamp instanceof OffsetDateTime t
        ? t.toInstant().toEpochMilli()
        : ((Number) timestamp).longValue();
  }
}
