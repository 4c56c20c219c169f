package io.freshet.state.flink;

import io.freshet.state.StateCodec;
import io.freshet.state.ViewLayout;
import io.freshet.state.ViewState;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link ViewState} in one view's {@link ViewLayout}, delegating to the
 * versioned {@link StateCodec} (no Kryo). Copies are deep, as the heap backend's copy-on-write
 * snapshots require.
 *
 * <p>Its snapshot records the layout (feature names and definitions), so that a restore under a
 * changed spec matches the saved state to it by name: the same layout restores as is; added,
 * removed or reordered features make Flink migrate the state (RocksDB rewrites every entry through
 * {@link ViewLayout#adopt}; heap state is adopted as the operator reads it and as it is written); a
 * changed definition under the same name fails the restore with a message that says what to do. A
 * state written before layouts were recorded (format 3, whose snapshot has none) is matched by
 * position.
 */
public final class ViewStateSerializer extends CodecSerializer<ViewState> {
  private static final long serialVersionUID = 1L;

  /** The layout the serializer writes (null: reads format-3 state of an unknown layout). */
  private final ViewLayout layout;

  public ViewStateSerializer(ViewLayout layout) {
    this.layout = layout;
  }

  public ViewLayout layout() {
    return layout;
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
  public void serialize(ViewState record, DataOutputView target) throws IOException {
    StateCodec.write(target, layout == null ? record : layout.adopt(record));
  }

  @Override
  public ViewState deserialize(DataInputView source) throws IOException {
    return StateCodec.read(source, layout);
  }

  @Override
  public TypeSerializerSnapshot<ViewState> snapshotConfiguration() {
    return new Snapshot(layout);
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof ViewStateSerializer s && Objects.equals(s.layout, layout);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(layout);
  }

  /**
   * Serializer snapshot: the layout. Version 3 was Flink's simple snapshot of an earlier build,
   * with no layout (its states are format 3).
   */
  public static final class Snapshot implements TypeSerializerSnapshot<ViewState> {
    private static final int VERSION = 4;

    private ViewLayout layout;

    public Snapshot() {}

    Snapshot(ViewLayout layout) {
      this.layout = layout;
    }

    @Override
    public int getCurrentVersion() {
      return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      out.writeBoolean(layout != null);
      if (layout != null) {
        layout.write(out);
      }
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
        throws IOException {
      if (readVersion < VERSION) {
        layout = null; // an earlier build's simple snapshot wrote nothing
        return;
      }
      layout = in.readBoolean() ? ViewLayout.read(in) : null;
    }

    @Override
    public TypeSerializer<ViewState> restoreSerializer() {
      return new ViewStateSerializer(layout);
    }

    @Override
    public TypeSerializerSchemaCompatibility<ViewState> resolveSchemaCompatibility(
        TypeSerializerSnapshot<ViewState> oldSnapshot) {
      if (!(oldSnapshot instanceof Snapshot old)) {
        return TypeSerializerSchemaCompatibility.incompatible();
      }
      if (Objects.equals(old.layout, layout)) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      if (old.layout != null && layout != null) {
        layout.positionsIn(old.layout); // a changed definition fails here, saying what to do
      }
      return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
  }
}
