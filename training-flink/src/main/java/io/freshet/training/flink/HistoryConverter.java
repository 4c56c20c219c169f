package io.freshet.training.flink;

import io.freshet.spec.ValueType;
import io.freshet.store.StoreColumn;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.Row;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.source.reader.RowDataConverter;

/**
 * Turns the rows Iceberg's Flink source reads from one view's history table (projected to the
 * columns the join needs) into {@link HistoryRow}s, with values typed as the in-process builder
 * types them (Long, Double, String, Boolean).
 */
final class HistoryConverter implements RowDataConverter<HistoryRow> {
  private static final long serialVersionUID = 1L;

  /** Timestamps in history tables are microsecond timestamptz. */
  private static final int PRECISION = 6;

  private final int view;
  private final int firstFeature;
  private final int featureColumns;
  private final ValueType[] types;
  private final int entity;
  private final int validFrom;
  private final int lastEventTime;
  private final int revision;
  private final int key;
  private final int[] features;
  private final TypeInformation<HistoryRow> producedType;

  /**
   * @param projected the schema the source reads (its column order is the RowData's)
   * @param view the view's index in the plan
   * @param firstFeature position of the view's first feature among all feature columns
   * @param featureColumns number of feature columns of the training set
   * @param featureNames the view's features, in output order
   * @param types their types
   * @param asServed place rows by written_at instead of valid_from
   */
  HistoryConverter(
      Schema projected,
      int view,
      int firstFeature,
      int featureColumns,
      List<String> featureNames,
      List<ValueType> types,
      boolean asServed,
      TypeInformation<HistoryRow> producedType) {
    this.view = view;
    this.firstFeature = firstFeature;
    this.featureColumns = featureColumns;
    this.types = types.toArray(new ValueType[0]);
    this.entity = position(projected, StoreColumn.ENTITY.column());
    this.validFrom = position(projected, StoreColumn.VALID_FROM.column());
    this.lastEventTime = position(projected, StoreColumn.LAST_EVENT_TIME.column());
    this.revision = position(projected, StoreColumn.REVISION.column());
    this.key = asServed ? position(projected, StoreColumn.WRITTEN_AT.column()) : validFrom;
    this.features = new int[featureNames.size()];
    for (int f = 0; f < features.length; f++) {
      features[f] = position(projected, featureNames.get(f));
    }
    this.producedType = producedType;
  }

  private static int position(Schema schema, String column) {
    List<org.apache.iceberg.types.Types.NestedField> columns = schema.columns();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException("projected history schema has no column " + column);
  }

  @Override
  public HistoryRow apply(RowData in) {
    HistoryRow h = new HistoryRow();
    h.view = view;
    h.entity = in.getString(entity).toString();
    h.validFrom = in.getTimestamp(validFrom, PRECISION).getMillisecond();
    h.lastEventTime = in.getTimestamp(lastEventTime, PRECISION).getMillisecond();
    h.revision = in.getInt(revision);
    h.key = key == validFrom ? h.validFrom : in.getTimestamp(key, PRECISION).getMillisecond();
    Row values = new Row(featureColumns);
    for (int f = 0; f < features.length; f++) {
      int p = features[f];
      if (in.isNullAt(p)) {
        continue;
      }
      values.setField(
          firstFeature + f,
          switch (types[f]) {
            case LONG -> in.getLong(p);
            case DOUBLE -> in.getDouble(p);
            case STRING -> in.getString(p).toString();
            case BOOLEAN -> in.getBoolean(p);
          });
    }
    h.values = values;
    return h;
  }

  @Override
  public TypeInformation<HistoryRow> getProducedType() {
    return producedType;
  }
}
