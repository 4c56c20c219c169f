package io.freshet.connectors.kafka;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.Decoded;
import io.freshet.avro.Violation;
import io.freshet.spec.SourceSpec;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the Kafka source of a spec and the sink of its dead letters. */
public final class KafkaConnector {
  private KafkaConnector() {}

  /** The consumer group of a spec's job: {@link KafkaOptions#GROUP_ID}, else freshet-(source). */
  public static String groupId(SourceSpec source, Configuration conf) {
    return conf.getOptional(KafkaOptions.GROUP_ID).orElse("freshet-" + source.name());
  }

  /** The source: Avro records of the spec's topic, decoded (or dead-lettered) per partition. */
  public static KafkaSource<Decoded> source(
      SourceSpec source, List<String> fields, Configuration conf) {
    String group = groupId(source, conf);
    KafkaSourceBuilder<Decoded> b =
        KafkaSource.<Decoded>builder()
            .setBootstrapServers(conf.get(KafkaOptions.BOOTSTRAP_SERVERS))
            .setTopics(source.topic())
            .setGroupId(group)
            .setProperty("commit.offsets.on.checkpoint", "true")
            .setProperty("partition.discovery.interval.ms", "60000")
            .setDeserializer(
                new DecodingDeserializer(
                    source, fields, KafkaOptions.limits(conf), KafkaOptions.wire(conf)));
    KafkaOptions.consumerSettings(conf).forEach(b::setProperty);
    String start = conf.get(KafkaOptions.STARTING_OFFSETS);
    switch (start) {
      case "earliest" -> b.setStartingOffsets(OffsetsInitializer.earliest());
      case "latest" -> b.setStartingOffsets(OffsetsInitializer.latest());
      case "committed-or-earliest" ->
          b.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
      default ->
          throw new IllegalArgumentException(
              KafkaOptions.STARTING_OFFSETS.key()
                  + " is '"
                  + start
                  + "'; use earliest, latest or committed-or-earliest");
    }
    if (conf.get(KafkaOptions.BOUNDED)) {
      b.setBounded(OffsetsInitializer.latest());
    }
    return b.build();
  }

  /**
   * The dead-letter sink: Avro {@link DeadLetter} records to {@link SourceSpec#deadLetterTopic()},
   * at least once (a replay after a failure may repeat some).
   */
  public static KafkaSink<DeadLetter> deadLetterSink(SourceSpec source, Configuration conf) {
    return avroSink(source.deadLetterTopic(), DeadLetter.class, conf);
  }

  /**
   * The violations sink: Avro {@link Violation} records to {@link SourceSpec#violationsTopic()}, at
   * least once.
   */
  public static KafkaSink<Violation> violationSink(SourceSpec source, Configuration conf) {
    return avroSink(source.violationsTopic(), Violation.class, conf);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> KafkaSink<T> avroSink(
      String topic, Class<T> type, Configuration conf) {
    java.util.Properties producer = new java.util.Properties();
    producer.putAll(KafkaOptions.securitySettings(conf));
    return KafkaSink.<T>builder()
        .setBootstrapServers(conf.get(KafkaOptions.BOOTSTRAP_SERVERS))
        .setKafkaProducerConfig(producer)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setRecordSerializer(
            KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setValueSerializationSchema(AvroSerializationSchema.forSpecific(type))
                .build())
        .build();
  }
}
