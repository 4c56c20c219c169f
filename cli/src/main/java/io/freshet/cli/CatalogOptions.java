package io.freshet.cli;

import io.freshet.store.StoreNames;
import io.freshet.store.iceberg.HistoryCatalogs;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The Iceberg catalog and namespace of the feature history; unset, the local JDBC (SQLite) catalog
 * under the state directory, as the feature job writes it by default ({@link HistoryCatalogs}).
 */
final class CatalogOptions {
  @Option(
      names = "--catalog-name",
      defaultValue = StoreNames.DEFAULT_CATALOG,
      description = "Iceberg catalog name (default: ${DEFAULT-VALUE}).")
  String catalogName;

  @Option(
      names = "--namespace",
      defaultValue = StoreNames.DEFAULT_NAMESPACE,
      description = "Namespace of the history tables (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--catalog-type",
      description = "jdbc (default), rest, hive, hadoop, glue or nessie.")
  String catalogType;

  @Option(names = "--catalog-uri", description = "Catalog URI (default: the local SQLite file).")
  String catalogUri;

  @Option(names = "--warehouse", description = "Warehouse location (default: the local one).")
  String warehouse;

  @Option(
      names = "--catalog-property",
      paramLabel = "KEY=VALUE",
      description = "Any other Iceberg catalog property (repeatable).")
  Map<String, String> catalogProperties = new LinkedHashMap<>();

  @Mixin StateDirOption stateDir;

  /** The catalog's properties: the ones given, completed with the local catalog's defaults. */
  Map<String, String> properties() {
    Map<String, String> props = new LinkedHashMap<>(catalogProperties);
    if (catalogType != null) {
      props.put("type", catalogType);
    }
    if (catalogUri != null) {
      props.put("uri", catalogUri);
    }
    if (warehouse != null) {
      props.put("warehouse", warehouse);
    }
    return HistoryCatalogs.complete(props, stateDir.stateDir());
  }
}
