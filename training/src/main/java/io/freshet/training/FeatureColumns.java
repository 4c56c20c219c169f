package io.freshet.training;

import io.freshet.spec.ValueType;
import java.util.List;

/**
 * Feature values without boxing, row by row: a row's LONG, DOUBLE (raw bits) and BOOLEAN (0 or 1)
 * values are adjacent in one {@code long[]}, its STRING values adjacent in one {@code String[]},
 * its presence flags (absent is null) in one bit mask. Row-major because the join copies whole rows
 * to scattered positions: one row then touches two or three cache lines, not two per feature. Fixed
 * capacity.
 */
final class FeatureColumns {
  final ValueType[] types;
  private final int features;
  private final int maskWords; // presence words per row
  private final int strings; // STRING features per row
  private final int[] textSlot; // feature -> its index among the STRING features, or -1
  private final long[] cells; // row * features + f
  private final String[] text; // row * strings + textSlot[f]
  private final long[] present; // row * maskWords + f / 64, bit f % 64

  FeatureColumns(List<ValueType> types, int capacity) {
    this.types = types.toArray(ValueType[]::new);
    this.features = this.types.length;
    this.maskWords = Math.max(1, (features + 63) >>> 6);
    this.textSlot = new int[features];
    int s = 0;
    for (int f = 0; f < features; f++) {
      textSlot[f] = this.types[f] == ValueType.STRING ? s++ : -1;
    }
    this.strings = s;
    this.cells = new long[capacity * features];
    this.text = new String[capacity * strings];
    this.present = new long[capacity * maskWords];
  }

  int features() {
    return features;
  }

  /** Copies row {@code from} of {@code src} (same types) to row {@code to}. */
  void copy(FeatureColumns src, int from, int to) {
    int a = from * features;
    int b = to * features;
    for (int f = 0; f < features; f++) {
      cells[b + f] = src.cells[a + f];
    }
    a = from * strings;
    b = to * strings;
    for (int i = 0; i < strings; i++) {
      text[b + i] = src.text[a + i];
    }
    a = from * maskWords;
    b = to * maskWords;
    for (int i = 0; i < maskWords; i++) {
      present[b + i] = src.present[a + i];
    }
  }

  /** Longs a row takes in a row-major copy ({@link #exportRow}): its cells, then its presence. */
  int rowLongs() {
    return features + maskWords;
  }

  /** Strings a row takes in a row-major copy. */
  int rowStrings() {
    return strings;
  }

  /**
   * Copies row {@code row} to {@code cells[at .. at + rowLongs())} and {@code text[textAt .. textAt
   * + rowStrings())}, for {@link #importRow}.
   */
  void exportRow(int row, long[] cells, int at, String[] text, int textAt) {
    int a = row * features;
    for (int f = 0; f < features; f++) {
      cells[at + f] = this.cells[a + f];
    }
    a = row * maskWords;
    at += features;
    for (int i = 0; i < maskWords; i++) {
      cells[at + i] = present[a + i];
    }
    a = row * strings;
    for (int i = 0; i < strings; i++) {
      text[textAt + i] = this.text[a + i];
    }
  }

  /** Sets row {@code to} from a row-major copy made by {@link #exportRow} (same types). */
  void importRow(long[] cells, int at, String[] text, int textAt, int to) {
    int b = to * features;
    for (int f = 0; f < features; f++) {
      this.cells[b + f] = cells[at + f];
    }
    b = to * maskWords;
    at += features;
    for (int i = 0; i < maskWords; i++) {
      present[b + i] = cells[at + i];
    }
    b = to * strings;
    for (int i = 0; i < strings; i++) {
      this.text[b + i] = text[textAt + i];
    }
  }

  boolean isPresent(int f, int row) {
    return (present[row * maskWords + (f >>> 6)] & (1L << f)) != 0;
  }

  /** Marks a cell null (its old value is not looked at again). */
  void setNull(int f, int row) {
    present[row * maskWords + (f >>> 6)] &= ~(1L << f);
    if (textSlot[f] >= 0) {
      text[row * strings + textSlot[f]] = null;
    }
  }

  /** Sets a LONG, DOUBLE (raw bits) or BOOLEAN (0 or 1) cell. */
  void setBits(int f, int row, long bits) {
    cells[row * features + f] = bits;
    present[row * maskWords + (f >>> 6)] |= 1L << f;
  }

  void setText(int f, int row, String s) {
    text[row * strings + textSlot[f]] = s;
    present[row * maskWords + (f >>> 6)] |= 1L << f;
  }

  /** Sets a cell from a Java value (Long, Double, String, Boolean or any Number; null is null). */
  void set(int f, int row, Object v) {
    if (v == null) {
      setNull(f, row);
      return;
    }
    switch (types[f]) {
      case LONG -> setBits(f, row, ((Number) v).longValue());
      case DOUBLE -> setBits(f, row, Double.doubleToRawLongBits(((Number) v).doubleValue()));
      case STRING -> setText(f, row, v.toString());
      case BOOLEAN -> setBits(f, row, ((Boolean) v) ? 1 : 0);
    }
  }

  /** A LONG, DOUBLE (raw bits) or BOOLEAN (0 or 1) cell; meaningful when present. */
  long bits(int f, int row) {
    return cells[row * features + f];
  }

  /** A STRING cell, or null. */
  String text(int f, int row) {
    return text[row * strings + textSlot[f]];
  }

  /** A cell as its output Java type: Long, Double, String, Boolean, or null. */
  Object get(int f, int row) {
    if (!isPresent(f, row)) {
      return null;
    }
    return switch (types[f]) {
      case LONG -> bits(f, row);
      case DOUBLE -> Double.longBitsToDouble(bits(f, row));
      case STRING -> text(f, row);
      case BOOLEAN -> bits(f, row) != 0;
    };
  }
}
