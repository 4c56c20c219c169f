package io.freshet.jobs;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Settings of the feature job itself (the stores have their own *Options classes). */
public final class JobOptions {
  private JobOptions() {}

  public static final ConfigOption<Boolean> CASSANDRA_ENABLED =
      ConfigOptions.key("freshet.cassandra.enabled")
          .booleanType()
          .defaultValue(true)
          .withDescription("Write current feature vectors to Cassandra (the online store).");
}
