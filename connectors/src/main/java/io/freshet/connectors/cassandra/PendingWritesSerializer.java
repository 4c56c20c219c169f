package io.freshet.connectors.cassandra;

import io.freshet.avro.FeatureUpdate;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The checkpointed form of a write the Cassandra sink had not finished when a checkpoint was taken
 * (waiting, held or in flight): the {@link FeatureUpdate} in Avro's single-object encoding (the
 * generated class's cached encoder and decoder; the bytes carry the schema's fingerprint, so bytes
 * of another FeatureUpdate schema fail loudly). A change of that schema that cannot read the bytes
 * of the one before needs a new version here.
 *
 * <p>Versions: 2, single-object encoding; 1 (the first builds of the non-draining sink,
 * 2026-12-04), plain Avro binary of the same schema, still read.
 */
final class PendingWritesSerializer implements SimpleVersionedSerializer<FeatureUpdate> {
  static final int VERSION = 2;

  /** Plain Avro binary, without the single-object header: read only. */
  static final int PLAIN_BINARY = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(FeatureUpdate update) throws IOException {
    ByteBuffer bytes = update.toByteBuffer();
    byte[] out = new byte[bytes.remaining()];
    bytes.get(out);
    return out;
  }

  @Override
  public FeatureUpdate deserialize(int version, byte[] serialized) throws IOException {
    if (version == PLAIN_BINARY) {
      return new SpecificDatumReader<>(FeatureUpdate.class)
          .read(null, DecoderFactory.get().binaryDecoder(serialized, null));
    }
    if (version != VERSION) {
      throw new IOException(
          "a pending Cassandra write of serializer version "
              + version
              + " cannot be read by this Freshet (it reads versions "
              + PLAIN_BINARY
              + " and "
              + VERSION
              + "): restore with the Freshet version that took the checkpoint, or start the job"
              + " without it");
    }
    return FeatureUpdate.fromByteBuffer(ByteBuffer.wrap(serialized));
  }
}
