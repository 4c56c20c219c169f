package io.freshet.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.avro.Decoded;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Framed values: Avro's single-object encoding (made by Avro's own {@link BinaryMessageEncoder})
 * and the Confluent wire format, each read with its writer schema resolved against the spec's: a
 * producer that added an optional field keeps working, an incompatible or unknown writer schema is
 * a SCHEMA_MISMATCH dead letter, a value without the frame is NOT_AVRO.
 */
class WireFormatTest {
  private static final FeatureSpec SPEC =
      SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
  private static final List<String> FIELDS = List.of("amount", "merchant_id", "country");
  private static final long T = 1_767_225_600_000L;
  private static final Schema SPEC_SCHEMA = SPEC.source().schema();

  /** The payment schema plus an optional field a newer producer sends. */
  private static final Schema ADDED_OPTIONAL =
      withField(
          "{\"name\": \"channel\", \"type\": [\"null\", \"string\"], \"default\": null}", null);

  /** The payment schema with amount a string: Avro cannot read it as the spec's double. */
  private static final Schema AMOUNT_AS_STRING =
      withField(null, "{\"name\": \"amount\", \"type\": \"string\"}");

  @TempDir Path schemas;

  private static Schema withField(String added, String amountReplacement) {
    String json = SPEC_SCHEMA.toString();
    if (added != null) {
      json = json.replace("]}", "," + added + "]}");
    }
    if (amountReplacement != null) {
      json =
          json.replace(
              "{\"name\":\"amount\",\"type\":[\"null\",\"double\"],\"default\":null}",
              amountReplacement);
    }
    Schema s = new Schema.Parser().parse(json);
    assertThat(s).isNotEqualTo(SPEC_SCHEMA);
    return s;
  }

