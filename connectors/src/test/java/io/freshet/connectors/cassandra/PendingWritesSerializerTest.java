package io.freshet.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.avro.FeatureUpdate;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
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

  @Test
  void anUnknownVersionSaysWhatToDo() {
    assertThatThrownBy(() -> serializer.deserialize(2, new byte[0]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("version 2")
        .hasMessageContaining("restore with the Freshet version that took the checkpoint");
  }
}
