package io.freshet.state.flink;

import static io.freshet.state.ViewStates.T0;
import static io.freshet.state.ViewStates.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.state.TiledFeature;
import io.freshet.state.ViewState;
import io.freshet.state.ViewStates;
import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.PartialsForTests;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** {@link ViewStateSerializer} through Flink's own memory views and snapshot machinery. */
class ViewStateSerializerTest {
  private static final ViewStateSerializer SERIALIZER = new ViewStateSerializer(null);

  @Test
  void roundTripsThroughFlinkMemoryViews() throws IOException {
    ViewState original = ViewStates.rich();
    DataOutputSerializer out = new DataOutputSerializer(64);
    SERIALIZER.serialize(original, out);
    SERIALIZER.serialize(new ViewState(new Object[0]), out); // a second record right after
    byte[] written = out.getCopyOfBuffer();
    assertThat(written).startsWith(bytes(original));

    DataInputDeserializer in = new DataInputDeserializer(written);
    ViewState restored = SERIALIZER.deserialize(in);
    ViewState second = SERIALIZER.deserialize(SERIALIZER.createInstance(), in);
    assertThat(in.available()).isZero();

    ViewStates.assertSameState(restored, original, "restored");
    assertThat(restored.lastValues).containsExactly(ViewStates.LAST_VALUES);
    assertThat(second.features).isEmpty();
  }

  @Test
  void copiesBetweenViewsWithoutChangingBytes() throws IOException {
    ViewState original = ViewStates.rich();
    DataOutputSerializer out = new DataOutputSerializer(64);
    SERIALIZER.serialize(original, out);
    DataOutputSerializer copied = new DataOutputSerializer(64);
    SERIALIZER.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
    ViewStates.assertSameState(
        SERIALIZER.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())),
        original,
        "copied");
  }

  @Test
  void copyIsDeepBothWays() {
    for (boolean mutateCopy : new boolean[] {true, false}) {
      ViewState original = ViewStates.rich();
      ViewState copy = SERIALIZER.copy(original);
      ViewState reuseCopy = SERIALIZER.copy(original, SERIALIZER.createInstance());
      byte[] before = bytes(original);
      PartialsForTests.assertSameBytes(bytes(copy), before, "bytes");
      PartialsForTests.assertSameBytes(bytes(reuseCopy), before, "bytes");

      mutate(mutateCopy ? copy : original);
      mutate(mutateCopy ? reuseCopy : original);

      ViewState untouched = mutateCopy ? original : copy;
      PartialsForTests.assertSameBytes(
          bytes(untouched),
          before,
          mutateCopy ? "original after mutating the copy" : "copy after mutating the original");
      if (mutateCopy) {
        assertThat(bytes(copy)).isNotEqualTo(before);
      }
    }
  }

  /** Changes every part of a state: tiles, tile partials, lifetime partials, vector, timers. */
  private static void mutate(ViewState s) {
    for (int i = 0; i < s.features.length; i++) {
      if (s.features[i] instanceof TiledFeature t) {
        PartialKind kind = ViewStates.TILED[i];
        Object v = PartialsForTests.values(kind).apply(new java.util.Random(i));
        t.add(v, T0 + 5 * 60_000L, PartialsForTests.emptyOf(kind)); // an existing tile
        t.add(v, T0 + 45 * 60_000L, PartialsForTests.emptyOf(kind)); // a new tile
        t.prune(T0 + 61 * 60_000L); // drops the first tile
      } else {
        Partial p = (Partial) s.features[i];
        p.add(PartialsForTests.values(p.kind()).apply(new java.util.Random(i)), T0 + 99);
      }
    }
    s.lastValues[1] = -1L;
    s.lastEventTime++;
    s.lastValidFrom++;
    s.lastRevision++;
    s.evaluatedAt++;
  }

  @Test
  void snapshotRestoresACompatibleSerializer() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());

    TypeSerializerSnapshot<ViewState> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(restored).isInstanceOf(ViewStateSerializer.Snapshot.class);
    TypeSerializer<ViewState> restoredSerializer = restored.restoreSerializer();
    assertThat(restoredSerializer).isInstanceOf(ViewStateSerializer.class).isEqualTo(SERIALIZER);
    TypeSerializerSchemaCompatibility<ViewState> compatibility =
        SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(restored);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();

    // The restored serializer reads what the current one wrote.
    DataOutputSerializer data = new DataOutputSerializer(64);
    SERIALIZER.serialize(ViewStates.rich(), data);
    ViewState back =
        restoredSerializer.deserialize(new DataInputDeserializer(data.getCopyOfBuffer()));
    ViewStates.assertSameState(back, ViewStates.rich(), "read by the restored serializer");
  }

  @Test
  void serializerIsAnImmutableJavaSerializableValue() throws Exception {
    assertThat(SERIALIZER.duplicate()).isSameAs(SERIALIZER);
    assertThat(SERIALIZER.isImmutableType()).isFalse();
    assertThat(SERIALIZER.getLength()).isEqualTo(-1);
    assertThat(SERIALIZER.createInstance().features).isEmpty();
    ViewStateSerializer cloned = InstantiationUtil.clone(SERIALIZER);
    assertThat(cloned).isEqualTo(SERIALIZER).hasSameHashCodeAs(SERIALIZER);
  }
}
