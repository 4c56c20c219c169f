package io.freshet.training;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Decodes one column chunk of a flat (unrepeated) Parquet column a page at a time, in bulk, instead
 * of parquet's per-value {@code ColumnReader}: RLE definition levels, PLAIN and dictionary-encoded
 * values are decoded here in tight loops over the page's bytes; any other encoding (delta, byte
 * stream split, PLAIN booleans, bit-packed levels) goes through parquet's own {@link ValuesReader}
 * for that page. Values come out as longs: INT32 and INT64 as their value, FLOAT and DOUBLE as the
 * raw bits of the (widened) double, BOOLEAN as 0 or 1; BINARY values are handed to a {@link
 * BinarySink} as slices of the page or the dictionary. A null reads as absent (value 0).
 */
final class BulkColumnReader {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Receives binary values: {@code len} is -1 for a null. The bytes are valid until it returns. */
  interface BinarySink {
    void accept(int row, byte[] bytes, int off, int len);
  }

  private final ColumnDescriptor col;
  private final PageReader pages;
  private final PrimitiveTypeName type;
  private final int maxDef;
  private final boolean binary;

  private Dictionary dictionary;
  private long[] dictLongs;
  private byte[] dictBytes;
  private int[] dictOffset; // entry i: dictBytes[dictOffset[i] .. dictOffset[i + 1])

  // The current page, decoded: rows [pos, size) are still to be handed out.
  private int size;
  private int pos;
  private boolean[] present = new boolean[0];
  private long[] values = new long[0];
  private int[] levels = new int[0];
  private int[] ids = new int[0];
  private byte[] binSource; // the bytes binOff/binLen point into
  private int[] binOff = new int[0];
  private int[] binLen = new int[0];
  private byte[] arena = new byte[0]; // binary values of a page read through parquet's readers

  BulkColumnReader(ColumnDescriptor col, PageReader pages) throws IOException {
    if (col.getMaxRepetitionLevel() != 0) {
      throw new IllegalArgumentException("repeated column " + col);
    }
    this.col = col;
    this.pages = pages;
    this.type = col.getPrimitiveType().getPrimitiveTypeName();
    this.maxDef = col.getMaxDefinitionLevel();
    this.binary = type == PrimitiveTypeName.BINARY;
    DictionaryPage dict = pages.readDictionaryPage();
    if (dict != null) {
      dictionary = dict.getEncoding().initDictionary(col, dict);
      int n = dictionary.getMaxId() + 1;
      if (binary) {
        dictOffset = new int[n + 1];
        int total = 0;
        for (int i = 0; i < n; i++) {
          total += dictionary.decodeToBinary(i).length();
        }
        dictBytes = new byte[total];
        for (int i = 0; i < n; i++) {
          ByteBuffer b = dictionary.decodeToBinary(i).toByteBuffer();
          int len = b.remaining();
          b.duplicate().get(dictBytes, dictOffset[i], len);
          dictOffset[i + 1] = dictOffset[i] + len;
        }
      } else {
        dictLongs = new long[n];
        for (int i = 0; i < n; i++) {
          dictLongs[i] =
              switch (type) {
                case INT32 -> dictionary.decodeToInt(i);
                case INT64 -> dictionary.decodeToLong(i);
                case FLOAT -> Double.doubleToRawLongBits(dictionary.decodeToFloat(i));
                case DOUBLE -> Double.doubleToRawLongBits(dictionary.decodeToDouble(i));
                case BOOLEAN -> dictionary.decodeToBoolean(i) ? 1 : 0;
                default -> throw new IllegalArgumentException("unsupported column " + col);
              };
        }
      }
    }
  }

  /** Whether this reader can decode a column of this type (flat, not INT96 or fixed-length). */
  static boolean supports(ColumnDescriptor col) {
    if (col.getMaxRepetitionLevel() != 0) {
      return false;
    }
    return switch (col.getPrimitiveType().getPrimitiveTypeName()) {
      case INT32, INT64, FLOAT, DOUBLE, BOOLEAN, BINARY -> true;
      default -> false;
    };
  }

  /**
   * The next {@code n} rows' values into {@code out[0 .. n)}, and whether each is non-null into
   * {@code present} (a null's value is 0).
   */
  void read(int n, long[] out, boolean[] present) throws IOException {
    if (binary) {
      throw new IllegalStateException("binary column " + col);
    }
    for (int done = 0; done < n; ) {
      if (pos == size) {
        nextPage();
      }
      int k = Math.min(n - done, size - pos);
      System.arraycopy(values, pos, out, done, k);
      System.arraycopy(this.present, pos, present, done, k);
      pos += k;
      done += k;
    }
  }

