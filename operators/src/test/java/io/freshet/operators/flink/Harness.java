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
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** A keyed operator harness around {@link ViewFeatureFunction} for the first view of a spec. */
final class Harness implements AutoCloseable {
  final FeatureSpec spec;
  final SourceFields fields;
  final KeyedOneInputStreamOperatorTestHarness<String, EventRow, FeatureUpdate> h;

  Harness(FeatureSpec spec) throws Exception {
    this.spec = spec;
    this.fields = SourceFields.of(spec);
    ViewFeatureFunction fn = new ViewFeatureFunction(spec.source(), spec.views().get(0), fields);
    h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(fn), r -> r.getEntity(), Types.STRING);
    h.open();
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
    var q = h.getSideOutput(ViewFeatureFunction.LATE);
    return q == null
        ? List.of()
        : q.stream().map(StreamRecord::getValue).collect(Collectors.toList());
  }

  @Override
  public void close() throws Exception {
    h.close();
  }
}
