package io.freshet.connectors.iceberg;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Schema;

/**
 * Turns a feature update into a row of its view's history table. Feature values are placed by
 * column: {@code featureIndex[i]} is the index in the update's values of the table's i-th feature
 * column, so a table whose columns were added over time still lines up with the spec's order; a
 * negative index marks a column of a feature the spec no longer has, which the row holds null in.
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

  /**
   * The rows of a history table with this schema (fixed columns first, then features) for the
   * view's updates: each feature column takes the spec's feature of its name, and a column the spec
   * no longer has (a removed feature) is null.
   */
  static FeatureUpdateToRow forTable(Schema schema, ViewSpec view) {
    int meta = StoreColumn.ALL.size();
    int[] featureIndex = new int[schema.columns().size() - meta];
    for (int i = 0; i < featureIndex.length; i++) {
      featureIndex[i] = view.indexOf(schema.columns().get(meta + i).name());
    }
    return new FeatureUpdateToRow(featureIndex);
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
            case WARMING_UP -> warmingUp(u.getWarmingUp());
          });
    }
    List<Object> values = u.getValues();
    for (int i = 0; i < featureIndex.length; i++) {
      int f = featureIndex[i];
      if (f < 0) {
        continue; // a removed feature: null from now on
      }
      Object v = values.get(f);
      row.setField(meta + i, v instanceof CharSequence s ? StringData.fromString(s.toString()) : v);
    }
    return row;
  }

  /** The names of the features warming up as a list, or null when none is. */
  private static ArrayData warmingUp(List<String> names) {
    if (names == null || names.isEmpty()) {
      return null;
    }
    StringData[] out = new StringData[names.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = StringData.fromString(names.get(i));
    }
    return new GenericArrayData(out);
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
