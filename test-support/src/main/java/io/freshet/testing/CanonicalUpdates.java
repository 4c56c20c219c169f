package io.freshet.testing;

import io.freshet.avro.FeatureUpdate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Feature updates in a form two runs of a job can be compared in: every field of each update as its
 * Avro bytes (hex), {@code written_at} zeroed (it is processing time), the list sorted (runs
 * interleave entities and partitions differently). Two runs emitted the same updates exactly when
 * these lists are equal.
 */
public final class CanonicalUpdates {
  private CanonicalUpdates() {}

  /** The updates as sorted hex Avro bytes, written_at zeroed. */
  public static List<String> of(List<FeatureUpdate> updates) {
    List<String> out = new ArrayList<>();
    for (FeatureUpdate u : updates) {
      FeatureUpdate c = FeatureUpdate.newBuilder(u).setWrittenAt(0L).build();
      out.add(HexFormat.of().formatHex(AvroBytes.encode(c)));
    }
    Collections.sort(out);
    return out;
  }
}
