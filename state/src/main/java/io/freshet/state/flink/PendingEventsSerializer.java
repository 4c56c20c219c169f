package io.freshet.state.flink;

import io.freshet.state.PendingEvents;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Flink serializer of {@link PendingEvents}, delegating to its versioned format (no Kryo). */
public final class PendingEventsSerializer extends CodecSerializer<PendingEvents> {
  private static final long serialVersionUID = 1L;

  public static final PendingEventsSerializer INSTANCE = new PendingEventsSerializer();

  @Override
  public PendingEvents createInstance() {
    return new PendingEvents();
  }

  @Override
  public PendingEvents copy(PendingEvents from) {
    return from.copy();
  }

  @Override
  public void serialize(PendingEvents record, DataOutputView target) throws IOException {
    PendingEvents.write(target, record);
  }

  @Override
  public PendingEvents deserialize(DataInputView source) throws IOException {
    return PendingEvents.read(source);
  }

  @Override
  public TypeSerializerSnapshot<PendingEvents> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Serializer snapshot; the format's own version byte handles evolution. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<PendingEvents> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
