package io.freshet.training.flink;

import io.freshet.spec.ValueType;
import io.freshet.store.StoreColumn;
import io.freshet.training.Indicators;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.Row;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
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
  private final Indicators.Values values;
  private final int version; // spec_version's position, or -1 when no indicator needs it
  private final TypeInformation<HistoryRow> producedType;

  /**
   * @param table the view's history table (its properties say which spec versions computed which
   *     features)
   * @param projected the schema the source reads (its column order is the RowData's)
   * @param view the view's index in the plan
   * @param firstFeature position of the view's first feature among all feature columns
   * @param featureColumns number of feature columns of the training set
   * @param featureNames the view's features, in output order (and their {@link Indicators}
   *     indicators)
   * @param types their types
   * @param asServed place rows by written_at instead of valid_from
   */
  HistoryConverter(
      Table table,
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
    this.values = Indicators.Values.of(table, featureNames);
    for (int f = 0; f < features.length; f++) {
      String column = values.column(f);
      features[f] = column == null ? -1 : position(projected, column);
    }
    this.version =
        values.needsVersion() ? position(projected, StoreColumn.SPEC_VERSION.column()) : -1;
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
      if (this.values.holds()[f] >= 0) {
        values.setField(firstFeature + f, this.values.held(f, h.validFrom, h.key));
        continue;
      }
      if (this.values.warmingOf()[f] != null) {
        values.setField(
            firstFeature + f,
            this.values.notComputed(
                f, names(in, p), version >= 0 ? in.getString(version).toString() : null));
        continue;
      }
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

  /** The names in the warming_up list at {@code p}, or null. */
  private static List<String> names(RowData in, int p) {
    if (in.isNullAt(p)) {
      return null;
    }
    ArrayData list = in.getArray(p);
    List<String> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(list.isNullAt(i) ? null : list.getString(i).toString());
    }
    return out;
  }

  @Override
  public TypeInformation<HistoryRow> getProducedType() {
    return producedType;
  }
}
