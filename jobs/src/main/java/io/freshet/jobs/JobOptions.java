package io.freshet.jobs;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Settings of the feature job itself (each store has its own *Options class, with its enable flag).
 */
public final class JobOptions {
  private JobOptions() {}

  public static final ConfigOption<Integer> DECODED_ENTITIES =
      ConfigOptions.key("freshet.state.decoded-entities")
          .intType()
          .noDefaultValue()
          .withDescription(
              "On RocksDB state: entities each feature subtask keeps decoded in memory, written"
                  + " back on eviction and at checkpoints (0: only the entity in hand). Heap state"
                  + " holds every entity touched since the last checkpoint and ignores this."
                  + " Default: an eighth of the JVM's maximum heap at 32 KB per entity, at least"
                  + " 1024.");

  public static final ConfigOption<Boolean> LIVE_WRITE_BACK =
      ConfigOptions.key("freshet.state.live-write-back")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "On RocksDB state: while the job is live (its watermark within a minute of the wall"
                  + " clock), each feature subtask writes the entities changed since the last"
                  + " watermark back to RocksDB at every watermark, so that a checkpoint, which"
                  + " holds the task while it writes the rest, finds few left: shorter pauses in"
                  + " live updates for more CPU (about two RocksDB writes per event instead of one"
                  + " per changed entity and checkpoint; docs/operations.md). Off: every changed"
                  + " entity is written at the checkpoint only. A backfill or a catch-up writes at"
                  + " checkpoints either way.");
}
