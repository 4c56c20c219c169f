package io.freshet.connectors.archive;

import io.freshet.avro.Decoded;
import java.io.Closeable;
import java.io.IOException;

/** Reads one archive file record by record, each as an event or a dead letter. */
interface ArchiveReader extends Closeable {
  /** The next record of the file, or null at its end. */
  Decoded next() throws IOException;
}
