package io.freshet.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BulkColumnReader} against parquet's own {@code ColumnReader} on the same files: nulls,
 * dictionary pages, dictionaries that fill up and fall back to PLAIN mid-chunk, v1 and v2 pages (v2
 * brings delta encodings, which go through parquet's value readers), several pages and row groups,
 * reads that straddle page boundaries.
 */
class BulkColumnReaderTest {
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message t {"
              + " required binary id (STRING);"
              + " required int64 ts;"
              + " required int32 rev;"
              + " optional int64 small;"
              + " optional int64 big;"
              + " optional double d;"
              + " optional double dsmall;"
              + " optional int32 i;"
              + " optional float f;"
              + " optional boolean b;"
              + " optional binary s (STRING);"
              + " optional int64 nulls;"
              + "}");

  @TempDir Path dir;

  @Test
  void v1DictionaryAndFallbackGzip() throws IOException {
    check(write(WriterVersion.PARQUET_1_0, true, CompressionCodecName.GZIP, 1), true);
  }

  @Test
  void v1PlainUncompressed() throws IOException {
    check(write(WriterVersion.PARQUET_1_0, false, CompressionCodecName.UNCOMPRESSED, 2), false);
  }

  @Test
  void v2DictionaryAndDeltaSnappy() throws IOException {
    check(write(WriterVersion.PARQUET_2_0, true, CompressionCodecName.SNAPPY, 3), true);
  }

  @Test
  void v2NoDictionary() throws IOException {
    check(write(WriterVersion.PARQUET_2_0, false, CompressionCodecName.GZIP, 4), false);
  }

  @Test
  void hybridDecodesRunsAndBitPackedGroups() throws IOException {
    // RLE run of 5 x 3 (width 2), then one bit-packed group of 8 values 0..3,0..3 (width 2).
    byte[] b = {(byte) (5 << 1), 3, (byte) ((1 << 1) | 1), (byte) 0b11100100, (byte) 0b11100100};
    int[] out = new int[13];
    BulkColumnReader.decodeHybrid(b, 0, b.length, 2, out, 13);
    assertArrayEquals(new int[] {3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3}, out);
  }

  private Path write(
      WriterVersion version, boolean dictionary, CompressionCodecName codec, long seed)
      throws IOException {
    Path file = dir.resolve("t" + seed + ".parquet");
    Random rnd = new Random(seed);
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(SCHEMA)
            .withWriterVersion(version)
            .withDictionaryEncoding(dictionary)
            .withDictionaryPageSize(4096)
            .withPageSize(2048)
            .withPageRowCountLimit(700)
            .withRowGroupSize(96 * 1024L)
            .withCompressionCodec(codec)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      for (int r = 0; r < 30_000; r++) {
        Group g = groups.newGroup();
        // Entities repeat at first (dictionary), then turn unique (the dictionary fills up).
        g.add("id", r < 8000 ? "e" + rnd.nextInt(50) : "entity-" + r + "-" + rnd.nextInt());
        g.add("ts", 1_700_000_000_000_000L + r * 1000L + rnd.nextInt(1000));
        g.add("rev", rnd.nextInt(3));
        boolean gap = (r / 1000) % 7 == 3; // long runs of nulls
        if (!gap && rnd.nextInt(10) > 0) {
          g.add("small", (long) rnd.nextInt(20) - 5);
        }
        if (!gap && rnd.nextInt(10) > 0) {
          g.add("big", rnd.nextLong());
        }
        if (!gap && rnd.nextInt(10) > 0) {
          g.add("d", rnd.nextGaussian() * 1e6);
        }
        if (!gap && rnd.nextInt(10) > 0) {
          g.add("dsmall", rnd.nextInt(4) * 0.5);
        }
        if (rnd.nextInt(10) > 0) {
          g.add("i", r < 15_000 ? rnd.nextInt(10) : rnd.nextInt());
        }
        if (rnd.nextInt(10) > 0) {
          g.add("f", rnd.nextFloat());
        }
        if (rnd.nextInt(10) > 0) {
          g.add("b", rnd.nextBoolean());
        }
        if (rnd.nextInt(10) > 0) {
          g.add("s", r % 3000 < 1500 ? "c" + rnd.nextInt(5) : "text-" + rnd.nextLong());
        }
        w.write(g);
      }
    }
    return file;
  }

  /** Compares every column of every row group, read in chunks of random sizes. */
  private static void check(Path file, boolean expectDictionary) throws IOException {
    Random rnd = new Random(file.hashCode());
    int rowGroups = 0;
    boolean sawDictionary = false;
    boolean sawPlainAfterDictionary = false;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file));
        ParquetFileReader second = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        for (ColumnChunkMetaData c : block.getColumns()) {
          sawDictionary |= c.hasDictionaryPage();
          sawPlainAfterDictionary |=
              c.hasDictionaryPage() && c.getEncodingStats().hasNonDictionaryEncodedPages();
        }
      }
      PageReadStore rowGroup;
      while ((rowGroup = reader.readNextRowGroup()) != null) {
        PageReadStore sameRowGroup = second.readNextRowGroup();
        rowGroups++;
        ColumnReadStoreImpl store =
            new ColumnReadStoreImpl(
                rowGroup, new GroupRecordConverter(schema).getRootConverter(), schema, createdBy);
        int rows = (int) rowGroup.getRowCount();
        for (ColumnDescriptor col : schema.getColumns()) {
          assertTrue(BulkColumnReader.supports(col));
          // Each reader consumes its row group's pages: parquet's from one file reader, ours from
          // the other.
          List<String> expected = expected(store.getColumnReader(col), rows);
          List<String> actual = new ArrayList<>();
          BulkColumnReader bulk = new BulkColumnReader(col, sameRowGroup.getPageReader(col));
          boolean binary =
              col.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY;
          for (int done = 0; done < rows; ) {
            int n = Math.min(rows - done, 1 + rnd.nextInt(1500));
            if (binary) {
              int[] next = {0};
              bulk.readBinary(
                  n,
                  (r, b, off, len) -> {
                    assertEquals(next[0]++, r);
                    actual.add(len < 0 ? "null" : new String(b, off, len, StandardCharsets.UTF_8));
                  });
              assertEquals(n, next[0]);
            } else {
              long[] out = new long[n];
              boolean[] present = new boolean[n];
              Arrays.fill(out, 42);
              bulk.read(n, out, present);
              for (int r = 0; r < n; r++) {
                actual.add(present[r] ? Long.toString(out[r]) : "null");
                if (!present[r]) {
                  assertEquals(0, out[r]);
                }
              }
            }
            done += n;
          }
          assertEquals(expected, actual, col + " in row group " + rowGroups);
        }
      }
    }
    assertTrue(rowGroups >= 3, "only " + rowGroups + " row groups");
    assertEquals(expectDictionary, sawDictionary);
    if (expectDictionary) {
      assertTrue(sawPlainAfterDictionary, "no dictionary fell back to another encoding");
    }
  }

  /** The column's values as the reader test expects them: longs, widened double bits, text. */
  private static List<String> expected(ColumnReader cr, int rows) {
    List<String> out = new ArrayList<>();
    int max = cr.getDescriptor().getMaxDefinitionLevel();
    PrimitiveTypeName t = cr.getDescriptor().getPrimitiveType().getPrimitiveTypeName();
    for (int r = 0; r < rows; r++) {
      if (cr.getCurrentDefinitionLevel() != max) {
        out.add("null");
      } else {
        out.add(
            switch (t) {
              case INT32 -> Long.toString(cr.getInteger());
              case INT64 -> Long.toString(cr.getLong());
              case FLOAT -> Long.toString(Double.doubleToRawLongBits(cr.getFloat()));
              case DOUBLE -> Long.toString(Double.doubleToRawLongBits(cr.getDouble()));
              case BOOLEAN -> cr.getBoolean() ? "1" : "0";
              case BINARY -> cr.getBinary().toStringUsingUTF8();
              default -> throw new AssertionError(t);
            });
      }
      cr.consume();
    }
    return out;
  }
}
