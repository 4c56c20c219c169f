package io.freshet.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro binary encoding without a container, as records travel on a Kafka topic: what a producer of
 * events writes and what a test reads back from the dead-letter topic. Specific records go through
 * their class's model (so logical types such as {@code timestamp-millis} keep their conversions),
 * generic records through their schema.
 */
public final class AvroBytes {
  private AvroBytes() {}

  /** The record's binary encoding. */
  @SuppressWarnings("unchecked")
  public static <T extends IndexedRecord> byte[] encode(T record) {
    DatumWriter<T> writer =
        record instanceof SpecificRecord
            ? new SpecificDatumWriter<>((Class<T>) record.getClass())
            : new GenericDatumWriter<>(record.getSchema());
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
      writer.write(record, enc);
      enc.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A record of the generated class {@code type} from its binary encoding. */
  public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
    try {
      return new SpecificDatumReader<>(type)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A generic record of {@code schema} from its binary encoding. */
  public static GenericRecord decode(byte[] bytes, Schema schema) {
    try {
      return new GenericDatumReader<GenericRecord>(schema)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
