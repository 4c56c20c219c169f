package io.freshet.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.avro.FeatureUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class PendingWritesSerializerTest {
  private final PendingWritesSerializer serializer = new PendingWritesSerializer();

  @Test
  void anUpdateWithNullsAndWarmingFeaturesRoundTrips() throws IOException {
    FeatureUpdate u =
        new FeatureUpdate(
            "customer \u00e9 42",
            "risk",
            1_000L,
            900L,
            Arrays.asList(3L, null, 2.5, "FR", true),
            "risk-v2",
            true,
            4,
            1_100L,
            List.of("amount_avg_30d"));
    FeatureUpdate back = serializer.deserialize(serializer.getVersion(), serializer.serialize(u));
    assertThat(back).isEqualTo(u);
    assertThat(back.getValues()).containsExactly(3L, null, 2.5, "FR", true);
  }

  /**
   * Version 1 (plain Avro binary, written by the first builds of the non-draining sink) is still
   * read: its checkpoints restore.
   */
  @Test
  void aVersionOneWriteIsStillRead() throws IOException {
    FeatureUpdate u =
        new FeatureUpdate(
            "c-1",
            "risk",
            2_000L,
            1_900L,
            Arrays.asList(1L, null),
            "risk-v1",
            false,
            0,
            2_100L,
            List.of());
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(plain, null);
    new SpecificDatumWriter<>(FeatureUpdate.class).write(u, encoder);
    encoder.flush();
    assertThat(serializer.deserialize(1, plain.toByteArray())).isEqualTo(u);
    assertThat(serializer.getVersion()).isEqualTo(2);
  }

  @Test
  void anUnknownVersionSaysWhatToDo() {
    assertThatThrownBy(() -> serializer.deserialize(3, new byte[0]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("version 3")
        .hasMessageContaining("restore with the Freshet version that took the checkpoint");
  }
}
