package io.freshet.cli;

import picocli.CommandLine.Option;

/** The Kafka cluster a command sends to; the local services' broker when left unset. */
final class KafkaClientOptions {
  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Kafka (default: the local services, 127.0.0.1:29092 or FRESHET_KAFKA_PORT).")
  String bootstrapServers;

  /** --bootstrap-servers, else {@link LocalDefaults#kafka()}. */
  String bootstrapServers() {
    return bootstrapServers != null ? bootstrapServers : LocalDefaults.kafka();
  }
}
