package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.examples.payments.Payment;
import io.freshet.services.LocalServices;
import io.freshet.services.Service;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Producers on the Confluent wire format with a real schema registry ({@code services start
 * --schema-registry}: Apicurio Registry's Confluent API): payments written with the spec's schema
 * and with a newer one that adds an optional field are all read (Avro's resolution against the
 * spec's schema) and equal the naive oracle; records of an incompatible schema, and of an id the
 * registry does not know, go to the dead letters as SCHEMA_MISMATCH, each counted, and the job
 * never restarts.
 */
@RealServices
class SchemaRegistryIT {
  private static final String NAMESPACE = "registry_it";
  private static final int INCOMPATIBLE = 150;
  private static final int UNKNOWN_ID = 50;

  @Test
  @Timeout(600)
  void confluentFramedRecordsAreReadWithTheirRegisteredSchemas(TestServices services)
      throws Exception {
    LocalServices local = services.localServices();
    boolean wasRunning = local.status(Service.SCHEMA_REGISTRY).isUp();
    local.start(EnumSet.of(Service.SCHEMA_REGISTRY));
    try {
      String registry = LocalServices.schemaRegistryUrl(local.status(Service.SCHEMA_REGISTRY));
      Path dir = Path.of("target", "registry-it-" + UUID.randomUUID()).toAbsolutePath();
      Files.createDirectories(dir);
      String topic = services.createTopic("registry-payments", 2);
      services.createTopic("registry-payments.dead-letters", 1);
      Path specFile = ExampleSpec.onTopic(dir, topic, "customer_risk", "registry_risk");
      FeatureSpec spec = SpecParser.parse(specFile);

      Schema v1 = spec.source().schema();
      Schema v2 =
          new Schema.Parser()
              .parse(
                  v1.toString()
                      .replace(
                          "]}",
                          ",{\"name\":\"channel\",\"type\":[\"null\",\"string\"],"
                              + "\"default\":null}]}"));
      Schema broken =
          new Schema.Parser()
              .parse(
                  v1.toString()
                      .replace(
                          "{\"name\":\"amount\",\"type\":[\"null\",\"double\"],\"default\":null}",
                          "{\"name\":\"amount\",\"type\":\"string\"}"));
      assertThat(broken).isNotEqualTo(v1);
      int id1 = register(registry, topic + "-value", v1);
      int id2 = register(registry, topic + "-value", v2);
      int idBroken = register(registry, "another-" + UUID.randomUUID() + "-value", broken);
      assertThat(List.of(id1, id2, idBroken)).doesNotHaveDuplicates();

      List<PaymentsGenerator.Event> valid = new ArrayList<>();
      for (PaymentsGenerator.Event e : EndToEndChecks.dayWithoutLateEvents(59)) {
        if (e.valid()) {
          valid.add(e);
        }
      }
      Properties p = new Properties();
      p.put("bootstrap.servers", services.kafkaBootstrapServers());
      p.put("key.serializer", ByteArraySerializer.class.getName());
      p.put("value.serializer", ByteArraySerializer.class.getName());
      int sent = 0;
      try (KafkaProducer<byte[], byte[]> out = new KafkaProducer<>(p)) {
        for (int i = 0; i < valid.size(); i++) {
          Payment pay = valid.get(i).payment();
          byte[] value =
              i % 2 == 0 ? framed(id1, v1, record(v1, pay)) : framed(id2, v2, record(v2, pay));
          out.send(new ProducerRecord<>(topic, key(pay), value));
          sent++;
          if (i < INCOMPATIBLE) {
            GenericRecord bad = record(broken, pay);
            bad.put("amount", "12.50 EUR");
            out.send(new ProducerRecord<>(topic, key(pay), framed(idBroken, broken, bad)));
            sent++;
          }
          if (i < UNKNOWN_ID) {
            out.send(new ProducerRecord<>(topic, key(pay), framed(987_654, v1, record(v1, pay))));
            sent++;
          }
        }
      }

      Map<String, String> sets = EndToEndChecks.jobSettings(services, dir, NAMESPACE);
      sets.put("freshet.kafka.group-id", "registry-" + UUID.randomUUID());
      sets.put("freshet.kafka.value-format", "confluent");
      sets.put("freshet.kafka.schema-registry.url", registry);
      FeatureJobRunner.Result r = EndToEndChecks.runToEnd(services, spec, sets);
      assertThat(r.counts().events()).as("records read").isEqualTo(sent);
      assertThat(r.counts().deadLetters()).isEqualTo(INCOMPATIBLE + UNKNOWN_ID);

      Map<String, Integer> reasons = new TreeMap<>();
      for (DeadLettersCommand.Letter l :
          DeadLettersCommand.read(
              services.kafkaBootstrapServers(), new Properties(), topic + ".dead-letters")) {
        reasons.merge(l.letter().getReasonCode().toString(), 1, Integer::sum);
        assertThat(l.letter().getReason().toString())
            .satisfiesAnyOf(
                reason -> assertThat(reason).contains("field 'amount'"),
                reason -> assertThat(reason).contains("987654"));
      }
      assertThat(reasons).isEqualTo(Map.of("SCHEMA_MISMATCH", INCOMPATIBLE + UNKNOWN_ID));

      EndToEndChecks.servingEqualsHistoryEqualsOracle(
          spec, valid, services, EndToEndChecks.catalog(dir), NAMESPACE);
    } finally {
      if (!wasRunning) {
        local.stop(EnumSet.of(Service.SCHEMA_REGISTRY));
      }
    }
  }

  private static byte[] key(Payment p) {
    return p.getCustomerId().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The payment as a record of {@code schema} (fields it lacks null; times as epoch millis). */
  private static GenericRecord record(Schema schema, Payment p) {
    GenericRecord r = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      if (p.getSchema().getField(f.name()) == null) {
        continue;
      }
      Object v = p.get(f.name());
      r.put(f.name(), v instanceof Instant t ? t.toEpochMilli() : v);
    }
    if (schema.getField("channel") != null) {
      r.put("channel", "app");
    }
    return r;
  }

  /** The Confluent wire format: 00, the schema id (4 bytes), the Avro body. */
  private static byte[] framed(int id, Schema schema, GenericRecord r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }

  /** Registers {@code schema} under {@code subject} through the Confluent API; returns its id. */
  private static int register(String registry, String subject, Schema schema) throws Exception {
    ObjectMapper json = new ObjectMapper();
    String body = json.writeValueAsString(Map.of("schema", schema.toString()));
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(registry + "/subjects/" + subject + "/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("register %s: %s", subject, response.body())
        .isEqualTo(200);
    return json.readTree(response.body()).path("id").asInt();
  }
}
