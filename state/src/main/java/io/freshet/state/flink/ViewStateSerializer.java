package io.freshet.state.flink;

import io.freshet.state.StateCodec;
import io.freshet.state.ViewState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link ViewState}, delegating to the versioned {@link StateCodec} (no Kryo).
 * Copies are deep, as the heap backend's copy-on-write snapshots require.
 */
public final class ViewStateSerializer extends CodecSerializer<ViewState> {
  private static final long serialVersionUID = 1L;

  public static final ViewStateSerializer INSTANCE = new ViewStateSerializer();

  @Override
  public ViewState createInstance() {
    return new ViewState(new Object[0]);
  }

  @Override
  public ViewState copy(ViewState from) {
    return from.copy();
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
