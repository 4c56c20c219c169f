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
 * Floating-point columns are written without a dictionary: their values rarely repeat, so the
 * dictionary would fill up and be dropped after costing a hash lookup per value.
 */
public final class TrainingOutput {
  private TrainingOutput() {}

  /** Opens a writer of records of {@code schema} (a {@link TrainingPlan#outputSchema()}). */
  public static ParquetWriter<GenericRecord> open(Path file, Schema schema) throws IOException {
    AvroParquetWriter.Builder<GenericRecord> builder =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file));
    for (Schema.Field f : schema.getFields()) {
      Schema.Type type = nonNull(f.schema()).getType();
      if (type == Schema.Type.DOUBLE || type == Schema.Type.FLOAT) {
        builder.withDictionaryEncoding(f.name(), false);
      }
    }
    return builder
        .withSchema(schema)
        .withDataModel(GenericData.get())
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  private static Schema nonNull(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      for (Schema t : s.getTypes()) {
        if (t.getType() != Schema.Type.NULL) {
          return t;
        }
      }
    }
    return s;
  }
}