  /** The next {@code n} binary values, to {@code sink} in order (rows numbered from 0). */
  void readBinary(int n, BinarySink sink) throws IOException {
    if (!binary) {
      throw new IllegalStateException("not a binary column " + col);
    }
    for (int done = 0; done < n; ) {
      if (pos == size) {
        nextPage();
      }
      int k = Math.min(n - done, size - pos);
      byte[] src = binSource;
      for (int i = 0; i < k; i++) {
        int at = pos + i;
        if (present[at]) {
          sink.accept(done + i, src, binOff[at], binLen[at]);
        } else {
          sink.accept(done + i, src, 0, -1);
        }
      }
      pos += k;
      done += k;
    }
  }

  private void nextPage() throws IOException {
    DataPage page = pages.readPage();
    if (page == null) {
      throw new IOException("column " + col + " has fewer values than its row group has rows");
    }
    int count = page.getValueCount();
    grow(count);
    size = count;
    pos = 0;
    if (page instanceof DataPageV1 v1) {
      byte[] b = v1.getBytes().toByteArray();
      int at = 0;
      boolean fastLevels = maxDef == 0 || v1.getDlEncoding() == Encoding.RLE;
      if (fastLevels && fastValues(v1.getValueEncoding())) {
        if (maxDef > 0) {
          int len = (int) INTS.get(b, 0);
          decodeHybrid(b, 4, 4 + len, BytesUtils.getWidthFromMaxInt(maxDef), levels, count);
          at = 4 + len;
        }
        decodeValues(b, at, b.length, v1.getValueEncoding(), count);
      } else {
        ByteBufferInputStream in = ByteBufferInputStream.wrap(ByteBuffer.wrap(b));
        ValuesReader rl = v1.getRlEncoding().getValuesReader(col, ValuesType.REPETITION_LEVEL);
        rl.initFromPage(count, in);
        ValuesReader dl = v1.getDlEncoding().getValuesReader(col, ValuesType.DEFINITION_LEVEL);
        dl.initFromPage(count, in);
        for (int i = 0; i < count; i++) {
          levels[i] = dl.readInteger();
        }
        slowValues(v1.getValueEncoding(), in, count);
      }
    } else if (page instanceof DataPageV2 v2) {
      if (maxDef > 0) {
        byte[] dl = v2.getDefinitionLevels().toByteArray();
        decodeHybrid(dl, 0, dl.length, BytesUtils.getWidthFromMaxInt(maxDef), levels, count);
      }
      byte[] b = v2.getData().toByteArray();
      if (fastValues(v2.getDataEncoding())) {
        decodeValues(b, 0, b.length, v2.getDataEncoding(), count);
      } else {
        slowValues(v2.getDataEncoding(), ByteBufferInputStream.wrap(ByteBuffer.wrap(b)), count);
      }
    } else {
      throw new IOException("unknown page type " + page.getClass().getName() + " in " + col);
    }
  }

  private void grow(int count) {
    if (present.length < count) {
      int cap = Math.max(count, present.length * 2);
      present = new boolean[cap];
      values = new long[cap];
      levels = new int[cap];
      ids = new int[cap];
      binOff = new int[cap];
      binLen = new int[cap];
    }
  }

  private boolean fastValues(Encoding e) {
    if (e.usesDictionary()) {
      return dictionary != null && (e == Encoding.PLAIN_DICTIONARY || e == Encoding.RLE_DICTIONARY);
    }
    return e == Encoding.PLAIN && type != PrimitiveTypeName.BOOLEAN;
  }

  /** Sets present[] from levels[] (all present when the column is required); returns how many. */
  private int presence(int count) {
    if (maxDef == 0) {
      Arrays.fill(present, 0, count, true);
      return count;
    }
    int nonNull = 0;
    for (int i = 0; i < count; i++) {
      boolean p = levels[i] == maxDef;
      present[i] = p;
      nonNull += p ? 1 : 0;
    }
    return nonNull;
  }

