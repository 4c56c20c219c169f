package io.freshet.connectors.archive;

import io.freshet.avro.Decoded;
import io.freshet.connectors.kafka.EventDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * An Avro object container file: each record is resolved from the file's writer schema to the
 * spec's schema by Avro's own rules (a field added with a default, a widened type), then checked as
 * a Kafka value is. A file whose schema cannot be resolved is an error naming the file, not a dead
 * letter per record: the archive is configuration, and reading on would skip all of it.
 */
final class AvroFileReader implements ArchiveReader {
  private final String file;
  private final EventDecoder decoder;
  private final DataFileStream<GenericRecord> in;
  private final GenericDatumWriter<GenericRecord> writer;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private BinaryEncoder encoder;
  private GenericRecord reuse;
  private long index;

  AvroFileReader(String file, InputStream stream, Schema schema, EventDecoder decoder)
      throws IOException {
    this.file = file;
    this.decoder = decoder;
    // plain generic data: timestamps stay epoch millis, as in the Kafka decoder
    GenericDatumReader<GenericRecord> reader =
        new GenericDatumReader<>(null, schema, new GenericData());
    this.in = new DataFileStream<>(stream, reader);
    Schema written = in.getSchema();
    SchemaCompatibility.SchemaPairCompatibility c =
        SchemaCompatibility.checkReaderWriterCompatibility(schema, written);
    if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      in.close();
      throw new IOException(
          "archive file "
              + file
              + " was written with a schema that does not resolve to the spec's "
              + schema.getFullName()
              + ": "
              + c.getResult().getIncompatibilities().stream()
                  .map(i -> i.getMessage() + " at " + i.getLocation())
                  .toList());
    }
    this.writer = new GenericDatumWriter<>(schema, new GenericData());
  }

  @Override
  public Decoded next() throws IOException {
    if (!in.hasNext()) {
      return null;
    }
    try {
      reuse = in.next(reuse);
    } catch (RuntimeException e) {
      throw new IOException("archive file " + file + ", record " + index + ": " + e, e);
    }
    long at = index++;
    Decoded d = decoder.check(reuse, file, at, null);
    if (d.getEvent() == null) {
      // keep the record, in the spec's schema, in its dead letter
      bytes.reset();
      encoder = EncoderFactory.get().binaryEncoder(bytes, encoder);
      writer.write(reuse, encoder);
      encoder.flush();
      d.getDeadLetter().setValue(java.nio.ByteBuffer.wrap(bytes.toByteArray()));
    }
    return d;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
