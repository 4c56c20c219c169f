package io.freshet.connectors.iceberg;

import io.freshet.store.StoreNames;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Settings of the Iceberg history sink and its catalog.
 *
 * <p>By default the catalog is an Iceberg JDBC catalog named {@value StoreNames#DEFAULT_CATALOG} on
 * an embedded SQLite file with a file-system warehouse, both under Freshet's state directory. Any
 * other Iceberg catalog (REST, JDBC on PostgreSQL, Hive, Glue, Nessie) is chosen with {@link
 * #CATALOG_TYPE} or {@link #CATALOG_IMPL}; every key under {@value #CATALOG_PROPERTY_PREFIX} is
 * handed to the catalog without the prefix (for example {@code
 * freshet.iceberg.catalog.jdbc.user=...} or {@code freshet.iceberg.catalog.io-impl=...}).
 *
 * <p>Readers must name their catalog exactly {@link #CATALOG_NAME}: a JDBC catalog stores the
 * catalog name with every table, and a reader with another name sees an empty catalog.
 */
public final class IcebergOptions {
  private IcebergOptions() {}

  public static final String CATALOG_PROPERTY_PREFIX = "freshet.iceberg.catalog.";

  public static final ConfigOption<Boolean> ENABLED =
      ConfigOptions.key("freshet.iceberg.enabled")
          .booleanType()
          .defaultValue(true)
          .withDescription("Append every feature update to the view's Iceberg history table.");

  public static final ConfigOption<String> CATALOG_NAME =
      ConfigOptions.key("freshet.iceberg.catalog-name")
          .stringType()
          .defaultValue(StoreNames.DEFAULT_CATALOG)
          .withDescription(
              "Iceberg catalog name. Spark, Trino and PyIceberg must name their catalog the same"
                  + " when they read a JDBC catalog.");

  public static final ConfigOption<String> CATALOG_TYPE =
      ConfigOptions.key("freshet.iceberg.catalog-type")
          .stringType()
          .defaultValue("jdbc")
          .withDescription(
              "Iceberg catalog type: jdbc, rest, hive, hadoop, glue or nessie (Iceberg's"
                  + " 'type' catalog property). Ignored when catalog-impl is set.");

  public static final ConfigOption<String> CATALOG_IMPL =
      ConfigOptions.key("freshet.iceberg.catalog-impl")
          .stringType()
          .noDefaultValue()
          .withDescription("A Catalog class name (Iceberg's 'catalog-impl'); overrides the type.");

  public static final ConfigOption<String> URI =
      ConfigOptions.key("freshet.iceberg.uri")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Catalog URI. Default for the jdbc type: jdbc:sqlite:<state dir>/iceberg/catalog.db.");

  public static final ConfigOption<String> WAREHOUSE =
      ConfigOptions.key("freshet.iceberg.warehouse")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Warehouse location. Default for the jdbc type: file:<state dir>/iceberg/warehouse."
                  + " Iceberg stores absolute paths: readers need the same location.");

  public static final ConfigOption<String> NAMESPACE =
      ConfigOptions.key("freshet.iceberg.namespace")
          .stringType()
          .defaultValue(StoreNames.DEFAULT_NAMESPACE)
          .withDescription("Namespace (database) of the history tables; one table per view.");

  public static final ConfigOption<String> STATE_DIR =
      ConfigOptions.key("freshet.state.dir")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Freshet's state directory, where the default catalog lives;"
                  + " default $FRESHET_STATE_DIR, else ~/.freshet.");

  public static final ConfigOption<Integer> WRITE_PARALLELISM =
      ConfigOptions.key("freshet.iceberg.write-parallelism")
          .intType()
          .noDefaultValue()
          .withDescription("Parallelism of the Iceberg writers; default the job's parallelism.");

  public static final ConfigOption<String> DISTRIBUTION_MODE =
      ConfigOptions.key("freshet.iceberg.distribution-mode")
          .stringType()
          .defaultValue("none")
          .withDescription(
              "How updates reach the writers: none (each writer keeps the entities of its"
                  + " upstream subtask, so files cluster by entity), hash (by day partition) or"
                  + " range (by the table's sort order).");

  /** Freshet's state directory: the option, else FRESHET_STATE_DIR, else ~/.freshet. */
  static Path stateDir(org.apache.flink.configuration.Configuration conf) {
    String dir = conf.get(STATE_DIR);
    if (dir == null) {
      dir = System.getProperty("freshet.state.dir");
    }
    if (dir == null) {
      dir = System.getenv("FRESHET_STATE_DIR");
    }
    if (dir == null) {
      return Path.of(System.getProperty("user.home"), ".freshet");
    }
    return Path.of(dir);
  }

  /** The catalog-specific keys of a configuration, without the prefix. */
  static Map<String, String> catalogProperties(org.apache.flink.configuration.Configuration conf) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    conf.toMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith(CATALOG_PROPERTY_PREFIX)) {
                out.put(k.substring(CATALOG_PROPERTY_PREFIX.length()), v);
              }
            });
    return out;
  }
}
