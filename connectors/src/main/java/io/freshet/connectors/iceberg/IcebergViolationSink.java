package io.freshet.connectors.iceberg;

import io.freshet.avro.Violation;
import io.freshet.spec.SourceSpec;
import io.freshet.store.iceberg.ViolationsTable;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;

/**
 * Appends a source's expectation and freshness violations to the namespace's {@link
 * ViolationsTable}, exactly once and committed with each checkpoint like the history (see {@link
 * IcebergHistorySink}); on whenever the history is. One writer: violations are few. Operator uids
 * start with {@code iceberg-violations-<source>}.
 */
public final class IcebergViolationSink {
  private IcebergViolationSink() {}

  /**
   * Attaches the sink to one source's violations, creating the table if absent.
   *
   * @return the sink, already carrying its uid and name
   */
  public static DataStreamSink<?> append(
      DataStream<Violation> violations, SourceSpec source, Configuration configuration) {
    String namespace = configuration.get(IcebergOptions.NAMESPACE);
    Schema schema =
        IcebergHistorySink.withCatalog(
            configuration, catalog -> ViolationsTable.ensure(catalog, namespace).schema());
    String uid = "iceberg-violations-" + source.name();
    DataStream<RowData> rows =
        violations
            .map(new ToRow(), InternalTypeInfo.of(FlinkSchemaUtil.convert(schema)))
            .uid(uid + "-rows")
            .name("violation rows: " + source.name());
    return RestoreSafeIcebergSink.append(
        rows,
        builder ->
            builder
                .tableLoader(
                    IcebergHistorySink.tableLoader(
                        configuration, ViolationsTable.identifier(namespace)))
                .uidSuffix(uid)
                .writeParallelism(1));
  }

  /** A violation as a row of {@link ViolationsTable#SCHEMA}, column by column. */
  static final class ToRow implements MapFunction<Violation, RowData> {
    private static final long serialVersionUID = 1L;

    @Override
    public RowData map(Violation v) {
      return GenericRowData.of(
          text(v.getSource()),
          text(v.getView()),
          text(v.getField()),
          text(v.getRule()),
          text(v.getExpected()),
          text(v.getObserved()),
          v.getViolations(),
          v.getRecords(),
          TimestampData.fromEpochMillis(v.getPeriodStart()),
          TimestampData.fromEpochMillis(v.getPeriodEnd()),
          new GenericArrayData(v.getSamples().stream().map(IcebergViolationSink::text).toArray()),
          TimestampData.fromEpochMillis(v.getDetectedAt()));
    }
  }

  private static StringData text(CharSequence s) {
    return s == null ? null : StringData.fromString(s.toString());
  }
}
