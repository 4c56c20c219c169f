package io.freshet.operators.flink;

import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** A keyed operator harness around {@link ViewFeatureOperator} for the first view of a spec. */
final class Harness implements AutoCloseable {
  final FeatureSpec spec;
  final SourceFields fields;
  final ViewFeatureOperator operator;
  final KeyedOneInputStreamOperatorTestHarness<String, EventRow, FeatureUpdate> h;

  Harness(FeatureSpec spec) throws Exception {
    this(spec, null);
  }

  /** A harness restored from a snapshot of another (null: a fresh one). */
  Harness(FeatureSpec spec, OperatorSubtaskState restoreFrom) throws Exception {
    this.spec = spec;
    this.fields = SourceFields.of(spec);
    operator = new ViewFeatureOperator(spec.source(), spec.views().get(0), fields);
    h = new KeyedOneInputStreamOperatorTestHarness<>(operator, r -> r.getEntity(), Types.STRING);
    if (restoreFrom != null) {
      h.initializeState(restoreFrom);
    }
    h.open();
  }

  OperatorSubtaskState snapshot() throws Exception {
    return h.snapshot(0L, 0L);
  }

  /** Keyed state entries plus queued wake-ups: zero once every entity has drained. */
  int leftOver() {
    return h.numKeyedStateEntries() + operator.queuedWakeUps();
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
