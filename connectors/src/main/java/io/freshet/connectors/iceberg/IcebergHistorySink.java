package io.freshet.connectors.iceberg;

import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;

/**
 * Appends a view's feature updates to its Iceberg history table, exactly once.
 *
 * <pre>
 *  updates ─► to row: view ─► Iceberg writers ─► aggregator + restore guard ─► committer
 *                                                                   (one commit per checkpoint)
 * </pre>
 *
 * <p>Guarantees: data files are written continuously and committed to the table only when a
 * checkpoint completes, so after a failure and restore the table holds every update of the restored
 * run once: none lost, none twice, also when the restored run reaches the end of a bounded input
 * before its first checkpoint (see {@link RestoreSafeIcebergSink}). Without checkpointing nothing
 * is ever committed (except at the end of a bounded job). Every operator's uid derives from the
 * source and view; operator chaining must stay enabled (the restore guard shares the aggregator's
 * task).
 *
 * <p>Building the sink creates the table or evolves it (see {@link HistoryTables#ensure}): a
 * feature the spec no longer has keeps its column, which the rows written from now on hold null in;
 * a spec that retypes a stored feature fails here, before the job starts. Catalog and writer
 * settings: {@link IcebergOptions}.
 */
public final class IcebergHistorySink {
  private IcebergHistorySink() {}

  /**
   * Attaches the history sink of one view to its updates.
   *
   * @return the sink, already carrying its uid and name
   */
  public static DataStreamSink<?> append(
      DataStream<FeatureUpdate> updates,
      SourceSpec source,
      ViewSpec view,
      Configuration configuration) {
    String namespace = configuration.get(IcebergOptions.NAMESPACE);
    Schema schema =
        withCatalog(
            configuration,
            catalog -> {
              Table table = HistoryTables.ensure(catalog, namespace, source, view);
              HistoryTables.recordOnlineHold(
                  table, configuration.get(CassandraOptions.HOLD_OLDER_THAN).toMillis());
              return table.schema();
            });
    TableIdentifier id = HistoryTables.identifier(namespace, view.name());

    RowType rowType = FlinkSchemaUtil.convert(schema);
    String uid = "iceberg-history-" + source.name() + "-" + view.name();
    DataStream<RowData> rows =
        updates
            .map(FeatureUpdateToRow.forTable(schema, view), InternalTypeInfo.of(rowType))
            .uid(uid + "-rows")
            .name("history rows: " + view.name())
            // a task of its own: closing the Parquet files at each checkpoint (a second or more of
            // the task's time) and opening the first ones must not stall the features and the
            // online writes, which the chained writer did (docs/benchmarks.md, "Freshness")
            .startNewChain();

    DistributionMode distribution =
        DistributionMode.fromName(
            configuration.get(IcebergOptions.DISTRIBUTION_MODE).toLowerCase(Locale.ROOT));
    Integer parallelism = configuration.get(IcebergOptions.WRITE_PARALLELISM);
    return RestoreSafeIcebergSink.append(
        rows,
        builder -> {
          builder
              .tableLoader(tableLoader(configuration, id))
              .uidSuffix(uid)
              .distributionMode(distribution)
              .setSnapshotProperty("freshet.spec-version", view.version(source));
          if (parallelism != null) {
            builder.writeParallelism(parallelism);
          }
          return builder;
        });
  }

  /** The complete catalog properties the sink (and readers) use for a configuration. */
  public static Map<String, String> catalogProperties(Configuration configuration) {
    Map<String, String> given = IcebergOptions.catalogProperties(configuration);
    String impl = configuration.get(IcebergOptions.CATALOG_IMPL);
    if (impl != null) {
      given.put(org.apache.iceberg.CatalogProperties.CATALOG_IMPL, impl);
    } else {
      given.putIfAbsent(
          org.apache.iceberg.CatalogUtil.ICEBERG_CATALOG_TYPE,
          configuration.get(IcebergOptions.CATALOG_TYPE));
    }
    String uri = configuration.get(IcebergOptions.URI);
    if (uri != null) {
      given.put(org.apache.iceberg.CatalogProperties.URI, uri);
    }
    String warehouse = configuration.get(IcebergOptions.WAREHOUSE);
    if (warehouse != null) {
      given.put(org.apache.iceberg.CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    }
    return HistoryCatalogs.complete(given, IcebergOptions.stateDir(configuration));
  }

  /** What {@code use} gives for the configured catalog, which is closed afterwards. */
  static <T> T withCatalog(Configuration configuration, Function<Catalog, T> use) {
    Catalog catalog =
        HistoryCatalogs.load(
            configuration.get(IcebergOptions.CATALOG_NAME), catalogProperties(configuration));
    try {
      return use.apply(catalog);
    } finally {
      closeQuietly(catalog);
    }
  }

  /** The loader a sink's committer opens one table of the configured catalog with. */
  static TableLoader tableLoader(Configuration configuration, TableIdentifier id) {
    Map<String, String> props = catalogProperties(configuration);
    return TableLoader.fromCatalog(
        CatalogLoader.custom(
            configuration.get(IcebergOptions.CATALOG_NAME),
            props,
            new org.apache.hadoop.conf.Configuration(),
            HistoryCatalogs.catalogImpl(props)),
        id);
  }

  private static void closeQuietly(Catalog catalog) {
    if (catalog instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // closing a catalog client frees connections; nothing to recover
      }
    }
  }
}
