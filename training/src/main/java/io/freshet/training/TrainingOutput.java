package io.freshet.training;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * The output file of a training set: Parquet through parquet-avro, Snappy, replacing any file of
 * that name. Every engine writes through here, so their files differ only in content.
 */
public final class TrainingOutput {
  private TrainingOutput() {}

  /** Opens a writer of records of {@code schema} (a {@link TrainingPlan#outputSchema()}). */
  public static ParquetWriter<GenericRecord> open(Path file, Schema schema) throws IOException {
    return AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
        .withSchema(schema)
        .withDataModel(GenericData.get())
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }
}
