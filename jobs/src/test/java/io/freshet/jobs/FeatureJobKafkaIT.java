package io.freshet.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.connectors.kafka.KafkaOptions;
import io.freshet.examples.payments.Payment;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.AvroBytes;
import io.freshet.testing.CanonicalUpdates;
import io.freshet.testing.Deadline;
import io.freshet.testing.FlinkMiniClusterExtension;
import io.freshet.testing.OracleAsserts;
import io.freshet.testing.Payments;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The feature job on a Flink MiniCluster reading the real Kafka broker: valid payments mixed with
 * malformed records. Every update is recomputed by the naive oracle; every malformed record is in
 * the dead-letter topic with its reason, topic, partition and offset.
 */
@ExtendWith(RealServicesExtension.class)
class FeatureJobKafkaIT {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z

  /** The customer of the far-later events that end the input (left out of the comparisons). */
  static final String SENTINEL = "~sentinel";

  /**
   * One {@link #SENTINEL} payment on each of the topic's partitions, 90 days after {@code last}:
   * each partition's watermark passes every window and cleanup of the real customers.
   */
  static void sendSentinels(
      KafkaProducer<byte[], byte[]> producer, String topic, int partitions, long last)
      throws Exception {
    for (int partition = 0; partition < partitions; partition++) {
      Payment sentinel =
          new Payment(
              "sentinel-" + partition,
              SENTINEL,
              "m0",
              1.0,
              "EUR",
              "FR",
              java.time.Instant.ofEpochMilli(last + Duration.ofDays(90).toMillis()));
      producer.send(new ProducerRecord<>(topic, partition, null, AvroBytes.encode(sentinel))).get();
    }
  }

  private static List<FeatureUpdate> withoutSentinel(List<FeatureUpdate> updates) {
    return updates.stream().filter(u -> !SENTINEL.equals(u.getEntity())).toList();
  }

  @Test
  void computesFeaturesFromKafkaAndDeadLettersBadRecords(TestServices services) throws Exception {
    String topic = services.createTopic("payments", 3);
    FeatureSpec spec =
        onTopic(
            SpecParser.parse(Path.of("../examples/payments/payments.yaml")),
            topic,
            Duration.ofSeconds(30));
    SourceSpec source = spec.source();
    services.createTopic(source.deadLetterTopic().substring(services.topicPrefix().length()), 1);

    // 3,000 payments of 25 customers over 3 days, out of order by up to 2 s, plus bad records.
    List<Payment> payments = Payments.random(7, 3000, T0, Payments.skewedCustomers(25));
    Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
    bad.put("NOT_AVRO", new byte[] {(byte) 0xff, 0x01, 0x02});
    bad.put("EMPTY", new byte[0]);
    bad.put(
        "NULL_KEY",
        AvroBytes.encode(
            new Payment(
                "x1", "", "m1", 1.0, "EUR", "FR", java.time.Instant.ofEpochMilli(T0 + 1000))));
    bad.put(
        "BAD_EVENT_TIME",
        AvroBytes.encode(
            new Payment("x2", "c1", "m1", 1.0, "EUR", "FR", java.time.Instant.ofEpochMilli(5L))));
    bad.put(
        "NOT_A_NUMBER",
        AvroBytes.encode(
            new Payment(
                "x3",
                "c1",
                "m1",
                Double.NaN,
                "EUR",
                "FR",
                java.time.Instant.ofEpochMilli(T0 + 2000))));

    Map<String, long[]> badOffsets = new HashMap<>(); // reason -> partition, offset
    Properties props = services.kafkaProperties();
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      int i = 0;
      for (Payment p : payments) {
        byte[] key = p.getCustomerId().getBytes();
        producer.send(new ProducerRecord<>(topic, key, AvroBytes.encode(p)));
        if (++i % 600 == 0) {
          for (var e : bad.entrySet()) {
            if (!badOffsets.containsKey(e.getKey())) {
              var md = producer.send(new ProducerRecord<>(topic, null, e.getValue())).get();
              badOffsets.put(e.getKey(), new long[] {md.partition(), md.offset()});
              break;
            }
          }
        }
      }
      // One far-later event on every partition moves the watermark past every window and
      // cleanup of the real customers before the input ends (the end itself does not: a bounded
      // run stops at the data's watermark).
      sendSentinels(producer, topic, 3, Payments.latest(payments));
    }
    assertThat(badOffsets).hasSize(bad.size());

