package io.freshet.connectors.cassandra;

import io.freshet.avro.FeatureUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The checkpointed form of a write the Cassandra sink had not finished when a checkpoint was taken
 * (waiting, held or in flight): the {@link FeatureUpdate} as Avro binary, written and read with the
 * FeatureUpdate schema Freshet is built with. A change of that schema that cannot read the bytes of
 * the one before needs a new version here.
 */
final class PendingWritesSerializer implements SimpleVersionedSerializer<FeatureUpdate> {
  static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(FeatureUpdate update) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new SpecificDatumWriter<>(FeatureUpdate.class).write(update, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @Override
  public FeatureUpdate deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION) {
      throw new IOException(
          "a pending Cassandra write of serializer version "
              + version
              + " cannot be read by this Freshet (it reads version "
              + VERSION
              + "): restore with the Freshet version that took the checkpoint, or start the job"
              + " without it");
    }
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(serialized, null);
    return new SpecificDatumReader<>(FeatureUpdate.class).read(null, decoder);
  }
}
