package io.freshet.training.flink;

import io.freshet.spec.ValueType;
import io.freshet.store.StoreColumn;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.training.Indicators;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingPlan;
import io.freshet.training.TrainingSetException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.operators.Order;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.source.IcebergSource;

/**
 * The point-in-time training-set join as a Flink batch job: the same plan, rule and output as
 * {@code TrainingSet.run()}, spread over a cluster.
 *
 * <pre>
 *  spine file ──read (1)──────────────┐ SpineRow(row, entity, ts, columns)
 *                                     ├─keyBy(entity)─► as-of join ─► sort by row (1) ─► Parquet (1)
 *  history of view 1 @snapshot ─┐     │   (per entity: EntityAsOfJoin per view)
 *  history of view 2 @snapshot ─┴union┘ HistoryRow(view, entity, key, valid_from, ...)
 * </pre>
 *
 * <p>The spine is read once, in file order, and every row keeps its position; the history tables
 * are read by Iceberg's Flink source at the plan's snapshot ids (time travel), projected to the
 * columns the join needs. Both sides are keyed by entity; per entity, the join applies the training
 * module's as-of rule to each view ({@link AsOfJoinFunction}). The joined rows are sorted by spine
 * position (one sorter, spilling to disk through Flink's managed memory) and written by one writer,
 * so the output keeps the spine's row order. The spine file and the output path must be reachable
 * from the TaskManagers (the same machine, or a shared mount).
 *
 * <p>Build it with {@link #build} and run it in {@code RuntimeExecutionMode.BATCH} ({@link
 * FlinkEngine} does both); no Kryo: every record has explicit type information.
 */
public final class FlinkTrainingSetJob {
  private final TrainingPlan plan;
  private final Path output;

  /**
   * @param plan a training set's plan (from {@code TrainingSet.run(Engine)}); it must carry the
   *     catalog's properties, since the TaskManagers open the catalog themselves
   * @param output the Parquet file to write
   */
  public FlinkTrainingSetJob(TrainingPlan plan, Path output) {
    if (plan.catalogProperties() == null) {
      throw new TrainingSetException(
          "the Flink engine opens the Iceberg catalog on the cluster and needs its properties:"
              + " build the training set with catalogProperties(name, properties) or"
              + " catalog(catalog, name, properties)");
    }
    this.plan = plan;
    this.output = output;
  }

  /** Builds the topology on {@code env} without running it; returns the output's sink. */
  public DataStreamSink<TrainingRow> build(StreamExecutionEnvironment env) {
    List<ValueType> featureTypes = new ArrayList<>();
    for (Manifest.ViewRead v : plan.views()) {
      v.types().forEach(t -> featureTypes.add(ValueType.valueOf(t)));
    }
    TypeInformation<SpineRow> spineType = SpineRow.typeInfo(plan.spineSchema());
    TypeInformation<HistoryRow> historyType = HistoryRow.typeInfo(featureTypes);
    TypeInformation<TrainingRow> outputType = TrainingRow.typeInfo(plan.outputSchema());

    DataStreamSource<String> spineFile =
        env.fromData(Types.STRING, plan.spine().toAbsolutePath().toString());
    spineFile.uid("training-spine-file").name("spine file");
    DataStream<SpineRow> spine =
        spineFile
            .flatMap(
                new ReadSpine(plan.entityColumn(), plan.timestampColumn(), plan.spineSchema()),
                spineType)
            .setParallelism(1)
            .uid("training-spine-read")
            .name("read spine " + plan.spine().getFileName());

    DataStream<HistoryRow> history = null;
    for (int v = 0; v < plan.views().size(); v++) {
      DataStream<HistoryRow> view = historySource(env, v, plan.featureColumns(), historyType);
      if (view != null) {
        history = history == null ? view : history.union(view);
      }
    }
    if (history == null) {
      // No view has data yet: every feature is null, the spine still goes through the join.
      history =
          spineFile
              .flatMap(
                  (String path, org.apache.flink.util.Collector<HistoryRow> out) -> {}, historyType)
              .uid("training-history-none")
              .name("no history");
    }

    return spine
        .keyBy(new SpineEntity(), Types.STRING)
        .connect(history.keyBy(new HistoryEntity(), Types.STRING))
        .process(new AsOfJoinFunction(plan, spineType, historyType), outputType)
        .uid("training-as-of-join")
        .name("as-of join")
        .fullWindowPartition()
        .sortPartition(new TrainingRow.Position(), Order.ASCENDING)
        .setParallelism(1)
        .uid("training-spine-order")
        .name("spine order")
        .sinkTo(new ParquetFileSink(output, plan.outputSchema()))
        .setParallelism(1)
        .uid("training-output")
        .name("write " + output.getFileName());
  }

