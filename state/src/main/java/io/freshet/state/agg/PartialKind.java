package io.freshet.state.agg;

/** Partial aggregate kinds; the byte is persisted in checkpoints and must never change. */
public enum PartialKind {
  COUNT(1),
  SUM_LONG(2),
  SUM_DOUBLE(3),
  AVG(4),
  MIN_LONG(5),
  MAX_LONG(6),
  MIN_DOUBLE(7),
  MAX_DOUBLE(8),
  FIRST(9),
  LAST(10),
  DISTINCT(11),
  PERCENTILE(12),
  DECAYED_SUM(13);

  public final byte code;

  PartialKind(int code) {
    this.code = (byte) code;
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
