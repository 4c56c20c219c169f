package io.freshet.connectors.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets of a source topic as a launcher needs them before and while it runs a job: the end
 * offsets a bounded run reads up to, the earliest offsets, and what the job's consumer group has
 * committed (which tells whether an earlier run of the spec has read the topic). Answers within the
 * given timeout or fails saying which broker did not answer.
 */
public final class KafkaOffsets implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 30;

  private final Admin admin;
  private final String bootstrapServers;

  public KafkaOffsets(String bootstrapServers) {
    this(bootstrapServers, new Properties());
  }

  /** On the bootstrap servers and client properties file of a job's settings. */
  public static KafkaOffsets of(org.apache.flink.configuration.Configuration conf) {
    return new KafkaOffsets(
        conf.get(KafkaOptions.BOOTSTRAP_SERVERS), KafkaOptions.clientProperties(conf));
  }

  /** With {@code clientSettings} (e.g. security.protocol, sasl.*, ssl.*) for its admin client. */
  public KafkaOffsets(String bootstrapServers, Properties clientSettings) {
    Properties p = new Properties();
    p.putAll(clientSettings);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) (TIMEOUT_SECONDS * 1000));
    this.admin = Admin.create(p);
    this.bootstrapServers = bootstrapServers;
  }

  /** The number of partitions of {@code topic}. */
  public int partitions(String topic) {
    return describe(topic).partitions().size();
  }

  /** The offset after the last record of each partition of {@code topic}, by partition. */
  public Map<Integer, Long> end(String topic) {
    return offsets(topic, OffsetSpec.latest());
  }

  /** The first offset still held of each partition of {@code topic}, by partition. */
  public Map<Integer, Long> earliest(String topic) {
    return offsets(topic, OffsetSpec.earliest());
  }

  /** The offsets {@code group} has committed for {@code topic}, by partition (empty: none). */
  public Map<Integer, Long> committed(String group, String topic) {
    Map<TopicPartition, OffsetAndMetadata> all =
        await(
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
            "the offsets of consumer group " + group);
    Map<Integer, Long> out = new HashMap<>();
    all.forEach(
        (tp, o) -> {
          if (o != null && tp.topic().equals(topic)) {
            out.put(tp.partition(), o.offset());
          }
        });
    return out;
  }

  private Map<Integer, Long> offsets(String topic, OffsetSpec spec) {
    TopicDescription d = describe(topic);
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    d.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), spec));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> r =
        await(admin.listOffsets(request).all(), "the offsets of topic " + topic);
    Map<Integer, Long> out = new HashMap<>();
    r.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
    return out;
  }

  private TopicDescription describe(String topic) {
    return await(
            admin.describeTopics(List.of(topic)).allTopicNames(),
            "the partitions of topic " + topic)
        .get(topic);
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> f, String what) {
    try {
      return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + what, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "could not read "
              + what
              + " from Kafka at "
              + bootstrapServers
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at "
              + bootstrapServers
              + " did not answer within "
              + TIMEOUT_SECONDS
              + " s (reading "
              + what
              + "); is it running? (bin/freshet services start)",
          e);
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