    Configuration conf = new Configuration();
    conf.set(KafkaOptions.BOOTSTRAP_SERVERS, services.kafkaBootstrapServers());
    conf.set(KafkaOptions.STARTING_OFFSETS, "earliest");
    conf.set(KafkaOptions.BOUNDED, true);
    Configuration pipeline = pipelineConfig();
    FeatureSinks sinks = deadLettersToKafka(conf);
    ViewSpec view = spec.views().get(0);
    List<FeatureUpdate> updates = withoutSentinel(runToEnd(spec, conf, sinks, pipeline));
    // Replaying the same input gives the same updates, byte for byte (written_at aside).
    conf.set(KafkaOptions.GROUP_ID, "replay");
    List<FeatureUpdate> replay = withoutSentinel(runToEnd(spec, conf, FeatureSinks.NONE, pipeline));
    assertThat(CanonicalUpdates.of(replay)).isEqualTo(CanonicalUpdates.of(updates));

    // Every update equals the naive recomputation from the raw events.
    SourceFields fields = SourceFields.of(spec);
    NaiveOracle oracle = new NaiveOracle(view, fields);
    Map<String, List<NaiveOracle.Event>> byCustomer = new HashMap<>();
    for (Payment p : payments) {
      List<Object> values = new ArrayList<>();
      for (String f : fields.names()) {
        Object v = p.get(f);
        values.add(v instanceof CharSequence c ? c.toString() : v);
      }
      byCustomer
          .computeIfAbsent(p.getCustomerId(), k -> new ArrayList<>())
          .add(new NaiveOracle.Event(p.getEventTime().toEpochMilli(), values));
    }
    assertThat(updates).isNotEmpty().noneMatch(FeatureUpdate::getCorrection);
    for (FeatureUpdate u : updates) {
      Object[] expected = oracle.vector(byCustomer.get(u.getEntity()), u.getValidFrom());
      for (int i = 0; i < expected.length; i++) {
        Object a = u.getValues().get(i);
        String what =
            view.features().get(i).name() + " of " + u.getEntity() + " at " + u.getValidFrom();
        OracleAsserts.assertSame(what, a, expected[i]);
      }
    }
    // One update per distinct event time of each customer (plus window exits).
    for (var e : byCustomer.entrySet()) {
      TreeSet<Long> times = new TreeSet<>();
      e.getValue().forEach(x -> times.add(x.ts()));
      List<Long> emitted =
          updates.stream()
              .filter(u -> u.getEntity().equals(e.getKey()))
              .map(FeatureUpdate::getValidFrom)
              .toList();
      assertThat(emitted)
          .as("valid_from of %s", e.getKey())
          .doesNotHaveDuplicates()
          .containsAll(times);
    }

