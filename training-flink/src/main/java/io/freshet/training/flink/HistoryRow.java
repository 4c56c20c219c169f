package io.freshet.training.flink;

import io.freshet.spec.ValueType;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.types.Row;

/**
 * A history row of one view, as the join needs it: the view's position in the plan, the entity, the
 * key it is placed by (valid_from, or written_at when as-served), valid_from, revision,
 * last_event_time and the view's feature values. The values travel in a {@link Row} with one field
 * per feature column of the whole training set (other views' fields stay null), so every view's
 * rows share one type and one stream. Serialized as a POJO ({@link #typeInfo}), never with Kryo.
 */
public class HistoryRow {
  /** Index of the view in {@code TrainingPlan.views()}. */
  public int view;

  public String entity;

  /** valid_from, or written_at when as-served (epoch milliseconds). */
  public long key;

  public long validFrom;
  public int revision;
  public long lastEventTime;

  /** Feature values at their output positions (among the feature columns). */
  public Row values;

  public HistoryRow() {}

  static TypeInformation<HistoryRow> typeInfo(List<ValueType> featureTypes) {
    TypeInformation<?>[] fields = new TypeInformation<?>[featureTypes.size()];
    for (int i = 0; i < fields.length; i++) {
      fields[i] =
          switch (featureTypes.get(i)) {
            case LONG -> Types.LONG;
            case DOUBLE -> Types.DOUBLE;
            case STRING -> Types.STRING;
            case BOOLEAN -> Types.BOOLEAN;
          };
    }
    return Types.POJO(
        HistoryRow.class,
        Map.of(
            "view", Types.INT,
            "entity", Types.STRING,
            "key", Types.LONG,
            "validFrom", Types.LONG,
            "revision", Types.INT,
            "lastEventTime", Types.LONG,
            "values", Types.ROW(fields)));
  }
}
