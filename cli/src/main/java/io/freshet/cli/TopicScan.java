package io.freshet.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from its first retained record to its end offsets as of the start, committed
 * records only, without a consumer group. Fails with a {@link CliException} after five minutes.
 */
final class TopicScan {
  private TopicScan() {}

  /**
   * Every record up to the end offsets as of now, to {@code each}, partition by partition in offset
   * order.
   *
   * @return each partition's first retained offset (above 0 when retention or deletion removed
   *     older records); empty when the topic does not exist
   */
  static Map<Integer, Long> read(
      String bootstrapServers,
      Properties clientSettings,
      String topic,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Properties p = new Properties();
    p.putAll(clientSettings);
    p.put("bootstrap.servers", bootstrapServers);
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    p.put("isolation.level", "read_committed");
    p.put("allow.auto.create.topics", "false");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        return Map.of();
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo i : infos) {
        partitions.add(new TopicPartition(topic, i.partition()));
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> begin =
          consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new CliException("reading " + topic + " took more than 5 minutes");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.offset() < end.get(new TopicPartition(topic, r.partition()))) {
            each.accept(r);
          }
        }
      }
      Map<Integer, Long> first = new java.util.TreeMap<>();
      begin.forEach((tp, offset) -> first.put(tp.partition(), offset));
      return first;
    }
  }
}
