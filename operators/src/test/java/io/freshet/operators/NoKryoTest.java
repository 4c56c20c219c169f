package io.freshet.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.EventRow;
import io.freshet.avro.FeatureUpdate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.api.Test;

/**
 * Freshet's records serialize without Kryo: with generic types disabled ({@code
 * pipeline.generic-types: false}, as the job runs), their type information yields Avro serializers,
 * and every feature value type survives the trip.
 */
class NoKryoTest {

  private static SerializerConfig noGenericTypes() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    SerializerConfig config = new SerializerConfigImpl(conf);
    assertThat(config.hasGenericTypesDisabled()).isTrue();
    return config;
  }

  @Test
  void genericTypesReallyAreDisabled() {
    // A class Flink can only handle with Kryo fails under this config, so the checks below bite.
    TypeInformation<Object> generic = TypeInformation.of(Object.class);
    assertThatThrownBy(() -> generic.createSerializer(noGenericTypes()))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("java.lang.Object");

    SerializerConfigImpl direct = new SerializerConfigImpl();
    direct.setGenericTypes(false);
    assertThat(direct.hasGenericTypesDisabled()).isTrue();
  }

  @Test
  void recordsGetAvroSerializers() {
    SerializerConfig config = noGenericTypes();
    for (Class<?> c : List.of(EventRow.class, FeatureUpdate.class, DeadLetter.class)) {
      TypeInformation<?> info = TypeInformation.of(c);
      assertThat(info).as(c.getSimpleName()).isInstanceOf(AvroTypeInfo.class);
      assertThat(info).isNotInstanceOf(GenericTypeInfo.class);
      TypeSerializer<?> serializer = info.createSerializer(config);
      assertThat(serializer).as(c.getSimpleName()).isInstanceOf(AvroSerializer.class);
    }
  }

  /** Every value type a feature can take, null included. */
  private static List<Object> everyValue() {
    return new ArrayList<>(
        Arrays.asList(
            null,
            0L,
            Long.MIN_VALUE,
            Long.MAX_VALUE,
            2.5,
            -0.0,
            Double.MAX_VALUE,
            "",
            "naïve ✓ 日本",
            true,
            false));
  }

  @Test
  void featureUpdateWithEveryValueTypeRoundTrips() throws IOException {
    FeatureUpdate u =
        FeatureUpdate.newBuilder()
            .setEntity("customer-1")
            .setView("customer_spend")
            .setValidFrom(1_767_225_600_000L)
            .setLastEventTime(1_767_225_599_999L)
            .setValues(everyValue())
            .setSpecVersion("a1b2c3d4e5f6")
            .setCorrection(true)
            .build();
    FeatureUpdate back = roundTrip(FeatureUpdate.class, u);
    assertThat(back).isEqualTo(u);
    assertSameTypes(back.getValues(), u.getValues());
  }

  @Test
  void eventRowAndDeadLetterRoundTrip() throws IOException {
    EventRow e = new EventRow("customer-1", 1_767_225_600_000L, everyValue());
    EventRow eventBack = roundTrip(EventRow.class, e);
    assertThat(eventBack).isEqualTo(e);
    assertSameTypes(eventBack.getValues(), e.getValues());

    for (ByteBuffer key : Arrays.asList(null, ByteBuffer.wrap(new byte[] {1, 2, 3}))) {
      DeadLetter d =
          DeadLetter.newBuilder()
              .setSource("payments")
              .setTopic("payments")
              .setPartition(3)
              .setOffset(42L)
              .setKafkaTimestamp(1_767_225_600_000L)
              .setKey(key)
              .setValue(ByteBuffer.wrap(new byte[] {0, (byte) 0xff}))
              .setReasonCode("NOT_AVRO")
              .setReason("not an Avro record of schema payment.avsc")
              .setDetectedAt(1_767_225_600_123L)
              .build();
      assertThat(roundTrip(DeadLetter.class, d)).isEqualTo(d);
    }
  }

  private static <T> T roundTrip(Class<T> type, T record) throws IOException {
    TypeSerializer<T> serializer = TypeInformation.of(type).createSerializer(noGenericTypes());
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(record, out);
    T back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(serializer.copy(record)).isEqualTo(record).isNotSameAs(record);
    return back;
  }

  /**
   * Strings come back as java.lang.String (not Avro's Utf8), which the engine's value order needs.
   */
  private static void assertSameTypes(List<Object> actual, List<Object> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i) != null) {
        assertThat(actual.get(i)).as("value %d", i).isExactlyInstanceOf(expected.get(i).getClass());
      }
    }
  }
}
