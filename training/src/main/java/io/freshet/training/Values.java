package io.freshet.training;

import io.freshet.spec.ValueType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Compact binary encoding of feature values and entities in spill files. */
final class Values {
  private Values() {}

  static void writeString(DataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInput in) throws IOException {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }

  static void write(DataOutput out, ValueType type, Object v) throws IOException {
    if (v == null) {
      out.writeByte(0);
      return;
    }
    out.writeByte(1);
    switch (type) {
      case LONG -> out.writeLong(((Number) v).longValue());
      case DOUBLE -> out.writeDouble(((Number) v).doubleValue());
      case STRING -> writeString(out, v.toString());
      case BOOLEAN -> out.writeBoolean((Boolean) v);
    }
  }

  static Object read(DataInput in, ValueType type) throws IOException {
    if (in.readByte() == 0) {
      return null;
    }
    return switch (type) {
      case LONG -> in.readLong();
      case DOUBLE -> in.readDouble();
      case STRING -> readString(in);
      case BOOLEAN -> in.readBoolean();
    };
  }

  /** Writes one cell of a feature column, as {@link #write} would write its value. */
  static void write(DataOutput out, FeatureColumns values, int f, int row) throws IOException {
    if (!values.isPresent(f, row)) {
      out.writeByte(0);
      return;
    }
    out.writeByte(1);
    switch (values.types[f]) {
      case LONG, DOUBLE -> out.writeLong(values.bits(f, row));
      case STRING -> writeString(out, values.text(f, row));
      case BOOLEAN -> out.writeBoolean(values.bits(f, row) != 0);
    }
  }

  /** Reads a cell written by {@link #write(DataOutput, FeatureColumns, int, int)}. */
  static void read(DataInput in, FeatureColumns values, int f, int row) throws IOException {
    if (in.readByte() == 0) {
      values.setNull(f, row);
      return;
    }
    switch (values.types[f]) {
      case LONG, DOUBLE -> values.setBits(f, row, in.readLong());
      case STRING -> values.setText(f, row, readString(in));
      case BOOLEAN -> values.setBits(f, row, in.readBoolean() ? 1 : 0);
    }
  }

  static byte[] readBytes(DataInput in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }

  /** A value as the output column's Java type (Iceberg may hand over Integer or Float). */
  static Object normalize(ValueType type, Object v) {
    if (v == null) {
      return null;
    }
    return switch (type) {
      case LONG -> v instanceof Long ? v : ((Number) v).longValue();
      case DOUBLE -> v instanceof Double ? v : ((Number) v).doubleValue();
      case STRING -> v instanceof String ? v : v.toString();
      case BOOLEAN -> v;
    };
  }
}
