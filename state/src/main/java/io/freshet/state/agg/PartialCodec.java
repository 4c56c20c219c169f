package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Binary form of partial aggregates and feature values. A partial is its kind's code followed by
 * the body the partial writes ({@link Partial#writeBody}) and its kind reads ({@link PartialKind}):
 * each aggregation owns its encoding. Part of the checkpoint format: every change to an existing
 * encoding needs a new {@code io.freshet.state.StateCodec} version and a round-trip test; a new
 * kind with a new code does not (docs/architecture.md, Adding an aggregation).
 */
public final class PartialCodec {
  private PartialCodec() {}

  private static final byte NULL = 0;
  private static final byte LONG = 1;
  private static final byte DOUBLE = 2;
  private static final byte STRING = 3;
  private static final byte BOOLEAN = 4;

  public static void writeValue(DataOutput out, Object v) throws IOException {
    if (v == null) {
      out.writeByte(NULL);
    } else if (v instanceof Long l) {
      out.writeByte(LONG);
      out.writeLong(l);
    } else if (v instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (v instanceof String s) {
      out.writeByte(STRING);
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    } else if (v instanceof Boolean b) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(b);
    } else {
      throw new IllegalArgumentException("not a feature value type: " + v.getClass().getName());
    }
  }

  public static Object readValue(DataInput in) throws IOException {
    byte tag = in.readByte();
    return switch (tag) {
      case NULL -> null;
      case LONG -> in.readLong();
      case DOUBLE -> in.readDouble();
      case STRING -> {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        yield new String(b, StandardCharsets.UTF_8);
      }
      case BOOLEAN -> in.readBoolean();
      default -> throw new IOException("corrupt value tag " + tag);
    };
  }

  /** Writes a partial: its kind's code, then the body the partial writes. */
  public static void write(DataOutput out, Partial p) throws IOException {
    out.writeByte(p.kind().code);
    p.writeBody(out);
  }

  /** Reads a partial written by {@link #write}. */
  public static Partial read(DataInput in) throws IOException {
    return PartialKind.ofCode(in.readByte()).readBody(in);
  }
}
