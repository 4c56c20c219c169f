package io.freshet.operators.flink;

import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.features.SourceFields;
import io.freshet.operators.features.ViewEngine;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import io.freshet.state.PendingEvents;
import io.freshet.state.ViewState;
import io.freshet.state.flink.PendingEventsSerializer;
import io.freshet.state.flink.ViewStateSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Computes one view's features for the entity of the current key and emits a {@link FeatureUpdate}
 * each time the entity's feature vector changes. Runs on a keyed stream (key: the entity).
 *
 * <pre>
 *  EventRow ──► ts > watermark ──► pending (sorted); a wake-up only if ts is before the armed one
 *           ├─► late, within allowed lateness ─► apply now ─► update (correction)
 *           └─► too late ─► LATE side output
 *  watermark W: for each entity whose wake-up is due, walk its due instants up to W in time order:
 *      pending event times (apply them, emit), window exits (prune, emit if changed),
 *      the ttl cleanup (drop the state); then arm one wake-up at its next instant after W
 * </pre>
 *
 * <p>Guarantees: per entity, updates come in non-decreasing valid_from order, one per (entity,
 * view, valid_from), except that a correction re-emits the latest valid_from with corrected values.
 * Events that share an event time are applied together, in a canonical order, so replaying the same
 * input yields the same updates. Each update's record timestamp is its valid_from.
 *
 * <p>Wake-ups: the operator keeps its own queue of (time, entity) instead of Flink timers, at most
 * one live entry per entity and watermark advance, whatever the number of events, window exits and
 * cleanups that fall in it. The queue is derived data: each entity's armed wake-up is kept in its
 * keyed state ({@link PendingEvents#wake}), and on restore the queue is rebuilt by scanning the
 * keys of this subtask's state (so restores and rescaling need no timer state).
 */
public final class ViewFeatureOperator extends AbstractStreamOperator<FeatureUpdate>
    implements OneInputStreamOperator<EventRow, FeatureUpdate> {
  private static final long serialVersionUID = 1L;

  /** Events later than the allowed lateness. */
  public static final OutputTag<EventRow> LATE =
      new OutputTag<>(
          "late-events",
          new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(EventRow.class));

  private static final long NONE = PendingEvents.NONE;
  private static final String PENDING = "pending";

  private final ViewSpec view;
  private final SourceFields fields;
  private final String specVersion;
  private final long allowedLatenessMillis;
  private final long ttlMillis;
  private final int decodedCacheEntities;

  private transient ViewEngine engine;

  /**
   * The number of decoded entities a subtask keeps in front of state that is stored as bytes
   * (RocksDB), written back on eviction and before each checkpoint (see {@link DecodedEntities};
   * heap state holds every entity touched since the last checkpoint): by default an eighth of the
   * JVM's maximum heap at 32 KB per entity, at least 1024.
   */
  public static final int DECODED_ENTITIES_BY_HEAP = -1;

  /**
   * Each entity's view state (tiles and the last vector; dropped ttl after the last event) and its
   * events not yet passed by the watermark with the armed wake-up, in front of the keyed state.
   */
  private transient DecodedEntities entities;

  private transient DueQueue due;
  private transient long watermark;

  /** The watermark the subtask had reached, one entry per subtask (union list: all on restore). */
  private transient ListState<Long> watermarkState;

  private transient StreamRecord<FeatureUpdate> record;

  private transient Counter applied;
  private transient Counter updates;
  private transient Counter corrections;
  private transient Counter tooLate;

  /**
   * The last checkpoint's write-back of changed decoded entities to the keyed state: how long it
   * held the task, and how many entities it wrote (metrics {@code checkpointWriteBackMs}, {@code
   * checkpointWriteBackEntities}).
   */
  private volatile long writeBackMillis;

  private volatile int writeBackEntities;

  /**
   * How close to the wall clock the watermark must be, either side, for the job to count as live:
   * then (with {@link #liveWriteBack}) every watermark writes the entities changed since the last
   * one back to the keyed state, and a checkpoint's write-back finds few left. A backfill or a
   * catch-up leaves them to the checkpoint, where each is written once however often it changed.
   */
  static final long LIVE = Duration.ofMinutes(1).toMillis();

  private final boolean liveWriteBack;
  private transient Counter liveWriteBacks;
  private transient LongCounter updatesTotal;
  private transient LongCounter correctionsTotal;
  private transient LongCounter tooLateTotal;

  public ViewFeatureOperator(SourceSpec source, ViewSpec view, SourceFields fields) {
    this(source, view, fields, DECODED_ENTITIES_BY_HEAP);
  }

  /**
   * @param decodedCacheEntities entities kept decoded on RocksDB state, or {@link
   *     #DECODED_ENTITIES_BY_HEAP}
   */
  public ViewFeatureOperator(
      SourceSpec source, ViewSpec view, SourceFields fields, int decodedCacheEntities) {
    this(source, view, fields, decodedCacheEntities, false);
  }

  /**
   * @param decodedCacheEntities entities kept decoded on RocksDB state, or {@link
   *     #DECODED_ENTITIES_BY_HEAP}
   * @param liveWriteBack on RocksDB state, whether a live job writes changed entities back to the
   *     keyed state at each watermark rather than all at the next checkpoint ({@link #LIVE})
   */
  public ViewFeatureOperator(
      SourceSpec source,
      ViewSpec view,
      SourceFields fields,
      int decodedCacheEntities,
      boolean liveWriteBack) {
    if (decodedCacheEntities < 0 && decodedCacheEntities != DECODED_ENTITIES_BY_HEAP) {
      throw new IllegalArgumentException(
          "decoded entities must be 0 or more, got " + decodedCacheEntities);
    }
    this.decodedCacheEntities = decodedCacheEntities;
    this.liveWriteBack = liveWriteBack;
    this.view = view;
    this.fields = fields;
    this.specVersion = view.version(source);
    this.allowedLatenessMillis = source.allowedLateness().toMillis();
    this.ttlMillis = view.ttl().toMillis();
  }

  /**
   * The view state's state TTL never drops state: the engine's wake-ups do every cleanup, in event
   * time, at {@code last_event_time + ttl + allowed_lateness + 1}. A processing-time TTL cannot
   * keep that promise: with an allowed lateness over the ttl plus the longest window, or after a
   * downtime (or a consumer lag) longer than the TTL, it dropped state the engine still needed
   * (SafetyNetTtlTest). It stays enabled, at a thousand years, only because Flink 2.1 cannot
   * restore state whose TTL was switched off (2.2 can), and savepoints of earlier builds carry it.
   */
  static final Duration STATE_TTL = Duration.ofDays(365L * 1000);

  static StateTtlConfig safetyNet(Duration viewTtl) {
    return StateTtlConfig.newBuilder(STATE_TTL)
        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
        .disableCleanupInBackground()
        .build();
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    engine = new ViewEngine(view, fields);
    ValueStateDescriptor<ViewState> stateDesc =
        new ValueStateDescriptor<>("view-state", new ViewStateSerializer(engine.layout()));
    stateDesc.enableTimeToLive(safetyNet(view.ttl()));
    boolean heap = getKeyedStateBackend() instanceof HeapKeyedStateBackend<?>;
    int cache =
        decodedCacheEntities == DECODED_ENTITIES_BY_HEAP
            ? (int) Math.max(1024, Runtime.getRuntime().maxMemory() / (32 * 1024) / 8)
            : decodedCacheEntities;
    // No state TTL on pending events: the entry lives exactly as long as the entity has a wake-up
    // armed.
    ValueState<PendingEvents> pendingState =
        context
            .getKeyedStateStore()
            .getState(
                new ValueStateDescriptor<>(PENDING, new PendingEventsSerializer(fields.names())));
    entities =
        new DecodedEntities(
            context.getKeyedStateStore().getState(stateDesc),
            pendingState,
            this,
            heap,
            Math.max(1, cache),
            engine.layout(),
            fields.names());
    due = new DueQueue();
    watermarkState =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("watermark", LongSerializer.INSTANCE));
    watermark = Long.MIN_VALUE;
    if (context.isRestored()) {
      // Resume at the event time the job had reached (the smallest of the subtasks'): an event at
      // or before it is late, as it was for the run that saved the state, and is applied as a
      // correction, never as an on-time event behind the state's valid_from.
      long restored = Long.MAX_VALUE;
      for (Long w : watermarkState.get()) {
        restored = Math.min(restored, w);
      }
      watermark = restored == Long.MAX_VALUE ? Long.MIN_VALUE : restored;
    }
    if (context.isRestored()) {
      List<Object> keys;
      try (Stream<Object> all = getKeyedStateBackend().getKeys(PENDING, VoidNamespace.INSTANCE)) {
        keys = all.toList();
      }
      for (Object key : keys) {
        setCurrentKey(key);
        PendingEvents p = pendingState.value();
        if (p != null && p.wake != NONE) {
          due.push(p.wake, new DecodedEntities.Entity(key)); // resolved when it comes out
        }
      }
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    record = new StreamRecord<>(null);
    var metrics = getMetricGroup().addGroup("view", view.name());
    applied = metrics.counter("eventsApplied");
    updates = metrics.counter("updatesEmitted");
    corrections = metrics.counter("corrections");
    tooLate = metrics.counter("lateEventsDropped");
    metrics.gauge("checkpointWriteBackMs", () -> writeBackMillis);
    metrics.gauge("checkpointWriteBackEntities", () -> writeBackEntities);
    liveWriteBacks = metrics.counter("liveWriteBackEntities");
    updatesTotal = new LongCounter();
    correctionsTotal = new LongCounter();
    tooLateTotal = new LongCounter();
    getRuntimeContext().addAccumulator(JobCounts.UPDATES, updatesTotal);
    getRuntimeContext().addAccumulator(JobCounts.CORRECTIONS, correctionsTotal);
    getRuntimeContext().addAccumulator(JobCounts.TOO_LATE, tooLateTotal);
  }

  /** Before the keyed state is snapshotted: decoded entities changed since are written to it. */
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    long start = System.nanoTime();
    writeBackEntities = entities.flush();
    writeBackMillis = (System.nanoTime() - start) / 1_000_000;
    watermarkState.update(List.of(watermark));
    super.snapshotState(context);
  }

  /** Decoded entities held in front of the state backend (for tests). */
  int decodedCached() {
    return entities.held();
  }

  /** Decoded entities changed since the state last had them (for tests). */
  int unwritten() {
    return entities.unwritten();
  }

  /** Entries in the queue of changed entities, stale ones included (for tests). */
  int changedQueued() {
    return entities.changedQueued();
  }

  /** Entities written back to the keyed state at watermarks of a live job (for tests). */
  long liveWriteBacks() {
    return liveWriteBacks.getCount();
  }

  /** Entities the last snapshot wrote back to the keyed state (for tests). */
  int lastWriteBack() {
    return writeBackEntities;
  }

  /** Wake-ups queued, stale ones included (for tests: zero once everything has drained). */
  int queuedWakeUps() {
    return due.size();
  }

  @Override
  public void processElement(StreamRecord<EventRow> element) throws Exception {
    EventRow e = element.getValue();
    long ts = e.getEventTime();
    Object key = getCurrentKey();
    if (ts > watermark) {
      DecodedEntities.Entity entity = entities.get(key);
      if (entity.pending == null) {
        entity.pending = new PendingEvents();
      }
      entity.pending.add(ts, e.getValues());
      arm(entity, ts);
      entities.changedPending(entity);
      return;
    }
    if (watermark - ts > allowedLatenessMillis) {
      tooLate.inc();
      tooLateTotal.add(1L);
      output.collect(LATE, new StreamRecord<>(e, ts));
      return;
    }
    // Late but allowed: apply now and correct the vector as of the state's current time.
    DecodedEntities.Entity entity = entities.get(key);
    ViewState s = entity.view;
    if (s == null || ts - s.lastEventTime > ttlMillis) {
      // New, or later than the ttl after the entity's last event: it starts the entity over.
      s = entity.view = engine.newState();
    } else {
      // The window exits before the event that the watermark has passed but no wake-up has walked
      // yet (an earlier late event, or a wake-up due at the next watermark): walk them first, so
      // that the history holds their values from the instant they changed.
      walkExitsBefore(key, s, ts);
    }
    engine.apply(s, ts, e.getValues());
    applied.inc();
    corrections.inc();
    correctionsTotal.add(1L);
    long at = Math.max(ts, s.evaluatedAt);
    engine.prune(s, at);
    s.evaluatedAt = at;
    emit(key, at, s, engine.values(s, at), true);
    // The event's tile may leave a window before the armed wake-up, even at or before the
    // watermark: such a wake-up is due at the next watermark.
    if (entity.pending == null) {
      entity.pending = new PendingEvents();
    }
    arm(entity, Math.min(engine.nextExit(s), cleanupTime(s)));
    entities.changed(entity);
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    long w = mark.getTimestamp();
    if (w == Long.MAX_VALUE) {
      // The end of a bounded input, or a stop with drain: not an event time the data reached.
      // Walking every entity to the end of time would emit each window's exits (valid from days
      // ahead, every window empty), and the online store would serve them. The state stays as of
      // the data's last watermark; a run restored from a savepoint continues from there.
      super.processWatermark(mark);
      return;
    }
    watermark = Math.max(watermark, w);
    while (!due.isEmpty() && due.peekTime() <= w) {
      long t = due.peekTime();
      DecodedEntities.Entity entity = entities.resolve(due.peekEntity());
      due.pop();
      PendingEvents p = entity.pending;
      if (p != null && p.wake == t) { // else stale: the entity was re-armed earlier
        p.wake = NONE;
        advance(entity, w);
      }
    }
    if (liveWriteBack) {
      long now = getProcessingTimeService().getCurrentProcessingTime();
      if (w >= now - LIVE && w <= now + LIVE) {
        liveWriteBacks.inc(entities.writeBack());
      }
    }
    super.processWatermark(mark);
  }

  /** Brings an entity to watermark w: every due instant in time order, then re-arms. */
  private void advance(DecodedEntities.Entity entity, long w) {
    Object key = entity.key;
    PendingEvents p = entity.pending;
    ViewState s = entity.view;
    int taken = 0; // pending events applied
    long next;
    while (true) {
      long nextEvent = taken < p.size() ? p.time(taken) : Long.MAX_VALUE;
      long nextExit = s == null ? Long.MAX_VALUE : engine.nextExit(s);
      long cleanup = s == null ? Long.MAX_VALUE : cleanupTime(s);
      long at = Math.min(nextEvent, Math.min(nextExit, cleanup));
      if (at > w || at == Long.MAX_VALUE) { // nothing due
        next = at;
        break;
      }
      if (s != null && at - s.lastEventTime > ttlMillis) {
        // Silent for longer than the view's ttl: every value is expired; the entity starts over.
        s = null;
      }
      boolean events = nextEvent == at;
      if (events) {
        if (s == null) {
          s = engine.newState();
        }
        taken = applyBatch(s, p, taken, at);
      } else if (s == null) {
        continue; // the cleanup: nothing left to read
      }
      boolean warmed = engine.prune(s, at);
      s.evaluatedAt = at;
      Object[] values = engine.values(s, at);
      if (events || warmed || !Arrays.equals(values, s.lastValues)) {
        emit(key, at, s, values, false);
      }
    }
    entity.view = s;
    p.dropFirst(taken);
    if (next == Long.MAX_VALUE && p.isEmpty()) {
      // Nothing left to do for this entity: no view state (next is MAX only without tiles or
      // cleanup), no pending event.
      entities.remove(entity);
      return;
    }
    arm(entity, next);
    entities.changed(entity);
  }

  /** Emits every window exit of the state after its last evaluation and before {@code t}. */
  private void walkExitsBefore(Object key, ViewState s, long t) {
    while (true) {
      long at = engine.nextExit(s);
      if (at >= t || at <= s.evaluatedAt) {
        return;
      }
      boolean warmed = engine.prune(s, at);
      s.evaluatedAt = at;
      Object[] values = engine.values(s, at);
      if (warmed || !Arrays.equals(values, s.lastValues)) {
        emit(key, at, s, values, false);
      }
    }
  }

  /** Applies the pending events at time t from index i on; returns the index after them. */
  private int applyBatch(ViewState s, PendingEvents p, int i, long t) {
    int end = i + 1;
    while (end < p.size() && p.time(end) == t) {
      end++;
    }
    if (end - i == 1) {
      engine.apply(s, t, p.values(i));
    } else {
      List<List<Object>> batch = new ArrayList<>(end - i);
      for (int j = i; j < end; j++) {
        batch.add(p.values(j));
      }
      batch.sort(ViewEngine.SAME_TIME_ORDER);
      for (List<Object> values : batch) {
        engine.apply(s, t, values);
      }
    }
    applied.inc(end - i);
    return end;
  }

  /**
   * Makes sure the entity wakes up at or before {@code time}: queues a wake-up unless the armed one
   * comes first.
   */
  private void arm(DecodedEntities.Entity entity, long time) {
    PendingEvents p = entity.pending;
    if (time == Long.MAX_VALUE || (p.wake != NONE && p.wake <= time)) {
      return;
    }
    due.push(time, entity);
    p.wake = time;
  }

  /** ttl plus allowed lateness after the last event, so that late events still find the state. */
  private long cleanupTime(ViewState s) {
    return s.lastEventTime + ttlMillis + allowedLatenessMillis + 1;
  }

  private void emit(Object key, long validFrom, ViewState s, Object[] values, boolean correction) {
    int revision = validFrom == s.lastValidFrom ? s.lastRevision + 1 : 0;
    // Setters, not the all-args constructor, which would box every long. The update shares the
    // values array with the state's last vector: neither is ever changed once emitted.
    FeatureUpdate u = new FeatureUpdate();
    u.setEntity((String) key);
    u.setView(view.name());
    u.setValidFrom(validFrom);
    u.setLastEventTime(s.lastEventTime);
    u.setValues(Arrays.asList(values));
    u.setSpecVersion(specVersion);
    u.setCorrection(correction);
    u.setRevision(revision);
    u.setWarmingUp(engine.warming(s, validFrom));
    output.collect(record.replace(u, validFrom));
    updates.inc();
    updatesTotal.add(1L);
    s.lastValues = values;
    s.lastValidFrom = validFrom;
    s.lastRevision = revision;
  }
}