  private void decodeValues(byte[] b, int at, int end, Encoding e, int count) throws IOException {
    int nonNull = presence(count);
    if (e.usesDictionary()) {
      int width = at < end ? b[at] & 0xFF : 0;
      decodeHybrid(b, at + 1, end, width, ids, nonNull);
      int maxId = binary ? dictOffset.length - 2 : dictLongs.length - 1;
      for (int i = 0; i < nonNull; i++) {
        if (ids[i] < 0 || ids[i] > maxId) {
          throw new IOException("dictionary id " + ids[i] + " out of range in " + col);
        }
      }
      if (binary) {
        binSource = dictBytes;
        for (int i = 0, v = 0; i < count; i++) {
          if (present[i]) {
            int id = ids[v++];
            binOff[i] = dictOffset[id];
            binLen[i] = dictOffset[id + 1] - dictOffset[id];
          }
        }
      } else {
        long[] dict = dictLongs;
        for (int i = 0, v = 0; i < count; i++) {
          values[i] = present[i] ? dict[ids[v++]] : 0;
        }
      }
      return;
    }
    int width =
        switch (type) {
          case INT64, DOUBLE -> 8;
          case INT32, FLOAT -> 4;
          default -> 0;
        };
    if (width > 0 && at + (long) nonNull * width > end) {
      throw new IOException("page of " + col + " is shorter than its values");
    }
    switch (type) {
      case INT64, DOUBLE -> {
        for (int i = 0; i < count; i++) {
          if (present[i]) {
            values[i] = (long) LONGS.get(b, at);
            at += 8;
          } else {
            values[i] = 0;
          }
        }
      }
      case INT32 -> {
        for (int i = 0; i < count; i++) {
          if (present[i]) {
            values[i] = (int) INTS.get(b, at);
            at += 4;
          } else {
            values[i] = 0;
          }
        }
      }
      case FLOAT -> {
        for (int i = 0; i < count; i++) {
          if (present[i]) {
            values[i] = Double.doubleToRawLongBits(Float.intBitsToFloat((int) INTS.get(b, at)));
            at += 4;
          } else {
            values[i] = 0;
          }
        }
      }
      case BINARY -> {
        binSource = b;
        for (int i = 0; i < count; i++) {
          if (present[i]) {
            if (at + 4 > end) {
              throw new IOException("page of " + col + " is shorter than its values");
            }
            int len = (int) INTS.get(b, at);
            if (len < 0 || at + 4 + (long) len > end) {
              throw new IOException("bad value length " + len + " in " + col);
            }
            binOff[i] = at + 4;
            binLen[i] = len;
            at += 4 + len;
          }
        }
      }
      default -> throw new IOException("unsupported column " + col);
    }
  }

  /** A page whose encodings this class does not decode itself: parquet's value readers. */
  private void slowValues(Encoding e, ByteBufferInputStream in, int count) throws IOException {
    presence(count);
    ValuesReader r =
        e.usesDictionary()
            ? e.getDictionaryBasedValuesReader(col, ValuesType.VALUES, dictionary)
            : e.getValuesReader(col, ValuesType.VALUES);
    r.initFromPage(count, in);
    if (binary) {
      int used = 0;
      for (int i = 0; i < count; i++) {
        if (present[i]) {
          Binary v = r.readBytes();
          int len = v.length();
          if (used + len > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, used + len));
          }
          v.toByteBuffer().duplicate().get(arena, used, len);
          binOff[i] = used;
          binLen[i] = len;
          used += len;
        }
      }
      binSource = arena;
      return;
    }
    for (int i = 0; i < count; i++) {
      if (!present[i]) {
        values[i] = 0;
        continue;
      }
      values[i] =
          switch (type) {
            case INT32 -> r.readInteger();
            case INT64 -> r.readLong();
            case FLOAT -> Double.doubleToRawLongBits(r.readFloat());
            case DOUBLE -> Double.doubleToRawLongBits(r.readDouble());
            case BOOLEAN -> r.readBoolean() ? 1 : 0;
            default -> throw new IOException("unsupported column " + col);
          };
    }
  }

  /**
   * Decodes {@code count} values of Parquet's RLE/bit-packing hybrid encoding of {@code width} bits
   * from {@code b[at .. end)} into {@code out}; bytes missing at the end read as 0.
   */
  static void decodeHybrid(byte[] b, int at, int end, int width, int[] out, int count)
      throws IOException {
    if (width > 32) {
      throw new IOException("bit width " + width + " > 32");
    }
    int byteWidth = (width + 7) >>> 3;
    long mask = (1L << width) - 1;
    int i = 0;
    while (i < count) {
      if (at >= end) {
        throw new IOException("RLE data ends after " + i + " of " + count + " values");
      }
      int header = 0;
      int shift = 0;
      int x;
      do {
        x = at < end ? b[at++] & 0xFF : 0;
        header |= (x & 0x7F) << shift;
        shift += 7;
      } while ((x & 0x80) != 0 && shift < 35);
      if ((header & 1) == 0) {
        int run = header >>> 1;
        int v = 0;
        for (int k = 0; k < byteWidth; k++) {
          v |= (at < end ? b[at] & 0xFF : 0) << (8 * k);
          at++;
        }
        int m = Math.min(run, count - i);
        Arrays.fill(out, i, i + m, v);
        i += m;
      } else {
        int groups = header >>> 1;
        int m = (int) Math.min((long) groups * 8, count - i);
        long buf = 0;
        int bits = 0;
        int p = at;
        for (int k = 0; k < m; k++) {
          while (bits < width) {
            buf |= (long) (p < end ? b[p] & 0xFF : 0) << bits;
            p++;
            bits += 8;
          }
          out[i++] = (int) (buf & mask);
          buf >>>= width;
          bits -= width;
        }
        at += groups * width;
      }
    }
  }
}
