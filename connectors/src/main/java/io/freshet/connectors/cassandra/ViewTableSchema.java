package io.freshet.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.freshet.spec.Docs;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.RequestFeature;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.StoreNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online table of a view, and its row in the {@code freshet_views} metadata table: created and
 * evolved from the spec.
 *
 * <pre>
 * CREATE TABLE ks."view" (
 *   entity text PRIMARY KEY,
 *   valid_from bigint, last_event_time bigint, written_at bigint, spec_version text, revision int,
 *   "feature_1" bigint|double|text|boolean, ...)
 * CREATE TABLE ks.freshet_views (
 *   view_name text PRIMARY KEY, source text, features list&lt;text&gt;, types list&lt;text&gt;,
 *   ttl_ms bigint, spec_version text, updated_at timestamp)
 * CREATE TABLE ks.freshet_writer_epochs (view_name text PRIMARY KEY, epoch counter)
 * </pre>
 *
 * <p>Evolution: a feature new to the spec is added with {@code ALTER TABLE ADD}. A feature removed
 * from the spec keeps its column: {@link #ensure} and {@link #await} name such columns, and the
 * writer sets them to null in every row it writes, so that a row is always one update, whole (never
 * a new vector beside a removed feature's stale value). {@code freshet_views} lists the spec's
 * features only. A feature whose type changed is refused with a {@link ViewSchemaException}: the
 * column holds values computed by the old definition, so the change needs a new feature name or a
 * new view (e.g. {@code name_v2}), which gets a new table and is filled by the job from its start
 * offsets.
 */
public final class ViewTableSchema {
  private static final Logger LOG = LoggerFactory.getLogger(ViewTableSchema.class);

  /** The metadata table the serving client reads view definitions from. */
  private static final String VIEWS_TABLE = StoreNames.VIEWS_TABLE;

  /**
   * Names of the columns every view table has besides its features ({@link StoreColumn#ONLINE}).
   */
  private static final List<String> FIXED_COLUMNS =
      StoreColumn.ONLINE.stream().map(StoreColumn::column).toList();

  private ViewTableSchema() {}

  /** The CQL type of a feature's values. */
  public static String cqlType(ValueType t) {
    return switch (t) {
      case LONG -> "bigint";
      case DOUBLE -> "double";
      case STRING -> "text";
      case BOOLEAN -> "boolean";
    };
  }

  /**
   * Double-quoted identifier: spec names are lowercase, so quoting keeps them and shields keywords.
   */
  static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** Checks, without connecting, that the view can be a Cassandra table. */
  public static void validate(ViewSpec view) {
    if (view.name().length() > StoreNames.MAX_TABLE_NAME_LENGTH) {
      throw new ViewSchemaException(
          "view '"
              + view.name()
              + "' is "
              + view.name().length()
              + " characters long; Cassandra table names have at most "
              + StoreNames.MAX_TABLE_NAME_LENGTH
              + ": shorten the view name");
    }
    if (view.name().equals(VIEWS_TABLE)) {
      throw new ViewSchemaException(
          "view name '" + VIEWS_TABLE + "' is reserved for Freshet's metadata table: rename it");
    }
    for (FeatureDef f : view.features()) {
      if (FIXED_COLUMNS.contains(f.name())) {
        throw new ViewSchemaException(
            "feature '"
                + f.name()
                + "' of view '"
                + view.name()
                + "' has the name of a column every view table has ("
                + String.join(", ", FIXED_COLUMNS)
                + "): rename the feature");
      }
    }
  }

  /**
   * Creates the keyspace (if {@code replication} is not empty), the metadata table and the view's
   * table, adds new feature columns, and records the view in {@code freshet_views}.
   *
   * @return the table's feature columns the view no longer has (removed features), which the writer
   *     sets to null
   * @throws ViewSchemaException if a feature was retyped, or the view belongs to another source
   */
  public static List<String> ensure(
      CqlSession session, String keyspace, String replication, SourceSpec source, ViewSpec view) {
    validate(view);
    String ks = quote(keyspace);
    if (replication != null && !replication.isBlank()) {
      ddl(session, "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = " + replication);
    } else if (session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
                    keyspace))
            .one()
        == null) {
      throw new ViewSchemaException(
          "keyspace '"
              + keyspace
              + "' does not exist: create it (e.g. CREATE KEYSPACE "
              + keyspace
              + " WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3}) or set "
              + CassandraOptions.KEYSPACE_REPLICATION.key());
    }
    ddl(session, WriterEpochs.createCql(keyspace));
    Map<String, String> registry = columns(session, keyspace, VIEWS_TABLE);
    if (registry.isEmpty()) {
      // one statement: every schema change waits for the nodes to agree (about a second here)
      StringBuilder cql =
          new StringBuilder("CREATE TABLE IF NOT EXISTS ")
              .append(ks)
              .append('.')
              .append(VIEWS_TABLE)
              .append(
                  " (view_name text PRIMARY KEY, source text, features list<text>, types"
                      + " list<text>, ttl_ms bigint, spec_version text, updated_at timestamp");
      DISCOVERY_COLUMNS.forEach((c, type) -> cql.append(", ").append(c).append(' ').append(type));
      ddl(session, cql.append(')').toString());
      registry = columns(session, keyspace, VIEWS_TABLE);
    }
    // a registry made by an earlier version: its newer columns added
    addMissing(session, keyspace, VIEWS_TABLE, registry, DISCOVERY_COLUMNS);
    Row meta =
        session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT source FROM " + ks + "." + VIEWS_TABLE + " WHERE view_name = ?",
                    view.name()))
            .one();
    if (meta != null && !source.name().equals(meta.getString("source"))) {
      throw new ViewSchemaException(
          "view '"
              + view.name()
              + "' in keyspace '"
              + keyspace
              + "' belongs to source '"
              + meta.getString("source")
              + "', not '"
              + source.name()
              + "': view names are unique per keyspace, so rename this view or use another"
              + " keyspace");
    }

    String table = StoreNames.table(view.name());
    Map<String, String> existing = columns(session, keyspace, table);
    List<String> removed = removedColumns(view, existing);
    if (existing.isEmpty()) {
      StringBuilder cql =
          new StringBuilder("CREATE TABLE IF NOT EXISTS ")
              .append(ks)
              .append('.')
              .append(quote(table))
              .append(" (");
      for (StoreColumn c : StoreColumn.ONLINE) {
        cql.append(c == StoreColumn.ONLINE.get(0) ? "" : ", ")
            .append(c.column())
            .append(' ')
            .append(c.cqlType())
            .append(c == StoreColumn.ENTITY ? " PRIMARY KEY" : "");
      }
      for (FeatureDef f : view.features()) {
        cql.append(", ").append(quote(f.name())).append(' ').append(cqlType(f.outputType()));
      }
      cql.append(")");
      ddl(session, cql.toString());
      LOG.info("Created table {}.{} for view {}", keyspace, table, view.name());
    } else {
      List<String> problems = problems(view, existing);
      if (!problems.isEmpty()) {
        throw new ViewSchemaException(
            "view '"
                + view.name()
                + "' no longer matches its table "
                + keyspace
                + "."
                + table
                + ": "
                + String.join("; ", problems)
                + ". Stored values were computed by the old definition, so a view cannot retype a"
                + " feature: give the changed feature a new name, or declare a new view (e.g. '"
                + nextVersionName(view.name())
                + "') with the new features, and remove the old view once its readers have moved.");
      }
      if (!removed.isEmpty()) {
        LOG.info(
            "Features {} of {}.{} are no longer in view {}: their columns stay, null from now on",
            removed,
            keyspace,
            table,
            view.name());
      }
      // a fixed column newer than the table (warming_up), and the view's new features: added,
      // null in older rows
      Map<String, String> wanted = new LinkedHashMap<>();
      for (StoreColumn c : StoreColumn.ONLINE) {
        wanted.put(c.column(), c.cqlType());
      }
      for (FeatureDef f : view.features()) {
        wanted.put(f.name(), cqlType(f.outputType()));
      }
      addMissing(session, keyspace, table, existing, wanted);
    }

    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (FeatureDef f : view.features()) {
      names.add(f.name());
      types.add(cqlType(f.outputType()));
    }
    Map<String, String> definitions = new LinkedHashMap<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    Map<String, String> owners = new LinkedHashMap<>();
    Map<String, List<String>> tags = new LinkedHashMap<>();
    List<String> requestFeatures = new ArrayList<>();
    List<String> requestExpressions = new ArrayList<>();
    Map<String, String> requestFields = new LinkedHashMap<>();
    view.requestFields().forEach((n, t) -> requestFields.put(n, cqlType(t)));
    for (FeatureDef f : view.features()) {
      definitions.put(f.name(), f.summary());
      addDocs(f.name(), view.docsOf(f.name()), descriptions, owners, tags);
    }
    for (RequestFeature r : view.requestFeatures()) {
      requestFeatures.add(r.name());
      requestExpressions.add(r.expression().text());
      addDocs(r.name(), r.docs(), descriptions, owners, tags);
    }
    session.execute(
        SimpleStatement.newInstance(
            "INSERT INTO "
                + ks
                + "."
                + VIEWS_TABLE
                + " (view_name, source, features, types, ttl_ms, spec_version, updated_at,"
                + " description, owner, tags, definitions, feature_descriptions, feature_owners,"
                + " feature_tags, request_fields, request_features, request_expressions)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            view.name(),
            source.name(),
            names,
            types,
            view.ttl().toMillis(),
            view.version(source),
            Instant.now(),
            view.docs().description(),
            view.docs().owner(),
            view.docs().tags(),
            definitions,
            descriptions,
            owners,
            tags,
            requestFields,
            requestFeatures,
            requestExpressions));
    return removed;
  }

  private static void addDocs(
      String feature,
      Docs d,
      Map<String, String> descriptions,
      Map<String, String> owners,
      Map<String, List<String>> tags) {
    if (d.description() != null) {
      descriptions.put(feature, d.description());
    }
    if (d.owner() != null) {
      owners.put(feature, d.owner());
    }
    if (!d.tags().isEmpty()) {
      tags.put(feature, d.tags());
    }
  }

  /**
   * The discovery columns of {@code freshet_views} (docs/serving.md, "Discovery"): the view's
   * description, owner and tags, and per feature its definition ({@link FeatureDef#summary}:
   * aggregation, field, window, tile, parameters), description, owner and tags; and the
   * request-time features (names and expressions, in spec order) with the request fields they read
   * (name to CQL type), which serving clients compute from. Added to tables made before them.
   */
  static final Map<String, String> DISCOVERY_COLUMNS =
      orderedMap(
          "description", "text",
          "owner", "text",
          "tags", "list<text>",
          "definitions", "map<text, text>",
          "feature_descriptions", "map<text, text>",
          "feature_owners", "map<text, text>",
          "feature_tags", "map<text, frozen<list<text>>>",
          "request_fields", "map<text, text>",
          "request_features", "list<text>",
          "request_expressions", "list<text>");

  private static Map<String, String> orderedMap(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  /**
   * Adds the columns of {@code wanted} (name to CQL type) that a table made by an earlier version
   * or an earlier spec lacks ({@code existing}, as {@link #columns} read it). A column another
   * job's start added concurrently is fine if it now has the wanted type.
   */
  private static void addMissing(
      CqlSession session,
      String keyspace,
      String table,
      Map<String, String> existing,
      Map<String, String> wanted) {
    for (Map.Entry<String, String> c : wanted.entrySet()) {
      if (existing.containsKey(c.getKey())) {
        continue;
      }
      try {
        ddl(
            session,
            "ALTER TABLE "
                + quote(keyspace)
                + "."
                + quote(table)
                + " ADD "
                + quote(c.getKey())
                + " "
                + c.getValue());
      } catch (com.datastax.oss.driver.api.core.servererrors.InvalidQueryException e) {
        String now = columns(session, keyspace, table).get(c.getKey());
        if (now == null || !now.replace(" ", "").equals(c.getValue().replace(" ", ""))) {
          throw e;
        }
      }
      LOG.info("Added column {} to {}.{}", c.getKey(), keyspace, table);
    }
  }

  /**
   * Waits until the view's table has every column of the spec (created by subtask 0's {@link
   * #ensure}), up to {@code timeout}.
   *
   * @return the table's feature columns the view no longer has, as {@link #ensure} returns them
   */
  public static List<String> await(
      CqlSession session, String keyspace, ViewSpec view, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 50;
    String table = StoreNames.table(view.name());
    while (true) {
      Map<String, String> existing = columns(session, keyspace, table);
      if (!existing.isEmpty() && problems(view, existing).isEmpty()) {
        boolean all = view.features().stream().allMatch(f -> existing.containsKey(f.name()));
        if (all) {
          return removedColumns(view, existing);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new ViewSchemaException(
            "table "
                + keyspace
                + "."
                + table
                + " did not get the view's columns within "
                + timeout
                + " (subtask 0 creates it; see its log), columns now: "
                + existing);
      }
      Thread.sleep(pause);
      pause = Math.min(pause * 2, 1000);
    }
  }

  /** The columns of a table and their CQL types; empty if the table does not exist. */
  static Map<String, String> columns(CqlSession session, String keyspace, String table) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Row r :
        session.execute(
            SimpleStatement.newInstance(
                "SELECT column_name, type FROM system_schema.columns"
                    + " WHERE keyspace_name = ? AND table_name = ?",
                keyspace,
                table))) {
      out.put(r.getString("column_name"), r.getString("type"));
    }
    return out;
  }

  /** The feature columns of a table (by {@link #columns}) that are not in the view, in order. */
  static List<String> removedColumns(ViewSpec view, Map<String, String> existing) {
    List<String> removed = new ArrayList<>();
    for (String name : existing.keySet()) {
      if (!FIXED_COLUMNS.contains(name) && view.indexOf(name) < 0) {
        removed.add(name);
      }
    }
    return removed;
  }

  /** The table's columns that cannot hold the view's features: retyped features. */
  private static List<String> problems(ViewSpec view, Map<String, String> existing) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> c : existing.entrySet()) {
      String name = c.getKey();
      if (FIXED_COLUMNS.contains(name)) {
        continue;
      }
      int i = view.indexOf(name);
      if (i >= 0) { // a column not in the view is a removed feature's: it stays
        String want = cqlType(view.features().get(i).outputType());
        if (!want.equals(c.getValue())) {
          problems.add("feature '" + name + "' changed type from " + c.getValue() + " to " + want);
        }
      }
    }
    return problems;
  }

  /** customer_risk -> customer_risk_v2, customer_risk_v2 -> customer_risk_v3. */
  static String nextVersionName(String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.*)_v(\\d+)").matcher(name);
    if (m.matches()) {
      return m.group(1) + "_v" + (Integer.parseInt(m.group(2)) + 1);
    }
    return name + "_v2";
  }

  private static void ddl(CqlSession session, String cql) {
    session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(30)));
    if (!session.checkSchemaAgreement()) {
      LOG.warn("Schema not yet in agreement after: {}", cql);
    }
  }
}
