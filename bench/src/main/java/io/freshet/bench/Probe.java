package io.freshet.bench;

import io.freshet.avro.FeatureUpdate;
import java.io.Serializable;
import java.util.ArrayList;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * The benchmark's cheap sink: counts the records it sees and keeps the sampled ones (about one
 * (entity, time) pair in {@code sampleEvery}; none if it is 0, see {@link
 * PaymentGenerator#sampled}) for the correctness check, both in accumulators the client reads after
 * the job. Emits nothing.
 */
abstract class Probe<T> extends ProcessFunction<T, Void> {
  private static final long serialVersionUID = 1L;

  static final String COUNT = "records";
  static final String SAMPLES = "samples";

  /**
   * The greatest time (valid_from, event time) among the records a subtask saw: one accumulator per
   * subtask, named with this prefix and the subtask's index.
   */
  static final String MAX_TIME = "maxTime.";

  /** One sampled output: an entity's feature values at a time, in the spec's feature order. */
  record Sample(
      String entity, long time, long eventId, boolean correction, ArrayList<Object> values)
      implements Serializable {}

  private final String name;
  private final int sampleEvery;
  private transient LongCounter count;
  private transient LongMaximum maxTime;
  private transient ArrayList<Sample> samples;

  Probe(String name, int sampleEvery) {
    this.name = name;
    this.sampleEvery = sampleEvery;
  }

  @Override
  public void open(OpenContext ctx) {
    count = getRuntimeContext().getLongCounter(name + "." + COUNT);
    maxTime = new LongMaximum();
    getRuntimeContext()
        .addAccumulator(
            name + "." + MAX_TIME + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
            maxTime);
    samples = new ArrayList<>();
  }

  /**
   * Publishes the samples only now: the task serialises its accumulators on every heartbeat, and a
   * list that grows meanwhile fails that with a ConcurrentModificationException.
   */
  @Override
  public void close() throws Exception {
    ListAccumulator<Sample> acc = new ListAccumulator<>();
    samples.forEach(acc::add);
    getRuntimeContext().addAccumulator(name + "." + SAMPLES, acc);
    super.close();
  }

  @Override
  public void processElement(T record, Context ctx, Collector<Void> out) {
    count.add(1L);
    if (!timed()) {
      return;
    }
    long time = time(record);
    maxTime.add(time);
    if (sampleEvery <= 0) {
      return;
    }
    String entity = entity(record);
    if (PaymentGenerator.sampled(entity, time, sampleEvery)) {
      samples.add(sample(record));
    }
  }

  /** Whether the records have a time ({@link #time}); counted only if not. */
  boolean timed() {
    return true;
  }

  abstract String entity(T record);

  abstract long time(T record);

  abstract Sample sample(T record);

  /** Freshet's feature updates; time is valid_from. */
  static final class Updates extends Probe<FeatureUpdate> {
    private static final long serialVersionUID = 1L;

    Updates(String name, int sampleEvery) {
      super(name, sampleEvery);
    }

    @Override
    String entity(FeatureUpdate u) {
      return u.getEntity();
    }

    @Override
    long time(FeatureUpdate u) {
      return u.getValidFrom();
    }

    @Override
    Sample sample(FeatureUpdate u) {
      return new Sample(
          u.getEntity(), u.getValidFrom(), -1, u.getCorrection(), new ArrayList<>(u.getValues()));
    }
  }

  /** The SQL baseline's rows: event_id, customer_id, event_ms, then the feature columns. */
  static final class Rows extends Probe<Row> {
    private static final long serialVersionUID = 1L;

    Rows(String name, int sampleEvery) {
      super(name, sampleEvery);
    }

    @Override
    String entity(Row r) {
      return (String) r.getField(1);
    }

    @Override
    long time(Row r) {
      return (Long) r.getField(2);
    }

    @Override
    Sample sample(Row r) {
      ArrayList<Object> values = new ArrayList<>(r.getArity() - 3);
      for (int i = 3; i < r.getArity(); i++) {
        values.add(r.getField(i));
      }
      return new Sample(
          (String) r.getField(1), (Long) r.getField(2), (Long) r.getField(0), false, values);
    }
  }

  /** Anything else (dead letters): counted, never sampled. */
  static final class Counter<T> extends Probe<T> {
    private static final long serialVersionUID = 1L;

    Counter(String name) {
      super(name, 0);
    }

    @Override
    boolean timed() {
      return false;
    }

    @Override
    String entity(T record) {
      throw new UnsupportedOperationException();
    }

    @Override
    long time(T record) {
      throw new UnsupportedOperationException();
    }

    @Override
    Sample sample(T record) {
      throw new UnsupportedOperationException();
    }
  }
}
