package io.freshet.state.flink;

import io.freshet.state.StateCodec;
import io.freshet.state.ViewState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link ViewState}, delegating to the versioned {@link StateCodec} (no Kryo).
 * Copies are deep, as the heap backend's copy-on-write snapshots require.
 */
public final class ViewStateSerializer extends TypeSerializer<ViewState> {
  private static final long serialVersionUID = 1L;

  public static final ViewStateSerializer INSTANCE = new ViewStateSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<ViewState> duplicate() {
    return this;
  }

  @Override
  public ViewState createInstance() {
    return new ViewState(new Object[0]);
  }

  @Override
  public ViewState copy(ViewState from) {
    return from.copy();
  }

  @Override
  public ViewState copy(ViewState from, ViewState reuse) {
    return from.copy();
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(ViewState record, DataOutputView target) throws IOException {
    StateCodec.write(target, record);
  }

  @Override
  public ViewState deserialize(DataInputView source) throws IOException {
    return StateCodec.read(source);
  }

  @Override
  public ViewState deserialize(ViewState reuse, DataInputView source) throws IOException {
    return StateCodec.read(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    StateCodec.write(target, StateCodec.read(source));
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof ViewStateSerializer;
  }

  @Override
  public int hashCode() {
    return ViewStateSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<ViewState> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Serializer snapshot; the codec's own version byte handles format evolution. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<ViewState> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
