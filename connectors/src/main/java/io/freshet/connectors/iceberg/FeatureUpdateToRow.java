package io.freshet.connectors.iceberg;

import io.freshet.avro.FeatureUpdate;
import io.freshet.store.StoreColumn;
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
    int meta = StoreColumn.ALL.size();
    GenericRowData row = new GenericRowData(meta + featureIndex.length);
    for (int i = 0; i < meta; i++) {
      row.setField(
          i,
          switch (StoreColumn.ALL.get(i)) {
            case ENTITY -> StringData.fromString(u.getEntity().toString());
            case VALID_FROM -> TimestampData.fromEpochMillis(u.getValidFrom());
            case LAST_EVENT_TIME -> TimestampData.fromEpochMillis(u.getLastEventTime());
            case WRITTEN_AT -> TimestampData.fromEpochMillis(u.getWrittenAt());
            case SPEC_VERSION -> specVersion(u.getSpecVersion());
            case CORRECTION -> u.getCorrection();
            case REVISION -> u.getRevision();
          });
    }
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
