package io.freshet.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.FeatureUpdate;
import io.freshet.connectors.kafka.KafkaOptions;
import io.freshet.examples.payments.Payment;
import io.freshet.spec.ArchiveSpec;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.testing.AvroBytes;
import io.freshet.testing.CanonicalUpdates;
import io.freshet.testing.FlinkMiniClusterExtension;
import io.freshet.testing.Payments;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfill from an archive: the events before the handover instant in files (an Avro container file
 * written with a newer schema, then JSON lines), the topic holding every event. A job that reads
 * the archive and then the topic from the handover on gives the same updates, byte for byte
 * (written_at aside), as a job that reads the whole topic; the archive's bad lines are dead letters
 * that name the file and the line.
 */
@ExtendWith(RealServicesExtension.class)
class FeatureJobArchiveIT {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z

  @Test
  @Timeout(300)
  void archiveThenTopicEqualsTheTopicAlone(TestServices services, @TempDir Path archive)
      throws Exception {
    String topic = services.createTopic("archived-payments", 2);
    FeatureSpec spec =
        FeatureJobKafkaIT.onTopic(
            SpecParser.parse(Path.of("../examples/payments/payments.yaml")),
            topic,
            Duration.ofSeconds(30));
    services.createTopic(
        spec.source().deadLetterTopic().substring(services.topicPrefix().length()), 1);

    // 2,000 payments of 25 customers over about two days, out of order by up to 2 s.
    List<Payment> payments = Payments.random(11, 2000, T0, Payments.uniformCustomers(25));
    Properties props = services.kafkaProperties();
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (Payment p : payments) {
        producer.send(
            new ProducerRecord<>(topic, p.getCustomerId().getBytes(), AvroBytes.encode(p)));
      }
      FeatureJobKafkaIT.sendSentinels(producer, topic, 2, Payments.latest(payments));
    }

    // The archive: what came before the handover, in two files read in name order; the second
    // also holds a few events after the handover (the topic has them: they are skipped) and three
    // lines that are not events.
    long handover = payments.get(1_300).getEventTime().toEpochMilli();
    List<Payment> before =
        payments.stream().filter(p -> p.getEventTime().toEpochMilli() < handover).toList();
    writeAvroWithANewerSchema(archive.resolve("2026-01-01.avro"), before.subList(0, 700));
    List<String> lines = new ArrayList<>();
    for (Payment p : before.subList(700, before.size())) {
      lines.add(json(p));
    }
    lines.add(3, "{\"payment_id\": \"broken\", ");
    lines.add(
        9,
        "{\"customer_id\": \"c1\", \"merchant_id\": \"m1\", \"amount\": \"twelve\", \"event_time\": "
            + T0
            + "}");
    lines.add(
        14,
        "{\"customer_id\": \"\", \"merchant_id\": \"m1\", \"currency\": \"EUR\","
            + " \"event_time\": "
            + T0
            + "}");
    for (Payment p : payments.subList(1_400, 1_410)) {
      lines.add(json(p));
    }
    Files.write(archive.resolve("2026-01-02.jsonl"), lines, StandardCharsets.UTF_8);

    Configuration conf = new Configuration();
    conf.set(KafkaOptions.BOOTSTRAP_SERVERS, services.kafkaBootstrapServers());
    conf.set(KafkaOptions.STARTING_OFFSETS, "earliest");
    conf.set(KafkaOptions.BOUNDED, true);
    Configuration pipeline = FeatureJobKafkaIT.pipelineConfig();

    conf.set(KafkaOptions.GROUP_ID, "topic-alone");
    List<FeatureUpdate> alone = FeatureJobKafkaIT.runToEnd(spec, conf, FeatureSinks.NONE, pipeline);

    FeatureSpec withArchive =
        spec.withSource(
            spec.source()
                .withArchive(
                    new ArchiveSpec(
                        List.of(archive.toUri().toString()),
                        Instant.ofEpochMilli(handover),
                        null)));
    conf.set(KafkaOptions.GROUP_ID, "archive-then-topic");
    FeatureSinks deadLetters = FeatureJobKafkaIT.deadLettersToKafka(conf);
    List<FeatureUpdate> archived =
        FeatureJobKafkaIT.runToEnd(withArchive, conf, deadLetters, pipeline);

    assertThat(alone).hasSizeGreaterThan(1_000);
    assertThat(CanonicalUpdates.of(archived))
        .as("archive then topic, against the topic alone")
        .isEqualTo(CanonicalUpdates.of(alone));

    SpecificDatumReader<DeadLetter> reader = new SpecificDatumReader<>(DeadLetter.class);
    List<String> dead = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (var r : services.readTopic(spec.source().deadLetterTopic())) {
      DeadLetter d = reader.read(null, DecoderFactory.get().binaryDecoder(r.value(), null));
      assertThat(d.getTopic().toString()).endsWith("2026-01-02.jsonl");
      dead.add(d.getReasonCode() + " line " + d.getOffset());
      reasons.add(d.getReason().toString());
    }
    assertThat(dead)
        .as("the archive's bad lines, by reason and line number")
        .containsExactly("NOT_JSON line 4", "SCHEMA_MISMATCH line 10", "NULL_KEY line 15");
    assertThat(reasons.get(1))
        .isEqualTo("line 10, field 'amount': expected a number, found \"twelve\"");
  }

  /** The payments in an Avro container file whose schema has one more field, with a default. */
  private static void writeAvroWithANewerSchema(Path file, List<Payment> payments)
      throws IOException {
    Schema current = Payment.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(2, new Schema.Field("channel", Schema.create(Schema.Type.STRING), null, "web"));
    Schema newer =
        Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
    try (DataFileWriter<GenericRecord> out =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(newer, new GenericData()))) {
      out.create(newer, file.toFile());
      for (Payment p : payments) {
        GenericRecord r = new GenericData.Record(newer);
        for (Schema.Field f : current.getFields()) {
          Object v = p.get(f.name());
          r.put(f.name(), v instanceof Instant i ? i.toEpochMilli() : v);
        }
        r.put("channel", "app");
        out.append(r);
      }
    }
  }

  /** A payment as one JSON line, its event time as an ISO-8601 instant. */
  private static String json(Payment p) {
    StringBuilder sb = new StringBuilder("{");
    sb.append("\"payment_id\": \"").append(p.getPaymentId()).append("\", ");
    sb.append("\"customer_id\": \"").append(p.getCustomerId()).append("\", ");
    sb.append("\"merchant_id\": \"").append(p.getMerchantId()).append("\", ");
    sb.append("\"amount\": ").append(p.getAmount()).append(", ");
    sb.append("\"currency\": \"").append(p.getCurrency()).append("\", ");
    sb.append("\"country\": ")
        .append(p.getCountry() == null ? "null" : "\"" + p.getCountry() + "\"")
        .append(", ");
    sb.append("\"event_time\": \"").append(p.getEventTime()).append("\"}");
    return sb.toString();
  }
}
