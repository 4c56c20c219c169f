package io.freshet.store;

/**
 * Where a view's data lives: the names the writers (the job's sinks) and the readers (serving
 * client, training sets, CLI) must agree on. Each store keeps one table per view, named after the
 * view ({@link #table}); the defaults below can be configured, but both sides must be given the
 * same values.
 */
public final class StoreNames {
  private StoreNames() {}

  /**
   * The default Iceberg catalog name. A JDBC catalog stores the catalog name with every table, so a
   * reader that names its catalog otherwise sees an empty catalog.
   */
  public static final String DEFAULT_CATALOG = "freshet";

  /** The default Iceberg namespace of the history tables. */
  public static final String DEFAULT_NAMESPACE = "freshet";

  /** The default Cassandra keyspace of the online tables and of {@link #VIEWS_TABLE}. */
  public static final String DEFAULT_KEYSPACE = "freshet";

  /**
   * The Cassandra table in which the job records each view's features, types, ttl and spec version
   * for the serving client; no view may have this name.
   */
  public static final String VIEWS_TABLE = "freshet_views";

  /**
   * The Iceberg table, in the history namespace, to which jobs append their sources' expectation
   * and freshness violations (docs/observability.md); no view may have this name.
   */
  public static final String VIOLATIONS_TABLE = "freshet_violations";

  /** Names starting with this are Freshet's own tables: no view's name may start with it. */
  public static final String RESERVED_PREFIX = "freshet_";

  /** Cassandra refuses table names longer than this, so view names are at most this long. */
  public static final int MAX_TABLE_NAME_LENGTH = 48;

  /** The name of a view's table, online (in the keyspace) and in the history (in the namespace). */
  public static String table(String view) {
    return view;
  }
}
