package io.freshet.connectors.iceberg;

import io.freshet.avro.FeatureUpdate;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * Turns a feature update into a row of its view's history table. Feature values are placed by
 * column: {@code featureIndex[i]} is the index in the update's values of the table's i-th feature
 * column, so a table whose columns were added over time still lines up with the spec's order.
 */
final class FeatureUpdateToRow implements MapFunction<FeatureUpdate, RowData> {
  private static final long serialVersionUID = 1L;

  private final int[] featureIndex;

  /** The spec version of the previous row and its string data: it rarely changes. */
  private transient String lastSpecVersion;

  private transient StringData lastSpecVersionData;

  FeatureUpdateToRow(int[] featureIndex) {
    this.featureIndex = featureIndex.clone();
  }

  @Override
  public RowData map(FeatureUpdate u) {
    int meta = HistoryTables.META_COLUMNS.size();
    GenericRowData row = new GenericRowData(meta + featureIndex.length);
    row.setField(0, StringData.fromString(u.getEntity().toString()));
    row.setField(1, TimestampData.fromEpochMillis(u.getValidFrom()));
    row.setField(2, TimestampData.fromEpochMillis(u.getLastEventTime()));
    row.setField(3, TimestampData.fromEpochMillis(u.getWrittenAt()));
    row.setField(4, specVersion(u.getSpecVersion()));
    row.setField(5, u.getCorrection());
    row.setField(6, u.getRevision());
    List<Object> values = u.getValues();
    for (int i = 0; i < featureIndex.length; i++) {
      Object v = values.get(featureIndex[i]);
      row.setField(meta + i, v instanceof CharSequence s ? StringData.fromString(s.toString()) : v);
    }
    return row;
  }

  private StringData specVersion(CharSequence version) {
    String v = version.toString();
    if (!v.equals(lastSpecVersion)) {
      lastSpecVersion = v;
      lastSpecVersionData = StringData.fromString(v);
    }
    return lastSpecVersionData;
  }
}
