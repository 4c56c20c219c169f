package io.freshet.training.flink;

import io.freshet.training.EntityAsOfJoin;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingPlan;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The point-in-time join of one entity (the key): buffers the entity's spine rows and history rows
 * (every view's) in keyed list state, and once the key's input is complete applies the training
 * module's as-of rule ({@link EntityAsOfJoin}, the function the in-process builder calls) per view
 * and emits one {@link TrainingRow} per spine row.
 *
 * <p>"Complete" is an event-time timer at the end of time, registered by the key's first spine row.
 * In BATCH mode the inputs arrive sorted by key and the timer fires when the next key begins, so
 * only one entity's rows are held at a time; in STREAMING mode it fires at the end of the bounded
 * input. Entities with history but no spine row register no timer and emit nothing.
 */
final class AsOfJoinFunction
    extends KeyedCoProcessFunction<String, SpineRow, HistoryRow, TrainingRow> {
  private static final long serialVersionUID = 1L;

  private final TypeInformation<SpineRow> spineType;
  private final TypeInformation<HistoryRow> historyType;
  private final Schema outputSchema;
  private final int spineColumns;
  private final int featureColumns;
  private final boolean inclusive;
  private final long[] ttlMillis;
  private final int[] firstFeature;
  private final int[] features;

  /** The entity's spine rows, in arrival order; cleared when the entity's rows are emitted. */
  private transient ListState<SpineRow> spine;

  /** The entity's history rows of every view; cleared with {@link #spine}. */
  private transient ListState<HistoryRow> history;

  /** Copies buffered records when Flink reuses input objects (pipeline.object-reuse). */
  private transient TypeSerializer<SpineRow> spineCopier;

  private transient TypeSerializer<HistoryRow> historyCopier;
  private transient EntityAsOfJoin[] joins;

  AsOfJoinFunction(
      TrainingPlan plan,
      TypeInformation<SpineRow> spineType,
      TypeInformation<HistoryRow> historyType) {
    this.spineType = spineType;
    this.historyType = historyType;
    this.outputSchema = plan.outputSchema();
    this.spineColumns = plan.spineColumns();
    this.featureColumns = plan.featureColumns();
    this.inclusive = plan.inclusive();
    int views = plan.views().size();
    this.ttlMillis = new long[views];
    this.firstFeature = new int[views];
    this.features = new int[views];
    for (int v = 0; v < views; v++) {
      Manifest.ViewRead read = plan.views().get(v);
      ttlMillis[v] = read.ttlMillis();
      firstFeature[v] = plan.firstFeatureColumn(v);
      features[v] = read.features().size();
    }
  }

  @Override
  public void open(OpenContext openContext) {
    // Descriptors are built here, not as constants: their types carry the spine's Avro schema
    // and the plan's feature types, known only when the job is built.
    spine = getRuntimeContext().getListState(new ListStateDescriptor<>("spine-rows", spineType));
    history =
        getRuntimeContext().getListState(new ListStateDescriptor<>("history-rows", historyType));
    if (getRuntimeContext().isObjectReuseEnabled()) {
      spineCopier = getRuntimeContext().createSerializer(spineType);
      historyCopier = getRuntimeContext().createSerializer(historyType);
    }
    joins = new EntityAsOfJoin[ttlMillis.length];
    for (int v = 0; v < joins.length; v++) {
      joins[v] = new EntityAsOfJoin(ttlMillis[v], inclusive);
    }
  }

  @Override
  public void processElement1(SpineRow row, Context ctx, Collector<TrainingRow> out)
      throws Exception {
    spine.add(spineCopier == null ? row : spineCopier.copy(row));
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void processElement2(HistoryRow row, Context ctx, Collector<TrainingRow> out)
      throws Exception {
    history.add(historyCopier == null ? row : historyCopier.copy(row));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingRow> out)
      throws Exception {
    List<SpineRow> rows = new ArrayList<>();
    for (SpineRow r : spine.get()) {
      rows.add(r);
    }
    List<List<HistoryRow>> byView = new ArrayList<>();
    for (int v = 0; v < joins.length; v++) {
      byView.add(new ArrayList<>());
    }
    for (HistoryRow h : history.get()) {
      byView.get(h.view).add(h);
    }
    Object[][] values = new Object[rows.size()][featureColumns];
    for (int v = 0; v < joins.length; v++) {
      EntityAsOfJoin join = joins[v];
      join.clear();
      for (SpineRow r : rows) {
        join.addSpine(r.timestamp);
      }
      List<HistoryRow> hs = byView.get(v);
      for (HistoryRow h : hs) {
        join.addHistory(h.key, h.validFrom, h.revision, h.lastEventTime);
      }
      int[] chosen = join.join();
      for (int i = 0; i < chosen.length; i++) {
        if (chosen[i] < 0) {
          continue;
        }
        HistoryRow h = hs.get(chosen[i]);
        for (int f = firstFeature[v]; f < firstFeature[v] + features[v]; f++) {
          values[i][f] = h.values.getField(f);
        }
      }
    }
    for (int i = 0; i < rows.size(); i++) {
      SpineRow r = rows.get(i);
      GenericData.Record record = new GenericData.Record(outputSchema);
      for (int c = 0; c < spineColumns; c++) {
        record.put(c, r.values.get(c));
      }
      for (int f = 0; f < values[i].length; f++) {
        record.put(spineColumns + f, values[i][f]);
      }
      TrainingRow t = new TrainingRow();
      t.row = r.row;
      t.record = record;
      out.collect(t);
    }
    spine.clear();
    history.clear();
  }
}
