package io.freshet.operators.flink;

import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.features.SourceFields;
import io.freshet.operators.features.ViewEngine;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import io.freshet.state.ViewState;
import io.freshet.state.flink.ViewStateSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Computes one view's features for the entity of the current key and emits a {@link FeatureUpdate}
 * each time the entity's feature vector changes.
 *
 * <pre>
 *  EventRow ──► ts > watermark ──► pending[ts] + timer(ts) ──┐
 *           ├─► late, within allowed lateness ─► apply now ──┼─► update (correction)
 *           └─► too late ─► LATE side output                 │
 *  timer(T): apply pending[T] (sorted), prune tiles, read vector at T ─► update
 *            re-arm one exit timer (next tile leaving a window) and one ttl cleanup timer
 * </pre>
 *
 * <p>Guarantees: per entity, updates come in non-decreasing valid_from order, one per (entity,
 * view, valid_from), except that a correction re-emits the latest valid_from with corrected values.
 * Events that share an event time are applied together, in a canonical order, so replaying the same
 * input yields the same updates.
 */
public final class ViewFeatureFunction
    extends KeyedProcessFunction<String, EventRow, FeatureUpdate> {
  private static final long serialVersionUID = 1L;

  /** Events later than the allowed lateness. */
  public static final OutputTag<EventRow> LATE =
      new OutputTag<>(
          "late-events",
          new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(EventRow.class));

  private final ViewSpec view;
  private final SourceFields fields;
  private final String specVersion;
  private final long allowedLatenessMillis;
  private final long ttlMillis;

  private transient ViewEngine engine;

  /**
   * This entity's view state: tiles, last vector, armed timers. Cleared ttl after the last event.
   */
  private transient ValueState<ViewState> state;

  /** Events not yet passed by the watermark, by event time; each entry has a timer at its key. */
  private transient MapState<Long, List<EventRow>> pending;

  private transient Counter applied;
  private transient Counter updates;
  private transient Counter corrections;
  private transient Counter tooLate;

  public ViewFeatureFunction(SourceSpec source, ViewSpec view, SourceFields fields) {
    this.view = view;
    this.fields = fields;
    this.specVersion = view.version(source);
    this.allowedLatenessMillis = source.allowedLateness().toMillis();
    this.ttlMillis = view.ttl().toMillis();
  }

  /**
   * State TTL is only a safety net (processing time, twice the view's ttl); event-time timers do
   * the cleanup. Expired entries are dropped from full snapshots and by RocksDB's compaction
   * filter, never by incremental cleanup, which would walk the heap state on every access.
   */
  static StateTtlConfig safetyNet(Duration viewTtl) {
    return StateTtlConfig.newBuilder(viewTtl.multipliedBy(2))
        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
        .disableCleanupInBackground()
        .cleanupFullSnapshot()
        .cleanupInRocksdbCompactFilter(1000)
        .build();
  }

  @Override
  public void open(OpenContext ctx) {
    engine = new ViewEngine(view, fields);
    ValueStateDescriptor<ViewState> stateDesc =
        new ValueStateDescriptor<>("view-state", ViewStateSerializer.INSTANCE);
    stateDesc.enableTimeToLive(safetyNet(view.ttl()));
    state = getRuntimeContext().getState(stateDesc);
    MapStateDescriptor<Long, List<EventRow>> pendingDesc =
        new MapStateDescriptor<>(
            "pending-events",
            LongSerializer.INSTANCE,
            new ListSerializer<>(new AvroSerializer<>(EventRow.class)));
    // No state TTL here: every entry has a timer that removes it, and TTL's incremental
    // cleanup would walk these per-key maps on every access.
    pending = getRuntimeContext().getMapState(pendingDesc);
    var metrics = getRuntimeContext().getMetricGroup().addGroup("view", view.name());
    applied = metrics.counter("eventsApplied");
    updates = metrics.counter("updatesEmitted");
    corrections = metrics.counter("corrections");
    tooLate = metrics.counter("lateEventsDropped");
  }

  @Override
  public void processElement(EventRow e, Context ctx, Collector<FeatureUpdate> out)
      throws Exception {
    long ts = e.getEventTime();
    long watermark = ctx.timerService().currentWatermark();
    if (ts > watermark) {
      List<EventRow> batch = pending.get(ts);
      if (batch == null) {
        batch = new ArrayList<>(1);
        ctx.timerService().registerEventTimeTimer(ts);
      }
      batch.add(e);
      pending.put(ts, batch);
      return;
    }
    if (watermark - ts > allowedLatenessMillis) {
      tooLate.inc();
      ctx.output(LATE, e);
      return;
    }
    // Late but allowed: apply now and correct the vector as of the state's current time.
    ViewState s = state.value();
    if (s != null && ts - s.lastEventTime > ttlMillis) {
      // Later than the ttl after the entity's last event: it starts the entity over.
      releaseAll(s, watermark, ctx.timerService());
      s = null;
    }
    if (s == null) {
      s = engine.newState();
    }
    engine.apply(s, ts, e.getValues());
    applied.inc();
    corrections.inc();
    long at = Math.max(ts, s.evaluatedAt);
    engine.prune(s, at);
    s.evaluatedAt = at;
    Object[] values = engine.values(s, at);
    emit(ctx.getCurrentKey(), at, s, values, true, out);
    rearm(s, at, ctx.timerService());
    state.update(s);
  }

  @Override
  public void onTimer(long t, OnTimerContext ctx, Collector<FeatureUpdate> out) throws Exception {
    List<EventRow> batch = pending.get(t);
    ViewState s = state.value();
    if (s != null && t - s.lastEventTime > ttlMillis) {
      // Silent for longer than the view's ttl: every value is expired; the entity starts over.
      releaseAll(s, t, ctx.timerService());
      state.clear();
      s = null;
    }
    if (batch == null && (s == null || t <= s.evaluatedAt)) {
      return; // a timer of a dropped state, or one the state has already moved past
    }
    if (batch != null) {
      pending.remove(t);
      if (s == null) {
        s = engine.newState();
      }
      if (batch.size() > 1) {
        batch.sort((a, b) -> ViewEngine.SAME_TIME_ORDER.compare(a.getValues(), b.getValues()));
      }
      for (EventRow e : batch) {
        engine.apply(s, t, e.getValues());
      }
      applied.inc(batch.size());
    }
    engine.prune(s, t);
    s.evaluatedAt = t;
    Object[] values = engine.values(s, t);
    if (batch != null || !Arrays.equals(values, s.lastValues)) {
      emit(ctx.getCurrentKey(), t, s, values, false, out);
    }
    rearm(s, t, ctx.timerService());
    state.update(s);
  }

  private void emit(
      String entity,
      long validFrom,
      ViewState s,
      Object[] values,
      boolean correction,
      Collector<FeatureUpdate> out) {
    int revision = validFrom == s.lastValidFrom ? s.lastRevision + 1 : 0;
    out.collect(
        new FeatureUpdate(
            entity,
            view.name(),
            validFrom,
            s.lastEventTime,
            Arrays.asList(values.clone()),
            specVersion,
            correction,
            revision,
            0L));
    updates.inc();
    s.lastValues = values;
    s.lastValidFrom = validFrom;
    s.lastRevision = revision;
  }

  /**
   * Keeps one exit timer (the next tile leaving a window) and one cleanup timer (ttl plus allowed
   * lateness after the last event, so that late events still find the state). The cleanup timer is
   * moved lazily: it stays where it is while the entity is active, and when it fires early the
   * state is kept and the timer re-armed, so an event costs no timer deletion.
   */
  private void rearm(ViewState s, long now, TimerService timers) throws Exception {
    long exit = engine.nextExit(s);
    long nextExit = exit == Long.MAX_VALUE ? Long.MIN_VALUE : exit;
    long oldExit = s.exitTimer;
    s.exitTimer = nextExit;
    if (oldExit != nextExit) {
      release(oldExit, s, now, timers);
      if (nextExit != Long.MIN_VALUE) {
        timers.registerEventTimeTimer(nextExit);
      }
    }
    if (s.cleanupTimer == Long.MIN_VALUE || s.cleanupTimer <= now) {
      long cleanup = s.lastEventTime + ttlMillis + allowedLatenessMillis + 1;
      s.cleanupTimer = cleanup;
      timers.registerEventTimeTimer(cleanup);
    }
  }

  /**
   * Deletes a timer this state no longer needs. Flink keeps one timer per (key, timestamp), so a
   * timestamp that is also a pending batch's or the other armed timer's must stay.
   */
  private void release(long time, ViewState s, long now, TimerService timers) throws Exception {
    if (time == Long.MIN_VALUE
        || time <= now
        || time == s.exitTimer
        || time == s.cleanupTimer
        || pending.contains(time)) {
      return;
    }
    timers.deleteEventTimeTimer(time);
  }

  /** Releases both armed timers of a state that is being dropped. */
  private void releaseAll(ViewState s, long now, TimerService timers) throws Exception {
    long exit = s.exitTimer;
    long cleanup = s.cleanupTimer;
    s.exitTimer = Long.MIN_VALUE;
    s.cleanupTimer = Long.MIN_VALUE;
    release(exit, s, now, timers);
    release(cleanup, s, now, timers);
  }
}
