package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.datasketches.hll.HllSketch;

/**
 * Binary form of partial aggregates and feature values. Part of the checkpoint format: every change
 * here needs a new {@code io.freshet.state.StateCodec} version and a round-trip test.
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

  private static void writeBytes(DataOutput out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInput in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }

  public static void write(DataOutput out, Partial p) throws IOException {
    out.writeByte(p.kind().code);
    switch (p.kind()) {
      case COUNT -> out.writeLong(((CountPartial) p).n);
      case SUM_LONG -> out.writeLong(((SumLongPartial) p).sum);
      case SUM_DOUBLE -> out.writeDouble(((SumDoublePartial) p).sum);
      case AVG -> {
        AvgPartial a = (AvgPartial) p;
        out.writeDouble(a.sum);
        out.writeLong(a.n);
      }
      case MIN_LONG, MAX_LONG -> {
        ExtremumLongPartial e = (ExtremumLongPartial) p;
        out.writeBoolean(e.present);
        out.writeLong(e.v);
      }
      case MIN_DOUBLE, MAX_DOUBLE -> {
        ExtremumDoublePartial e = (ExtremumDoublePartial) p;
        out.writeBoolean(e.present);
        out.writeDouble(e.v);
      }
      case FIRST, LAST -> {
        FirstLastPartial f = (FirstLastPartial) p;
        out.writeBoolean(f.present);
        out.writeLong(f.ts);
        writeValue(out, f.v);
      }
      case DISTINCT -> {
        DistinctPartial d = (DistinctPartial) p;
        if (d.sketch == null) {
          out.writeBoolean(false);
          out.writeInt(d.hashes.length);
          for (long h : d.hashes) {
            out.writeLong(h);
          }
        } else {
          out.writeBoolean(true);
          writeBytes(out, d.sketch.toCompactByteArray());
        }
      }
      case PERCENTILE -> {
        PercentilePartial q = (PercentilePartial) p;
        out.writeDouble(q.q);
        if (q.sketch == null) {
          out.writeBoolean(false);
          out.writeInt(q.n);
          for (int i = 0; i < q.n; i++) {
            out.writeDouble(q.exact[i]);
          }
        } else {
          out.writeBoolean(true);
          q.sketch.write(out);
        }
      }
      case DECAYED_SUM -> {
        DecayedSumPartial d = (DecayedSumPartial) p;
        out.writeLong(d.halfLifeMillis);
        out.writeBoolean(d.present);
        out.writeLong(d.anchor);
        out.writeDouble(d.sum);
      }
      default -> throw new IllegalStateException("unhandled kind " + p.kind());
    }
  }

  public static Partial read(DataInput in) throws IOException {
    PartialKind kind = PartialKind.ofCode(in.readByte());
    switch (kind) {
      case COUNT -> {
        CountPartial c = new CountPartial();
        c.n = in.readLong();
        return c;
      }
      case SUM_LONG -> {
        SumLongPartial s = new SumLongPartial();
        s.sum = in.readLong();
        return s;
      }
      case SUM_DOUBLE -> {
        SumDoublePartial s = new SumDoublePartial();
        s.sum = in.readDouble();
        return s;
      }
      case AVG -> {
        AvgPartial a = new AvgPartial();
        a.sum = in.readDouble();
        a.n = in.readLong();
        return a;
      }
      case MIN_LONG, MAX_LONG -> {
        ExtremumLongPartial e = new ExtremumLongPartial(kind == PartialKind.MAX_LONG);
        e.present = in.readBoolean();
        e.v = in.readLong();
        return e;
      }
      case MIN_DOUBLE, MAX_DOUBLE -> {
        ExtremumDoublePartial e = new ExtremumDoublePartial(kind == PartialKind.MAX_DOUBLE);
        e.present = in.readBoolean();
        e.v = in.readDouble();
        return e;
      }
      case FIRST, LAST -> {
        FirstLastPartial f = new FirstLastPartial(kind == PartialKind.LAST);
        f.present = in.readBoolean();
        f.ts = in.readLong();
        f.v = readValue(in);
        return f;
      }
      case DISTINCT -> {
        DistinctPartial d = new DistinctPartial();
        if (in.readBoolean()) {
          d.sketch = HllSketch.heapify(readBytes(in));
        } else {
          long[] h = new long[in.readInt()];
          for (int i = 0; i < h.length; i++) {
            h[i] = in.readLong();
          }
          d.hashes = h;
        }
        return d;
      }
      case PERCENTILE -> {
        PercentilePartial q = new PercentilePartial(in.readDouble());
        if (in.readBoolean()) {
          q.sketch = LogHistogram.read(in);
        } else {
          q.n = in.readInt();
          q.exact = new double[q.n];
          for (int i = 0; i < q.n; i++) {
            q.exact[i] = in.readDouble();
          }
        }
        return q;
      }
      case DECAYED_SUM -> {
        DecayedSumPartial d = new DecayedSumPartial(in.readLong());
        d.present = in.readBoolean();
        d.anchor = in.readLong();
        d.sum = in.readDouble();
        return d;
      }
      default -> throw new IOException("unhandled kind " + kind);
    }
  }
}
