package io.freshet.connectors.kafka;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Settings of Freshet's Kafka source and dead-letter sink. */
public final class KafkaOptions {
  private KafkaOptions() {}

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOptions.key("freshet.kafka.bootstrap-servers")
          .stringType()
          .defaultValue("127.0.0.1:29092")
          .withDescription(
              "Kafka bootstrap servers of the source topic and the dead-letter topic.");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key("freshet.kafka.group-id")
          .stringType()
          .noDefaultValue()
          .withDescription("Consumer group id; default freshet-<source name>.");

  public static final ConfigOption<String> STARTING_OFFSETS =
      ConfigOptions.key("freshet.kafka.starting-offsets")
          .stringType()
          .defaultValue("committed-or-earliest")
          .withDescription(
              "Where a job without a checkpoint starts: earliest, latest, or"
                  + " committed-or-earliest (the group's committed offsets, else the earliest).");

  public static final ConfigOption<Boolean> BOUNDED =
      ConfigOptions.key("freshet.kafka.bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "A bounded source: stop at the topic's end offsets as of job start and finish the"
                  + " job (tests). The feature state is then lost with the job; freshet run"
                  + " --until-end runs unbounded and stops with a savepoint instead.");

  /**
   * Prefix of settings handed to the source's Kafka consumer as they are, e.g. {@code
   * freshet.kafka.consumer.fetch.max.wait.ms=50}; they override {@link #CONSUMER_DEFAULTS}.
   */
  public static final String CONSUMER_PREFIX = "freshet.kafka.consumer.";

  /**
   * The consumer settings Freshet changes from Kafka's defaults. A fetch is answered once 64 KiB
   * are there or after 20 ms: with Kafka's defaults (1 byte, 500 ms) a live source at a few
   * thousand events per second fetched a handful of records at a time, and the fetch loop was the
   * job's largest CPU cost (docs/benchmarks.md, "Freshness"); 20 ms is the most it adds to an
   * event's delay.
   */
  public static final java.util.Map<String, String> CONSUMER_DEFAULTS =
      java.util.Map.of("fetch.min.bytes", "65536", "fetch.max.wait.ms", "20");
}
