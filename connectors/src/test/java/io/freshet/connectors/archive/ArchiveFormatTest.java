package io.freshet.connectors.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.avro.Decoded;
import io.freshet.spec.ArchiveSpec;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.SpecParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading archive files: positions, restore, the handover and files that cannot be read. */
class ArchiveFormatTest {
  private static final FeatureSpec SPEC =
      SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
  private static final long UNTIL = Instant.parse("2026-01-02T00:00:00Z").toEpochMilli();

  @TempDir Path dir;

  private ArchiveFormat format() {
    SourceSpec source =
        SPEC.source()
            .withArchive(
                new ArchiveSpec(
                    List.of(dir.toUri().toString()), Instant.ofEpochMilli(UNTIL), null));
    return new ArchiveFormat(source, List.of("amount", "merchant_id", "country"));
  }

  private static String line(String customer, long ts) {
    return "{\"customer_id\": \""
        + customer
        + "\", \"merchant_id\": \"m1\", \"amount\": 2.5, \"event_time\": "
        + ts
        + "}";
  }

  private static FileSourceSplit split(Path file, CheckpointedPosition at) throws IOException {
    long size = Files.size(file);
    return new FileSourceSplit(
        "0", new org.apache.flink.core.fs.Path(file.toUri()), 0, size, 0, size, new String[0], at);
  }

  /** Every record of the reader as "entity@time" (or the dead letter's code), with positions. */
  private static List<String> readAll(BulkFormat.Reader<Decoded> reader) throws IOException {
    List<String> out = new ArrayList<>();
    BulkFormat.RecordIterator<Decoded> batch;
    while ((batch = reader.readBatch()) != null) {
      RecordAndPosition<Decoded> r;
      while ((r = batch.next()) != null) {
        Decoded d = r.getRecord();
        String what =
            d.getEvent() != null
                ? d.getEvent().getEntity() + "@" + d.getEvent().getEventTime()
                : d.getDeadLetter().getReasonCode().toString();
        out.add(what + " #" + r.getRecordSkipCount());
      }
      batch.releaseBatch();
    }
    reader.close();
    return out;
  }

  @Test
  void positionsCountRecordsConsumedSoARestoreSkipsExactlyThem() throws IOException {
    Path file = dir.resolve("a.jsonl");
    Files.write(
        file,
        List.of(
            line("c1", UNTIL - 3000),
            "",
            line("c2", UNTIL - 2000),
            line("c3", UNTIL), // at the handover: Kafka has it
            "[1, 2]",
            line("c4", UNTIL - 1000)));
    assertThat(readAll(format().createReader(new Configuration(), split(file, null))))
        .containsExactly(
            "c1@" + (UNTIL - 3000) + " #1",
            "c2@" + (UNTIL - 2000) + " #2",
            "NOT_JSON #4",
            "c4@" + (UNTIL - 1000) + " #5");
    CheckpointedPosition afterC2 = new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 2);
    assertThat(readAll(format().restoreReader(new Configuration(), split(file, afterC2))))
        .containsExactly("NOT_JSON #4", "c4@" + (UNTIL - 1000) + " #5");
  }

  @Test
  void anAvroFileOfAnIncompatibleSchemaFailsNamingTheFile() throws IOException {
    Schema other =
        SchemaBuilder.record("Payment")
            .namespace("io.freshet.examples.payments")
            .fields()
            .requiredInt("customer_id")
            .endRecord();
    Path file = dir.resolve("old.avro");
    try (DataFileWriter<GenericRecord> out =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(other))) {
      out.create(other, file.toFile());
      GenericRecord r = new GenericData.Record(other);
      r.put("customer_id", 1);
      out.append(r);
    }
    assertThatThrownBy(() -> format().createReader(new Configuration(), split(file, null)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toUri().getPath())
        .hasMessageContaining("does not resolve");
  }

  @Test
  void aFileOfNoKnownFormatFailsSayingWhatToDo() throws IOException {
    Path file = dir.resolve("events.csv");
    Files.writeString(file, "c1,1\n");
    assertThatThrownBy(() -> format().createReader(new Configuration(), split(file, null)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("events.csv")
        .hasMessageContaining("set format:");
  }
}
