package io.freshet.jobs;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.FeatureUpdate;
import io.freshet.avro.Violation;
import io.freshet.connectors.UpdateSink;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Where a feature job's outputs go. Each method attaches sinks (with stable uids). */
public interface FeatureSinks {
  void updates(SourceSpec source, ViewSpec view, DataStream<FeatureUpdate> updates);

  void deadLetters(SourceSpec source, DataStream<DeadLetter> deadLetters);

  /** Expectation and freshness violations (none by default: they are counted in metrics). */
  default void violations(SourceSpec source, DataStream<Violation> violations) {}

  /** No sinks: the caller uses the streams {@link FeatureJob#build} returns. */
  FeatureSinks NONE =
      new FeatureSinks() {
        @Override
        public void updates(SourceSpec source, ViewSpec view, DataStream<FeatureUpdate> updates) {}

        @Override
        public void deadLetters(SourceSpec source, DataStream<DeadLetter> deadLetters) {}
      };

  /**
   * Every view's updates to each of {@code stores} that {@code conf} turns on (each store reads its
   * own flag and options and sets its own uids), dead letters to {@code deadLetters}, violations to
   * {@code violations}.
   */
  static FeatureSinks of(
      List<UpdateSink> stores,
      Configuration conf,
      BiConsumer<SourceSpec, DataStream<DeadLetter>> deadLetters,
      BiConsumer<SourceSpec, DataStream<Violation>> violations) {
    List<UpdateSink> enabled = stores.stream().filter(store -> store.enabled(conf)).toList();
    return new FeatureSinks() {
      @Override
      public void updates(SourceSpec source, ViewSpec view, DataStream<FeatureUpdate> updates) {
        for (UpdateSink store : enabled) {
          store.attach(updates, source, view, conf);
        }
      }

      @Override
      public void deadLetters(SourceSpec source, DataStream<DeadLetter> letters) {
        deadLetters.accept(source, letters);
      }

      @Override
      public void violations(SourceSpec source, DataStream<Violation> found) {
        violations.accept(source, found);
      }
    };
  }
}
