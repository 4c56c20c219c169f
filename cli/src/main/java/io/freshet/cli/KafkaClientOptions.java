package io.freshet.cli;

import picocli.CommandLine.Option;

/** The Kafka cluster a command sends to; the local services' broker when left unset. */
final class KafkaClientOptions {
  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Kafka (default: the local services, 127.0.0.1:29092 or FRESHET_KAFKA_PORT).")
  String bootstrapServers;

  @Option(
      names = "--kafka-properties",
      paramLabel = "FILE",
      description =
          "Kafka client properties (security.protocol, sasl.*, ssl.*), as Kafka's tools take with"
              + " --command-config (default: the local services' secured ones when they run with"
              + " --secure and --bootstrap-servers is not given).")
  java.nio.file.Path kafkaProperties;

  /**
   * --kafka-properties, else the local services' secured settings when this command talks to them,
   * else none.
   */
  java.util.Properties clientSettings() {
    if (kafkaProperties != null) {
      return io.freshet.connectors.kafka.KafkaOptions.loadProperties(kafkaProperties);
    }
    return bootstrapServers == null
        ? LocalDefaults.kafkaClientSettings()
        : new java.util.Properties();
  }

  /** --bootstrap-servers, else {@link LocalDefaults#kafka()}. */
  String bootstrapServers() {
    return bootstrapServers != null ? bootstrapServers : LocalDefaults.kafka();
  }
}
