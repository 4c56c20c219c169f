package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.DeadLetter;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code freshet dead-letters} on a real broker: a dead-letter topic holding records as the job
 * writes them (Avro {@link DeadLetter}s), listed by reason with examples; chosen ones re-sent to
 * the source topic with their key and value as produced; TOO_LATE refused.
 */
@RealServices
class DeadLettersCommandIT {
  @Test
  @Timeout(120)
  void listsByReasonAndReplaysChosenOnesToTheSourceTopic(TestServices services) throws Exception {
    String topic = services.createTopic("dl-payments", 1);
    String deadLetters = services.createTopic("dl-payments.dead-letters", 2);
    assertThat(deadLetters).isEqualTo(topic + ".dead-letters");
    Path dir = Files.createTempDirectory("freshet-dead-letters-it");
    Path specFile = ExampleSpec.onTopic(dir, topic);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", services.kafkaBootstrapServers(),
                "key.serializer", ByteArraySerializer.class,
                "value.serializer", ByteArraySerializer.class))) {
      send(producer, deadLetters, 0, letter(topic, 10, "NOT_AVRO", "c1", new byte[] {-1, 2}));
      send(producer, deadLetters, 1, letter(topic, 11, "NULL_KEY", null, new byte[] {7}));
      send(producer, deadLetters, 0, letter(topic, 12, "NOT_AVRO", "c2", new byte[] {-3}));
      send(producer, deadLetters, 1, letter(topic, 13, "TOO_LATE", "c3", new byte[] {9}));
    }
    String[] base = {
      "dead-letters",
      "--spec",
      specFile.toString(),
      "--bootstrap-servers",
      services.kafkaBootstrapServers()
    };
    CliRunner cli = new CliRunner();
    assertThat(cli.run(base)).as(cli.err()).isZero();
    assertThat(cli.out())
        .contains(deadLetters + ": 4 dead letters")
        .containsPattern("NOT_AVRO +2")
        .containsPattern("NULL_KEY +1")
        .containsPattern("TOO_LATE +1")
        .contains("NOT_AVRO at 0:0 (from " + topic + " 0:10")
        .contains("what was wrong: NOT_AVRO");

    assertThat(cli.run(with(base, "--replay", "--reason", "TOO_LATE"))).isEqualTo(1);
    assertThat(cli.err()).contains("TOO_LATE dead letters are not replayed");
    assertThat(cli.run(with(base, "--replay"))).isEqualTo(1);
    assertThat(cli.err()).contains("give --reason or --offset");

    assertThat(cli.run(with(base, "--replay", "--reason", "NOT_AVRO", "--dry-run"))).isZero();
    assertThat(cli.out()).contains("would re-send 2 to " + topic);
    assertThat(cli.run(with(base, "--replay", "--reason", "NOT_AVRO", "--offset", "0:1")))
        .as(cli.err())
        .isZero();
    assertThat(cli.out()).contains("re-sent 1 to " + topic);
    assertThat(cli.run(with(base, "--replay", "--reason", "NULL_KEY"))).isZero();

    List<ConsumerRecord<byte[], byte[]>> resent = readAll(services, topic, 2);
    assertThat(resent).hasSize(2);
    assertThat(new String(resent.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("c2");
    assertThat(resent.get(0).value()).containsExactly(-3);
    assertThat(resent.get(1).key()).isNull();
    assertThat(resent.get(1).value()).containsExactly(7);
  }

  private static String[] with(String[] base, String... more) {
    List<String> all = new ArrayList<>(List.of(base));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static DeadLetter letter(
      String topic, long offset, String reason, String key, byte[] value) {
    return new DeadLetter(
        "payments",
        topic,
        0,
        offset,
        1_767_225_600_000L,
        key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)),
        ByteBuffer.wrap(value),
        reason,
        "what was wrong: " + reason,
        1_767_225_600_000L + offset);
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String topic, int partition, DeadLetter d)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topic, partition, null, io.freshet.cli.generate.KafkaPublisher.avro(d)))
        .get();
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      TestServices services, String topic, int expected) {
    Map<String, Object> p =
        Map.of(
            "bootstrap.servers", services.kafkaBootstrapServers(),
            "key.deserializer", ByteArrayDeserializer.class,
            "value.deserializer", ByteArrayDeserializer.class);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    return out;
  }
}
