package io.freshet.state.agg;

import java.io.DataInput;
import java.io.IOException;

/**
 * Partial aggregate kinds. Each one owns its persisted code, written before every partial of the
 * kind in checkpoints, and the reader of the body its partial writes ({@link Partial#writeBody}): a
 * new kind does not compile until it says both. A code must never change or be reused; a new kind
 * takes the next free one (old states never contain it, so adding one is not a format version
 * change).
 */
public enum PartialKind {
  COUNT(1, CountPartial::read),
  SUM_LONG(2, SumLongPartial::read),
  SUM_DOUBLE(3, SumDoublePartial::read),
  AVG(4, AvgPartial::read),
  MIN_LONG(5, in -> ExtremumLongPartial.read(in, false)),
  MAX_LONG(6, in -> ExtremumLongPartial.read(in, true)),
  MIN_DOUBLE(7, in -> ExtremumDoublePartial.read(in, false)),
  MAX_DOUBLE(8, in -> ExtremumDoublePartial.read(in, true)),
  FIRST(9, in -> FirstLastPartial.read(in, false)),
  LAST(10, in -> FirstLastPartial.read(in, true)),
  DISTINCT(11, DistinctPartial::read),
  PERCENTILE(12, PercentilePartial::read),
  DECAYED_SUM(13, DecayedSumPartial::read),
  VARIANCE(14, in -> VariancePartial.read(in, false)),
  STDDEV(15, in -> VariancePartial.read(in, true));

  /** Reads the body of a partial of one kind, the kind's code already read. */
  @FunctionalInterface
  interface Reader {
    Partial read(DataInput in) throws IOException;
  }

  public final byte code;
  private final Reader reader;

  PartialKind(int code, Reader reader) {
    this.code = (byte) code;
    this.reader = reader;
  }

  /** Reads the body of a partial of this kind (see {@link PartialCodec#read}). */
  Partial readBody(DataInput in) throws IOException {
    return reader.read(in);
  }

  public static PartialKind ofCode(byte code) {
    for (PartialKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown partial kind code " + code);
  }
}
