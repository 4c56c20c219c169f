package io.freshet.jobs;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Where a feature job's outputs go. Each method attaches sinks (with stable uids). */
public interface FeatureSinks {
  void updates(SourceSpec source, ViewSpec view, DataStream<FeatureUpdate> updates);

  void deadLetters(SourceSpec source, DataStream<DeadLetter> deadLetters);

  /** No sinks: the caller uses the streams {@link FeatureJob#build} returns. */
  FeatureSinks NONE =
      new FeatureSinks() {
        @Override
        public void updates(SourceSpec source, ViewSpec view, DataStream<FeatureUpdate> updates) {}

        @Override
        public void deadLetters(SourceSpec source, DataStream<DeadLetter> deadLetters) {}
      };
}
