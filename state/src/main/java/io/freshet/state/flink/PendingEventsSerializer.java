package io.freshet.state.flink;

import io.freshet.state.PendingEvents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link PendingEvents} whose rows hold the given source fields, delegating to
 * its versioned format (no Kryo). Its snapshot records the fields, so that a restore under a spec
 * that reads other fields matches each pending row to them by name ({@link PendingEvents#adopt}).
 */
public final class PendingEventsSerializer extends CodecSerializer<PendingEvents> {
  private static final long serialVersionUID = 1L;

  /** The rows' fields (null: a checkpoint of a build that did not record them). */
  private final List<String> fields;

  public PendingEventsSerializer(List<String> fields) {
    this.fields = fields == null ? null : List.copyOf(fields);
  }

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
    PendingEvents.write(target, fields == null ? record : record.adopt(fields));
  }

  @Override
  public PendingEvents deserialize(DataInputView source) throws IOException {
    PendingEvents p = PendingEvents.read(source);
    p.fields = fields;
    return p;
  }

  @Override
  public TypeSerializerSnapshot<PendingEvents> snapshotConfiguration() {
    return new Snapshot(fields);
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof PendingEventsSerializer s && Objects.equals(s.fields, fields);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(fields);
  }

  /** Serializer snapshot: the fields. Version 3 was an earlier build's, with no fields. */
  public static final class Snapshot implements TypeSerializerSnapshot<PendingEvents> {
    private static final int VERSION = 4;

    private List<String> fields;

    public Snapshot() {}

    Snapshot(List<String> fields) {
      this.fields = fields;
    }

    @Override
    public int getCurrentVersion() {
      return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      out.writeInt(fields == null ? -1 : fields.size());
      if (fields != null) {
        for (String f : fields) {
          out.writeUTF(f);
        }
      }
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
        throws IOException {
      if (readVersion < VERSION) {
        fields = null;
        return;
      }
      int n = in.readInt();
      if (n >= 0) {
        fields = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          fields.add(in.readUTF());
        }
      }
    }

    @Override
    public TypeSerializer<PendingEvents> restoreSerializer() {
      return new PendingEventsSerializer(fields);
    }

    @Override
    public TypeSerializerSchemaCompatibility<PendingEvents> resolveSchemaCompatibility(
        TypeSerializerSnapshot<PendingEvents> oldSnapshot) {
      if (!(oldSnapshot instanceof Snapshot old)) {
        return TypeSerializerSchemaCompatibility.incompatible();
      }
      return Objects.equals(old.fields, fields)
          ? TypeSerializerSchemaCompatibility.compatibleAsIs()
          : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
  }
}
