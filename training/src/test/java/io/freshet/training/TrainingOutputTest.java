package io.freshet.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.freshet.spec.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.parquet.hadoop.ParquetWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TrainingOutput#openRows} writes byte for byte the file that {@link TrainingOutput#open}
 * writes from Avro records of the same values (nulls, Utf8 and String text, a timestamp logical
 * type, every feature type), over several pages.
 */
class TrainingOutputTest {
  @TempDir Path dir;

  @Test
  void rowsAndRecordsMakeTheSameFile() throws IOException {
    Schema ts = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    Schema schema =
        SchemaBuilder.record("spine")
            .fields()
            .requiredString("entity")
            .name("timestamp")
            .type(ts)
            .noDefault()
            .optionalDouble("label")
            .optionalString("note")
            .requiredInt("n")
            .optionalBoolean("flag")
            .optionalLong("f_long")
            .optionalDouble("f_double")
            .optionalString("f_text")
            .optionalBoolean("f_bool")
            .endRecord();
    FeatureColumns values =
        new FeatureColumns(
            List.of(ValueType.LONG, ValueType.DOUBLE, ValueType.STRING, ValueType.BOOLEAN), 500);
    Random rnd = new Random(7);
    for (int r = 0; r < 500; r++) {
      values.set(0, r, rnd.nextInt(5) == 0 ? null : rnd.nextLong());
      values.set(1, r, rnd.nextInt(5) == 0 ? null : rnd.nextGaussian());
      values.set(2, r, rnd.nextInt(5) == 0 ? null : "t" + rnd.nextInt(30));
      values.set(3, r, rnd.nextInt(5) == 0 ? null : rnd.nextBoolean());
    }
    Path viaRecords = dir.resolve("records.parquet");
    Path viaRows = dir.resolve("rows.parquet");
    try (ParquetWriter<GenericRecord> records = TrainingOutput.open(viaRecords, schema);
        ParquetWriter<TrainingOutput.Row> rows = TrainingOutput.openRows(viaRows, schema, 6)) {
      assertNotNull(rows);
      TrainingOutput.Row row = new TrainingOutput.Row(new FeatureColumns[] {values});
      for (int i = 0; i < 50_000; i++) {
        Object[] spine = {
          i % 2 == 0 ? new Utf8("e" + rnd.nextInt(1000)) : "e" + rnd.nextInt(1000),
          1_700_000_000_000L + i,
          rnd.nextInt(3) == 0 ? null : rnd.nextDouble(),
          rnd.nextInt(3) == 0 ? null : new Utf8("note " + rnd.nextInt(10)),
          rnd.nextInt(),
          rnd.nextInt(3) == 0 ? null : rnd.nextBoolean()
        };
        int r = rnd.nextInt(10) == 0 ? -1 : rnd.nextInt(500);
        GenericData.Record rec = new GenericData.Record(schema);
        for (int c = 0; c < spine.length; c++) {
          rec.put(c, spine[c]);
        }
        for (int f = 0; f < 4; f++) {
          rec.put(6 + f, r < 0 ? null : values.get(f, r));
        }
        records.write(rec);
        row.spine = spine;
        row.rows[0] = r;
        rows.write(row);
      }
    }
    assertArrayEquals(Files.readAllBytes(viaRecords), Files.readAllBytes(viaRows));
  }

  @Test
  void spineTypesWithoutADirectPathNeedAvro() throws IOException {
    Schema schema =
        SchemaBuilder.record("spine")
            .fields()
            .requiredString("entity")
            .name("tags")
            .type()
            .array()
            .items()
            .stringType()
            .noDefault()
            .endRecord();
    assertNull(TrainingOutput.openRows(dir.resolve("x.parquet"), schema, 2));
  }
}
