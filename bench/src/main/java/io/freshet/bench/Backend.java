package io.freshet.bench;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The two state backends a variant runs on, and the local (MiniCluster) configuration of each. The
 * same configuration serves Freshet and the SQL baseline, so a ratio compares engines, not
 * settings.
 */
enum Backend {
  /** {@code state.backend.type: hashmap}, no checkpoints. */
  HEAP("hashmap"),
  /** {@code state.backend.type: rocksdb}, incremental checkpoints every checkpoint interval. */
  ROCKSDB("rocksdb");

  private final String type;

  Backend(String type) {
    this.type = type;
  }

  String type() {
    return type;
  }

  /**
   * @param checkpointInterval checkpoint interval on RocksDB, or null for none
   * @param checkpointDir where RocksDB checkpoints go
   */
  Configuration configuration(int parallelism, Duration checkpointInterval, Path checkpointDir) {
    Configuration conf = new Configuration();
    conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
    conf.set(StateBackendOptions.STATE_BACKEND, type);
    // As in flink-conf/config.yaml, for both engines: no Kryo, object reuse, RocksDB timers on
    // heap.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.setString("state.backend.rocksdb.timer-service.factory", "HEAP");
    // RocksDB's block cache and write buffers come from managed memory: 512 MB for the two slots.
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("512m"));
    if (this == ROCKSDB) {
      conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
      if (checkpointInterval != null) {
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
      }
    }
    return conf;
  }
}