    // Every malformed record is a dead letter with its reason and where it was.
    List<DeadLetter> dead = readAll(services, source.deadLetterTopic(), bad.size());
    assertThat(dead)
        .extracting(DeadLetter::getReasonCode)
        .containsExactlyInAnyOrderElementsOf(bad.keySet());
    for (DeadLetter d : dead) {
      long[] where = badOffsets.get(d.getReasonCode());
      assertThat(d.getTopic()).isEqualTo(topic);
      assertThat(d.getPartition()).isEqualTo((int) where[0]);
      assertThat(d.getOffset()).isEqualTo(where[1]);
      assertThat(d.getReason()).isNotBlank();
      byte[] original = bad.get(d.getReasonCode());
      byte[] kept = d.getValue() == null ? new byte[0] : toArray(d.getValue());
      assertThat(kept).as("raw bytes kept for %s", d.getReasonCode()).isEqualTo(original);
    }
  }

  /** Sinks that write only the dead letters, to the source's dead-letter topic. */
  static FeatureSinks deadLettersToKafka(Configuration conf) {
    return new FeatureSinks() {
      @Override
      public void updates(SourceSpec src, ViewSpec view, DataStream<FeatureUpdate> updates) {}

      @Override
      public void deadLetters(SourceSpec src, DataStream<DeadLetter> dead) {
        dead.sinkTo(KafkaConnector.deadLetterSink(src, conf)).uid("dead-letter-sink");
      }
    };
  }

  /** No Kryo, object reuse on, as in flink-conf/config.yaml. */
  static Configuration pipelineConfig() {
    Configuration pipeline = new Configuration();
    pipeline.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false);
    pipeline.set(org.apache.flink.configuration.PipelineOptions.OBJECT_REUSE, true);
    return pipeline;
  }

  /**
   * Runs the job over the topic to its end (a bounded source) and collects the first view's
   * updates. Watermarks are emitted with every event, not every 200 ms, so that each partition's
   * last watermark is out before its end whatever the timing: with a far-later event on every
   * partition, the run's final watermark is the same every time, and so is its output.
   */
  static List<FeatureUpdate> runToEnd(
      FeatureSpec spec, Configuration conf, FeatureSinks sinks, Configuration pipeline)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(pipeline);
    env.setParallelism(2);
    KafkaEventSource kafka = new KafkaEventSource(conf);
    EventSource source =
        (e, src, fields, watermarks) ->
            kafka.create(e, src, fields, PerEventWatermarks.of(watermarks));
    FeatureJob.Outputs out = new FeatureJob(spec, source, sinks).build(env);
    List<FeatureUpdate> updates = new ArrayList<>();
    try (CloseableIterator<FeatureUpdate> it =
        out.updates().get(spec.views().get(0).name()).executeAndCollect()) {
      it.forEachRemaining(u -> updates.add(FeatureUpdate.newBuilder(u).build()));
    }
    return updates;
  }

  static FeatureSpec onTopic(FeatureSpec parsed, String topic, Duration idleTimeout) {
    return parsed.withSource(parsed.source().withTopic(topic).withIdleTimeout(idleTimeout));
  }

  @Test
  void idlePartitionsDoNotStallTheWatermark(TestServices services) throws Exception {
    FeatureSpec spec =
        onTopic(
            SpecParser.parse(Path.of("../examples/payments/payments.yaml")),
            services.createTopic("idle", 3),
            Duration.ofMillis(500));
    Properties props = services.kafkaProperties();
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < 20; i++) { // all to partition 0; partitions 1 and 2 stay empty
        Payment p =
            new Payment(
                "p" + i,
                "c1",
                "m1",
                10.0,
                "EUR",
                "FR",
                java.time.Instant.ofEpochMilli(T0 + i * 60_000L));
        producer
            .send(new ProducerRecord<>(spec.source().topic(), 0, null, AvroBytes.encode(p)))
            .get();
      }
    }
    Configuration conf = new Configuration();
    conf.set(KafkaOptions.BOOTSTRAP_SERVERS, services.kafkaBootstrapServers());
    conf.set(KafkaOptions.STARTING_OFFSETS, "earliest");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(pipelineConfig());
    env.setParallelism(2); // 3 partitions on 2 readers: one reader also holds an idle partition
    FeatureJob.Outputs out =
        new FeatureJob(spec, new KafkaEventSource(conf), FeatureSinks.NONE).build(env);
    List<Long> counts = new ArrayList<>();
    // Unbounded: updates can only come out if the idle partitions stop holding the watermark.
    try (CloseableIterator<FeatureUpdate> it =
        out.updates().get("customer_risk").executeAndCollect()) {
      while (counts.size() < 10 && it.hasNext()) {
        counts.add((Long) it.next().getValues().get(3)); // txn_count_7d
      }
    }
    assertThat(counts).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }

  private static byte[] toArray(java.nio.ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  static List<DeadLetter> readAll(TestServices services, String topic, int expected)
      throws Exception {
    return readAll(services, topic, expected, DeadLetter.class);
  }

  /** The Avro records of partition 0 of a topic: the expected count, then any beyond it. */
  static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(
      TestServices services, String topic, int expected, Class<T> type) throws Exception {
    Properties props = services.kafkaProperties();
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      Deadline deadline = Deadline.in(Duration.ofSeconds(30));
      while (out.size() < expected && deadline.hasTimeLeft()) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          out.add(AvroBytes.decode(r.value(), type));
        }
      }
      // anything beyond the expected count would be a duplicate or a wrong dead letter
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
        out.add(AvroBytes.decode(r.value(), type));
      }
    }
    return out;
  }
}
