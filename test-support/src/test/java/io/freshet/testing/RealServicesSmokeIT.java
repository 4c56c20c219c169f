package io.freshet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** 10k Avro records through the real broker and 10k rows through the real Cassandra node. */
@RealServices
class RealServicesSmokeIT {
  private static final Logger LOG = LoggerFactory.getLogger(RealServicesSmokeIT.class);
  private static final int COUNT = 10_000;
  private static final int MAX_IN_FLIGHT = 256;
  private static final Schema SCHEMA =
      SchemaBuilder.record("SmokeEvent")
          .namespace("io.freshet.testing")
          .fields()
          .requiredLong("id")
          .requiredString("entity")
          .requiredDouble("amount")
          .requiredLong("event_time")
          .endRecord();

  private static GenericRecord event(long id) {
    GenericRecord r = new GenericData.Record(SCHEMA);
    r.put("id", id);
    r.put("entity", "user-" + (id % 97));
    r.put("amount", id * 0.25);
    r.put("event_time", 1_700_000_000_000L + id);
    return r;
  }

  @Test
  void avroRecordsRoundTripThroughKafka(TestServices services) throws Exception {
    String topic = services.createTopic("smoke-events", 2);
    Instant begin = Instant.now();

    Properties producerProps = services.kafkaProperties();
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, LongSerializer.class.getName());
    producerProps.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<Long, byte[]> producer = new KafkaProducer<>(producerProps)) {
      List<Future<RecordMetadata>> sends = new ArrayList<>(COUNT);
      for (long id = 0; id < COUNT; id++) {
        sends.add(producer.send(new ProducerRecord<>(topic, id, AvroBytes.encode(event(id)))));
      }
      producer.flush();
      for (Future<RecordMetadata> send : sends) {
        send.get(30, TimeUnit.SECONDS);
      }
    }
    Duration produced = Duration.between(begin, Instant.now());

    Properties consumerProps = services.kafkaProperties();
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, services.topic("smoke-group"));
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class.getName());
    consumerProps.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    BitSet seen = new BitSet(COUNT);
    int received = 0;
    Deadline deadline = Deadline.in(Duration.ofSeconds(60));
    try (KafkaConsumer<Long, byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of(topic));
      while (received < COUNT && deadline.hasTimeLeft()) {
        for (ConsumerRecord<Long, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
          GenericRecord value = AvroBytes.decode(rec.value(), SCHEMA);
          long id = (Long) value.get("id");
          assertThat(rec.key()).isEqualTo(id);
          assertThat(value).isEqualTo(event(id));
          assertThat(seen.get((int) id)).as("duplicate id %s", id).isFalse();
          seen.set((int) id);
          received++;
        }
      }
    }
    assertThat(received).isEqualTo(COUNT);
    assertThat(seen.cardinality()).isEqualTo(COUNT);
    LOG.info(
        "Kafka: {} Avro records produced in {} ms, all consumed back after {} ms",
        COUNT,
        produced.toMillis(),
        Duration.between(begin, Instant.now()).toMillis());
  }

  @Test
  void rowsRoundTripThroughCassandra(TestServices services, CqlSession session) throws Exception {
    assertThat(session.getKeyspace())
        .hasValueSatisfying(k -> assertThat(k.asInternal()).isEqualTo(services.keyspace()));
    session.execute(
        SimpleStatement.newInstance(
            "CREATE TABLE smoke_rows (id int PRIMARY KEY, entity text, amount double)"));
    PreparedStatement insert =
        session.prepare("INSERT INTO smoke_rows (id, entity, amount) VALUES (?, ?, ?)");

    Instant begin = Instant.now();
    Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<CompletableFuture<?>> writes = new ArrayList<>(COUNT);
    for (int id = 0; id < COUNT && failure.get() == null; id++) {
      inFlight.acquire();
      CompletionStage<?> write =
          session
              .executeAsync(insert.bind(id, "user-" + (id % 97), id * 0.25))
              .whenComplete(
                  (rs, error) -> {
                    inFlight.release();
                    if (error != null) {
                      failure.compareAndSet(null, error);
                    }
                  });
      writes.add(write.toCompletableFuture());
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(failure.get()).isNull();
    Duration written = Duration.between(begin, Instant.now());

    BitSet seen = new BitSet(COUNT);
    for (Row row :
        session.execute(
            SimpleStatement.newInstance("SELECT id, entity, amount FROM smoke_rows")
                .setPageSize(2_000))) {
      int id = row.getInt("id");
      assertThat(row.getString("entity")).isEqualTo("user-" + (id % 97));
      assertThat(row.getDouble("amount")).isEqualTo(id * 0.25);
      assertThat(seen.get(id)).as("duplicate id %s", id).isFalse();
      seen.set(id);
    }
    assertThat(seen.cardinality()).isEqualTo(COUNT);
    assertThat(seen.nextClearBit(0)).isEqualTo(COUNT);
    LOG.info(
        "Cassandra: {} async prepared writes ({} in flight max) in {} ms, all read back after {}"
            + " ms",
        COUNT,
        MAX_IN_FLIGHT,
        written.toMillis(),
        Duration.between(begin, Instant.now()).toMillis());
  }
}
