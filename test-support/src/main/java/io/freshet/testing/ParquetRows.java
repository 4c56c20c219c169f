package io.freshet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * Every row of a local Parquet file (a training set's output, a spine) as Avro generic records, in
 * file order, read with the generic data model: strings come back as {@code Utf8}, timestamps as
 * their stored numbers.
 */
public final class ParquetRows {
  private ParquetRows() {}

  /** Every row of {@code file}, in file order. */
  public static List<GenericRecord> read(Path file) {
    List<GenericRecord> out = new ArrayList<>();
    try (ParquetReader<GenericRecord> in =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
            .withDataModel(GenericData.get())
            .build()) {
      for (GenericRecord r; (r = in.read()) != null; ) {
        out.add(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Every row of {@code file} as its JSON-like text (all columns, schema order), in file order: two
   * files hold the same rows in the same order exactly when these lists are equal.
   */
  public static List<String> text(Path file) {
    return read(file).stream().map(GenericRecord::toString).toList();
  }
}
