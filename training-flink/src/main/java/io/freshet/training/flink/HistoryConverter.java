package io.freshet.training.flink;

import io.freshet.spec.ValueType;
import io.freshet.store.StoreColumn;
import io.freshet.training.Indicators;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  private final String[] indicatorOf; // per feature, the feature it is the indicator of, or null
  private final ArrayList<HashSet<String>> versionsWithout; // per feature: see Indicators
  private final int version; // spec_version's position, or -1 when no indicator needs it
  private final long[] holds; // per feature, the hold of a held indicator, or -1
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
    this.indicatorOf = new String[featureNames.size()];
    this.versionsWithout = new ArrayList<>();
    this.holds = new long[featureNames.size()];
    for (int f = 0; f < features.length; f++) {
      indicatorOf[f] = Indicators.featureOf(featureNames.get(f));
      holds[f] = Indicators.holdOf(featureNames.get(f));
      features[f] =
          holds[f] >= 0
              ? -1
              : position(
                  projected,
                  indicatorOf[f] == null ? featureNames.get(f) : StoreColumn.WARMING_UP.column());
      versionsWithout.add(
          new HashSet<>(
              indicatorOf[f] == null
                  ? Set.of()
                  : Indicators.versionsWithout(table, indicatorOf[f])));
    }
    this.version =
        versionsWithout.stream().anyMatch(v -> !v.isEmpty())
            ? position(projected, StoreColumn.SPEC_VERSION.column())
            : -1;
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
      if (holds[f] >= 0) {
        values.setField(firstFeature + f, Indicators.wasHeld(h.validFrom, h.key, holds[f]));
        continue;
      }
      if (indicatorOf[f] != null) {
        boolean notComputed =
            (version >= 0 && versionsWithout.get(f).contains(in.getString(version).toString()))
                || lists(in, p, indicatorOf[f]);
        values.setField(firstFeature + f, notComputed);
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

  /** Whether the warming_up list at {@code p} (null when none) lists {@code feature}. */
  private static boolean lists(RowData in, int p, String feature) {
    if (in.isNullAt(p)) {
      return false;
    }
    ArrayData names = in.getArray(p);
    for (int i = 0; i < names.size(); i++) {
      if (!names.isNullAt(i) && feature.equals(names.getString(i).toString())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public TypeInformation<HistoryRow> getProducedType() {
    return producedType;
  }
}