  /** View {@code v}'s history at its snapshot, or null when the table had no data. */
  private DataStream<HistoryRow> historySource(
      StreamExecutionEnvironment env,
      int v,
      int featureColumns,
      TypeInformation<HistoryRow> historyType) {
    Manifest.ViewRead read = plan.views().get(v);
    if (read.snapshotId() == null) {
      return null;
    }
    Map<String, String> props = plan.catalogProperties();
    HistoryCatalogs.prepareLocal(props);
    CatalogLoader catalog =
        CatalogLoader.custom(
            plan.catalogName(),
            props,
            new org.apache.hadoop.conf.Configuration(),
            HistoryCatalogs.catalogImpl(props));
    TableLoader tables =
        TableLoader.fromCatalog(catalog, HistoryTables.identifier(plan.namespace(), read.view()));
    Table table;
    try (TableLoader loader = tables.clone()) {
      loader.open();
      table = loader.loadTable();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Snapshot snapshot = table.snapshot(read.snapshotId());
    if (snapshot == null) {
      throw new TrainingSetException(
          "history table "
              + table.name()
              + " no longer has snapshot "
              + read.snapshotId()
              + " (expired?)");
    }
    // The columns the join needs, in the schema the snapshot was written with (as in process).
    List<String> columns = new ArrayList<>();
    columns.add(StoreColumn.ENTITY.column());
    columns.add(StoreColumn.VALID_FROM.column());
    columns.add(StoreColumn.REVISION.column());
    columns.add(StoreColumn.LAST_EVENT_TIME.column());
    if (plan.asServed()) {
      columns.add(StoreColumn.WRITTEN_AT.column());
    }
    columns.addAll(Indicators.historyColumns(read.features()));
    Schema schema =
        snapshot.schemaId() != null && table.schemas().containsKey(snapshot.schemaId())
            ? table.schemas().get(snapshot.schemaId())
            : table.schema();
    Schema projected = schema.select(columns);
    List<ValueType> types = read.types().stream().map(ValueType::valueOf).toList();
    IcebergSource<HistoryRow> source =
        IcebergSource.forOutputType(
                new HistoryConverter(
                    table,
                    projected,
                    v,
                    plan.firstFeatureColumn(v),
                    featureColumns,
                    read.features(),
                    types,
                    plan.asServed(),
                    historyType))
            .tableLoader(tables)
            .useSnapshotId(read.snapshotId())
            .streaming(false)
            .project(projected)
            .build();
    return env.fromSource(
            source, WatermarkStrategy.noWatermarks(), "history " + read.view(), historyType)
        .uid("training-history-" + read.view())
        .name("history " + read.view() + " @" + read.snapshotId());
  }

  /** The spine row's entity. */
  private static final class SpineEntity implements KeySelector<SpineRow, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(SpineRow r) {
      return r.entity;
    }
  }

  /** The history row's entity. */
  private static final class HistoryEntity implements KeySelector<HistoryRow, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(HistoryRow r) {
      return r.entity;
    }
  }
}
