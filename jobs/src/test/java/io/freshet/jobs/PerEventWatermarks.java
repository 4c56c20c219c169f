package io.freshet.jobs;

import io.freshet.avro.Decoded;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * A job's watermark strategy with the periodic emission also done after every event, for bounded
 * test runs whose output must not depend on timing: a partition's final watermark is out before the
 * partition ends, instead of at the next 200 ms tick, which a fast read may never reach.
 */
final class PerEventWatermarks implements WatermarkStrategy<Decoded> {
  private static final long serialVersionUID = 1L;

  private final WatermarkStrategy<Decoded> inner;

  private PerEventWatermarks(WatermarkStrategy<Decoded> inner) {
    this.inner = inner;
  }

  static WatermarkStrategy<Decoded> of(WatermarkStrategy<Decoded> inner) {
    return new PerEventWatermarks(inner);
  }

  @Override
  public WatermarkGenerator<Decoded> createWatermarkGenerator(
      WatermarkGeneratorSupplier.Context context) {
    WatermarkGenerator<Decoded> g = inner.createWatermarkGenerator(context);
    return new WatermarkGenerator<>() {
      @Override
      public void onEvent(Decoded event, long timestamp, WatermarkOutput output) {
        g.onEvent(event, timestamp, output);
        g.onPeriodicEmit(output);
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput output) {
        g.onPeriodicEmit(output);
      }
    };
  }

  @Override
  public TimestampAssigner<Decoded> createTimestampAssigner(
      TimestampAssignerSupplier.Context context) {
    return inner.createTimestampAssigner(context);
  }
}
