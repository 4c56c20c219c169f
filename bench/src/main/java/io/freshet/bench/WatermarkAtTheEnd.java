package io.freshet.bench;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The job's own watermark strategy, plus a watermark after every event of the data's last stretch
 * (event time at or after {@code tailFrom}), so that each split's last watermark is its last event
 * time minus the out-of-orderness bound.
 *
 * <p>Why: Freshet leaves its state as of the last watermark before the end of a bounded input (the
 * end's MAX watermark is not an event time the data reached; semantics.md), and the generated
 * source reads days of event time per 200 ms watermark interval, so without this a run computed as
 * little as none of its events. A handful of events get a watermark of their own: the cost is
 * nothing next to the run.
 */
final class WatermarkAtTheEnd<T> implements WatermarkStrategy<T> {
  private static final long serialVersionUID = 1L;

  private final WatermarkStrategy<T> strategy;
  private final long tailFrom;

  WatermarkAtTheEnd(WatermarkStrategy<T> strategy, long tailFrom) {
    this.strategy = strategy;
    this.tailFrom = tailFrom;
  }

  @Override
  public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context ctx) {
    WatermarkGenerator<T> g = strategy.createWatermarkGenerator(ctx);
    return new WatermarkGenerator<>() {
      @Override
      public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        g.onEvent(event, eventTimestamp, output);
        if (eventTimestamp >= tailFrom) {
          g.onPeriodicEmit(output);
        }
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput output) {
        g.onPeriodicEmit(output);
      }
    };
  }

  @Override
  public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context ctx) {
    return strategy.createTimestampAssigner(ctx);
  }

  @Override
  public WatermarkAlignmentParams getAlignmentParameters() {
    return strategy.getAlignmentParameters();
  }
}
