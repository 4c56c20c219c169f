package io.freshet.operators.flink;

import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** A keyed operator harness around {@link ViewFeatureOperator} for the first view of a spec. */
final class Harness implements AutoCloseable {
  final FeatureSpec spec;
  final SourceFields fields;
  final ViewFeatureOperator operator;
  final KeyedOneInputStreamOperatorTestHarness<String, EventRow, FeatureUpdate> h;

  Harness(FeatureSpec spec) throws Exception {
    this(spec, null, false);
  }

  Harness(FeatureSpec spec, OperatorSubtaskState restoreFrom) throws Exception {
    this(spec, restoreFrom, false);
  }

  /**
   * A harness restored from a snapshot of another (null: a fresh one), on heap state or on RocksDB
   * (where the operator keeps decoded entities in front of the state).
   */
  Harness(FeatureSpec spec, OperatorSubtaskState restoreFrom, boolean rocksdb) throws Exception {
    this(spec, restoreFrom, rocksdb, ViewFeatureOperator.DECODED_ENTITIES_BY_HEAP);
  }

  /** ... with a decoded-entity cache of {@code cache} entities (on RocksDB). */
  Harness(FeatureSpec spec, OperatorSubtaskState restoreFrom, boolean rocksdb, int cache)
      throws Exception {
    this(spec, restoreFrom, rocksdb, cache, false);
  }

  /** ... and live write-back on or off. */
  Harness(
      FeatureSpec spec,
      OperatorSubtaskState restoreFrom,
      boolean rocksdb,
      int cache,
      boolean liveWriteBack)
      throws Exception {
    this.spec = spec;
    this.fields = SourceFields.of(spec);
    operator =
        new ViewFeatureOperator(spec.source(), spec.views().get(0), fields, cache, liveWriteBack);
    h = new KeyedOneInputStreamOperatorTestHarness<>(operator, r -> r.getEntity(), Types.STRING);
    if (rocksdb) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
    }
    if (restoreFrom != null) {
      h.initializeState(restoreFrom);
    }
    h.open();
  }

  OperatorSubtaskState snapshot() throws Exception {
    return h.snapshot(0L, 0L);
  }

  /** Keyed state entries, held entities and queued wake-ups: zero once every entity has drained. */
  long leftOver() throws Exception {
    return stateEntries() + operator.decodedCached() + operator.queuedWakeUps();
  }

  /** Keyed state entries of both states, on any backend. */
  long stateEntries() throws Exception {
    long n = 0;
    for (String name : List.of("view-state", "pending")) {
      try (Stream<Object> keys =
          operator.getKeyedStateBackend().getKeys(name, VoidNamespace.INSTANCE)) {
        n += keys.count();
      }
    }
    return n;
  }

  static EventRow row(String entity, long ts, Object... values) {
    return new EventRow(entity, ts, new ArrayList<>(Arrays.asList(values)));
  }

  void event(String entity, long ts, Object... values) throws Exception {
    h.processElement(new StreamRecord<>(row(entity, ts, values), ts));
  }

  void watermark(long wm) throws Exception {
    h.processWatermark(wm);
  }

  /** Updates emitted since the last call (drains the harness output). */
  @SuppressWarnings("unchecked")
  List<FeatureUpdate> take() {
    List<FeatureUpdate> fresh = new ArrayList<>();
    Object o;
    while ((o = h.getOutput().poll()) != null) {
      if (o instanceof StreamRecord<?> r) {
        fresh.add(((StreamRecord<FeatureUpdate>) r).getValue());
      }
    }
    return fresh;
  }

  List<EventRow> late() {
    var q = h.getSideOutput(ViewFeatureOperator.LATE);
    return q == null
        ? List.of()
        : q.stream().map(StreamRecord::getValue).collect(Collectors.toList());
  }

  @Override
  public void close() throws Exception {
    h.close();
  }
}
