package io.freshet.connectors.archive;

import io.freshet.avro.Decoded;
import io.freshet.connectors.kafka.EventDecoder;
import io.freshet.spec.ArchiveSpec;
import io.freshet.spec.SourceSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.MutableRecordAndPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Reads the files of a source's archive as {@link Decoded} records, the Kafka source's type, so the
 * rest of the job does not know where an event came from. A file is one split, read whole in record
 * order; its checkpointed position is the number of its records consumed, so a restore skips
 * exactly those. Events at or after the archive's {@code until} are skipped (Kafka has them); dead
 * letters are kept whatever their time.
 */
public final class ArchiveFormat implements BulkFormat<Decoded, FileSourceSplit> {
  private static final long serialVersionUID = 1L;

  /** Records handed on per batch. */
  private static final int BATCH = 512;

  private final SourceSpec source;
  private final List<String> fields;

  public ArchiveFormat(SourceSpec source, List<String> fields) {
    if (source.archive() == null) {
      throw new IllegalArgumentException("source " + source.name() + " declares no archive");
    }
    this.source = source;
    this.fields = List.copyOf(fields);
  }

  @Override
  public Reader<Decoded> createReader(Configuration config, FileSourceSplit split)
      throws IOException {
    return new FileReader(open(split), source.archive().until().toEpochMilli(), 0);
  }

  @Override
  public Reader<Decoded> restoreReader(Configuration config, FileSourceSplit split)
      throws IOException {
    long consumed =
        split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
    return new FileReader(open(split), source.archive().until().toEpochMilli(), consumed);
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<Decoded> getProducedType() {
    return new AvroTypeInfo<>(Decoded.class);
  }

  private ArchiveReader open(FileSourceSplit split) throws IOException {
    String file = split.path().toString();
    ArchiveSpec.Format format = source.archive().formatOf(split.path().getName());
    if (format == null) {
      throw new IOException(
          "archive file "
              + file
              + " has no known extension (.avro for Avro container files; .jsonl, .ndjson or"
              + " .json for JSON lines); rename it, or set format: in the source's archive");
    }
    EventDecoder decoder = new EventDecoder(source, fields);
    InputStream in = split.path().getFileSystem().open(split.path());
    try {
      return switch (format) {
        case AVRO -> new AvroFileReader(file, in, source.schema(), decoder);
        case JSON_LINES ->
            new JsonLinesReader(file, in, source.schema(), used(source, fields), decoder);
      };
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private static List<String> used(SourceSpec source, List<String> fields) {
    List<String> out = new ArrayList<>();
    out.add(source.entityField());
    out.add(source.eventTimeField());
    out.addAll(fields);
    return out;
  }

  /** One file's reader: batches of records, each with the count of records consumed after it. */
  private static final class FileReader implements BulkFormat.Reader<Decoded> {
    private final ArchiveReader in;
    private final long until;
    private long consumed;

    FileReader(ArchiveReader in, long until, long skip) throws IOException {
      this.in = in;
      this.until = until;
      for (long i = 0; i < skip; i++) {
        if (in.next() == null) {
          throw new IOException(
              "archive file ended after "
                  + i
                  + " records, but the restored position is "
                  + skip
                  + ": the file changed since the checkpoint");
        }
      }
      this.consumed = skip;
    }

    @Override
    public RecordIterator<Decoded> readBatch() throws IOException {
      List<Decoded> records = new ArrayList<>(BATCH);
      List<Long> positions = new ArrayList<>(BATCH);
      Decoded d;
      while (records.size() < BATCH && (d = in.next()) != null) {
        consumed++;
        if (d.getEvent() != null && d.getEvent().getEventTime() >= until) {
          continue; // after the handover: Kafka has it
        }
        records.add(d);
        positions.add(consumed);
      }
      return records.isEmpty() ? null : new Batch(records, positions);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** A batch of records and their positions. */
  private static final class Batch implements RecordIterator<Decoded> {
    private final List<Decoded> records;
    private final List<Long> positions;
    private final MutableRecordAndPosition<Decoded> current = new MutableRecordAndPosition<>();
    private int next;

    Batch(List<Decoded> records, List<Long> positions) {
      this.records = records;
      this.positions = positions;
    }

    @Override
    public RecordAndPosition<Decoded> next() {
      if (next == records.size()) {
        return null;
      }
      current.set(records.get(next), CheckpointedPosition.NO_OFFSET, positions.get(next));
      next++;
      return current;
    }

    @Override
    public void releaseBatch() {}
  }
}
