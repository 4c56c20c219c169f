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
}
