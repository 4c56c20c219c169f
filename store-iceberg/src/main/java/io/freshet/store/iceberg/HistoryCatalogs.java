package io.freshet.store.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;

/**
 * Catalog properties of Freshet's history tables, in plain Iceberg terms (no Flink): the default
 * JDBC catalog on an embedded SQLite file with a file-system warehouse, or any Iceberg catalog
 * given by properties. Shared by the history sink and the training-set builder so both open the
 * same tables.
 */
public final class HistoryCatalogs {
  private HistoryCatalogs() {}

  /**
   * The default catalog's properties: {@code jdbc:sqlite:<stateDir>/iceberg/catalog.db} and the
   * warehouse {@code file:<stateDir>/iceberg/warehouse}.
   */
  public static Map<String, String> defaults(Path stateDir) {
    Path root = stateDir.toAbsolutePath().normalize().resolve("iceberg");
    Map<String, String> p = new LinkedHashMap<>();
    p.put(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC);
    p.put(CatalogProperties.URI, "jdbc:sqlite:" + root.resolve("catalog.db"));
    p.put(CatalogProperties.WAREHOUSE_LOCATION, root.resolve("warehouse").toUri().toString());
    return p;
  }

  /**
   * Completes catalog properties: the default URI and warehouse for a JDBC catalog without them,
   * the V1 JDBC schema (what Spark, Trino and PyIceberg read) and an SQLite busy timeout, so two
   * committers of one job wait for each other instead of failing.
   */
  public static Map<String, String> complete(Map<String, String> given, Path stateDir) {
    Map<String, String> p = new LinkedHashMap<>(given);
    boolean custom = p.containsKey(CatalogProperties.CATALOG_IMPL);
    String type =
        p.getOrDefault(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC)
            .toLowerCase(Locale.ROOT);
    if (!custom) {
      p.put(CatalogUtil.ICEBERG_CATALOG_TYPE, type);
    }
    if (!custom && type.equals(CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC)) {
      Map<String, String> d = defaults(stateDir);
      p.putIfAbsent(CatalogProperties.URI, d.get(CatalogProperties.URI));
      p.putIfAbsent(
          CatalogProperties.WAREHOUSE_LOCATION, d.get(CatalogProperties.WAREHOUSE_LOCATION));
      p.putIfAbsent("jdbc.schema-version", "V1");
      if (p.get(CatalogProperties.URI).startsWith("jdbc:sqlite:")) {
        p.putIfAbsent("jdbc.busy_timeout", "60000");
      }
    }
    return p;
  }

  /** The Catalog class of a property map (Iceberg's type names mapped to classes). */
  public static String catalogImpl(Map<String, String> props) {
    String impl = props.get(CatalogProperties.CATALOG_IMPL);
    if (impl != null) {
      return impl;
    }
    String type =
        props
            .getOrDefault(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC)
            .toLowerCase(Locale.ROOT);
    return switch (type) {
      case CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC -> CatalogUtil.ICEBERG_CATALOG_JDBC;
      case CatalogUtil.ICEBERG_CATALOG_TYPE_REST -> CatalogUtil.ICEBERG_CATALOG_REST;
      case CatalogUtil.ICEBERG_CATALOG_TYPE_HIVE -> CatalogUtil.ICEBERG_CATALOG_HIVE;
      case CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP -> CatalogUtil.ICEBERG_CATALOG_HADOOP;
      case CatalogUtil.ICEBERG_CATALOG_TYPE_GLUE -> CatalogUtil.ICEBERG_CATALOG_GLUE;
      case CatalogUtil.ICEBERG_CATALOG_TYPE_NESSIE -> CatalogUtil.ICEBERG_CATALOG_NESSIE;
      default ->
          throw new IllegalArgumentException(
              "unknown Iceberg catalog type '"
                  + type
                  + "': use jdbc, rest, hive, hadoop, glue or nessie, or give catalog-impl");
    };
  }

  /** Opens a catalog, creating the directories of a local SQLite file and warehouse first. */
  public static Catalog load(String name, Map<String, String> props) {
    prepareLocal(props);
    return CatalogUtil.loadCatalog(
        catalogImpl(props), name, props, new org.apache.hadoop.conf.Configuration());
  }

  /** Creates the parent directory of an SQLite catalog file and a local warehouse directory. */
  public static void prepareLocal(Map<String, String> props) {
    try {
      String uri = props.get(CatalogProperties.URI);
      if (uri != null && uri.startsWith("jdbc:sqlite:") && !uri.contains(":memory:")) {
        String file = uri.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        if (q >= 0) {
          file = file.substring(0, q);
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
      }
      String wh = props.get(CatalogProperties.WAREHOUSE_LOCATION);
      if (wh != null && (wh.startsWith("file:") || wh.startsWith("/"))) {
        Files.createDirectories(wh.startsWith("/") ? Path.of(wh) : Path.of(URI.create(wh)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the local Iceberg catalog directories", e);
    }
  }
}