  private static GenericRecord payment(Schema schema, String customer) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("payment_id", "p1");
    r.put("customer_id", customer);
    r.put("merchant_id", "m1");
    r.put(
        "amount",
        schema.getField("amount").schema().getType() == Schema.Type.STRING ? "12.5" : 12.5);
    r.put("currency", "EUR");
    r.put("country", "FR");
    r.put("event_time", T);
    if (schema.getField("channel") != null) {
      r.put("channel", "web");
    }
    return r;
  }

  private static byte[] singleObject(Schema schema, String customer) throws Exception {
    ByteBuffer b =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
            .encode(payment(schema, customer));
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] confluent(Schema schema, int id, String customer) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(payment(schema, customer), enc);
    enc.flush();
    return out.toByteArray();
  }

  private void save(Schema schema, String name) throws Exception {
    Files.writeString(schemas.resolve(name), schema.toString(true));
  }

  private EventDecoder decoder(EventDecoder.Wire.Format format, String registry) {
    return new EventDecoder(
        SPEC.source(),
        FIELDS,
        EventDecoder.Limits.DEFAULTS,
        new EventDecoder.Wire(format, schemas.toString(), registry));
  }

  private static Decoded decode(EventDecoder d, byte[] value) {
    return d.decode(null, value, "payments", 0, 7L, T);
  }

  @Test
  void singleObjectValuesAreReadWithTheirWriterSchema() throws Exception {
    save(ADDED_OPTIONAL, "payment-v2.avsc");
    save(AMOUNT_AS_STRING, "payment-broken.avsc");
    EventDecoder d = decoder(EventDecoder.Wire.Format.SINGLE_OBJECT, null);

    Decoded same = decode(d, singleObject(SPEC_SCHEMA, "c1"));
    assertThat(same.getDeadLetter()).isNull();
    assertThat(same.getEvent().getValues()).containsExactly(12.5, "m1", "FR");

    Decoded evolved = decode(d, singleObject(ADDED_OPTIONAL, "c2"));
    assertThat(evolved.getDeadLetter()).as("a writer with an added optional field").isNull();
    assertThat(evolved.getEvent().getEntity()).isEqualTo("c2");
    assertThat(evolved.getEvent().getValues()).containsExactly(12.5, "m1", "FR");

    Decoded broken = decode(d, singleObject(AMOUNT_AS_STRING, "c3"));
    assertThat(broken.getEvent()).isNull();
    assertThat(broken.getDeadLetter().getReasonCode()).isEqualTo("SCHEMA_MISMATCH");
    assertThat(broken.getDeadLetter().getReason()).contains("amount").contains("cannot be read");

    Schema unknown =
        withField("{\"name\": \"x\", \"type\": [\"null\", \"long\"], \"default\": null}", null);
    Decoded notFound = decode(d, singleObject(unknown, "c4"));
    assertThat(notFound.getDeadLetter().getReasonCode()).isEqualTo("SCHEMA_MISMATCH");
    assertThat(notFound.getDeadLetter().getReason()).contains("unknown writer schema");

    // plain Avro binary is not single-object encoded
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(plain, null);
    new GenericDatumWriter<GenericRecord>(SPEC_SCHEMA).write(payment(SPEC_SCHEMA, "c5"), enc);
    enc.flush();
    assertThat(decode(d, plain.toByteArray()).getDeadLetter().getReasonCode())
        .isEqualTo("NOT_AVRO");
  }

  @Test
  void confluentValuesAreReadWithTheSchemaOfTheirId() throws Exception {
    save(SPEC_SCHEMA, "1.avsc");
    save(ADDED_OPTIONAL, "2.avsc");
    save(AMOUNT_AS_STRING, "3.avsc");
    EventDecoder d = decoder(EventDecoder.Wire.Format.CONFLUENT, null);

    assertThat(decode(d, confluent(SPEC_SCHEMA, 1, "c1")).getEvent().getValues())
        .containsExactly(12.5, "m1", "FR");
    Decoded evolved = decode(d, confluent(ADDED_OPTIONAL, 2, "c2"));
    assertThat(evolved.getDeadLetter()).isNull();
    assertThat(evolved.getEvent().getEntity()).isEqualTo("c2");
    Decoded broken = decode(d, confluent(AMOUNT_AS_STRING, 3, "c3"));
    assertThat(broken.getDeadLetter().getReasonCode()).isEqualTo("SCHEMA_MISMATCH");
    Decoded unknownId = decode(d, confluent(SPEC_SCHEMA, 99, "c4"));
    assertThat(unknownId.getDeadLetter().getReasonCode()).isEqualTo("SCHEMA_MISMATCH");
    assertThat(unknownId.getDeadLetter().getReason())
        .contains("99")
        .contains("freshet.kafka.schema-registry.url");
    assertThat(decode(d, new byte[] {1, 0, 0, 0, 1, 2}).getDeadLetter().getReasonCode())
        .isEqualTo("NOT_AVRO");
  }

  @Test
  void aRegistryThatDoesNotAnswerFailsTheReadInsteadOfDeadLetteringIt() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    EventDecoder d =
        decoder(EventDecoder.Wire.Format.CONFLUENT, "http://127.0.0.1:" + closedPort + "/");
    byte[] value = confluent(SPEC_SCHEMA, 5, "c1");
    assertThatThrownBy(() -> decode(d, value))
        .isInstanceOf(WriterSchemas.RegistryUnavailableException.class)
        .hasMessageContaining("/schemas/ids/5");
  }

  @Test
  void theFormatSettingIsCheckedAndNamed() {
    org.apache.flink.configuration.Configuration conf =
        new org.apache.flink.configuration.Configuration();
    assertThat(KafkaOptions.wire(conf)).isEqualTo(EventDecoder.Wire.PLAIN);
    conf.setString("freshet.kafka.value-format", "Single-Object");
    assertThat(KafkaOptions.wire(conf).format()).isEqualTo(EventDecoder.Wire.Format.SINGLE_OBJECT);
    conf.setString("freshet.kafka.value-format", "protobuf");
    assertThatThrownBy(() -> KafkaOptions.wire(conf))
        .hasMessageContaining("freshet.kafka.value-format")
        .hasMessageContaining("single-object");
  }
}
