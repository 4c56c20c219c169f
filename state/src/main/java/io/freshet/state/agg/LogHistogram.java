package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A mergeable quantile sketch with relative value accuracy {@value #ALPHA} (in the manner of
 * DDSketch): each value falls in a logarithmic bucket {@code ceil(log_gamma |x|)}, gamma = (1 +
 * alpha) / (1 - alpha), and a bucket answers with a value within alpha of everything in it.
 *
 * <p>Unlike randomized compaction (KLL), it is deterministic and order-independent: any partition
 * and merge order of the same values gives the same buckets, so replays reproduce percentiles
 * exactly. Values with {@code |x| < 1e-9} count as zero.
 */
public final class LogHistogram {
  public static final double ALPHA = 0.01;
  static final double GAMMA = (1 + ALPHA) / (1 - ALPHA);
  private static final double LN_GAMMA = Math.log(GAMMA);
  private static final double MIN_MAGNITUDE = 1e-9;

  private long zeros;
  private int[] posKeys = new int[0];
  private long[] posCounts = new long[0];
  private int[] negKeys = new int[0];
  private long[] negCounts = new long[0];
  private long n;

  public long count() {
    return n;
  }

  public void add(double x) {
    addCount(x, 1);
  }

  private void addCount(double x, long c) {
    n += c;
    double m = Math.abs(x);
    if (m < MIN_MAGNITUDE) {
      zeros += c;
      return;
    }
    int key = (int) Math.ceil(Math.log(m) / LN_GAMMA);
    if (x > 0) {
      int i = Arrays.binarySearch(posKeys, key);
      if (i >= 0) {
        posCounts[i] += c;
      } else {
        int at = -i - 1;
        posKeys = insert(posKeys, at, key);
        posCounts = insert(posCounts, at, c);
      }
    } else {
      int i = Arrays.binarySearch(negKeys, key);
      if (i >= 0) {
        negCounts[i] += c;
      } else {
        int at = -i - 1;
        negKeys = insert(negKeys, at, key);
        negCounts = insert(negCounts, at, c);
      }
    }
  }

  public void merge(LogHistogram o) {
    n += o.n;
    zeros += o.zeros;
    long[][] pc = new long[1][];
    posKeys = mergeKeys(posKeys, posCounts, o.posKeys, o.posCounts, pc);
    posCounts = pc[0];
    negKeys = mergeKeys(negKeys, negCounts, o.negKeys, o.negCounts, pc);
    negCounts = pc[0];
  }

  private static int[] mergeKeys(int[] ak, long[] ac, int[] bk, long[] bc, long[][] countsOut) {
    int[] k = new int[ak.length + bk.length];
    long[] c = new long[k.length];
    int i = 0;
    int j = 0;
    int o = 0;
    while (i < ak.length || j < bk.length) {
      if (j >= bk.length || (i < ak.length && ak[i] < bk[j])) {
        k[o] = ak[i];
        c[o++] = ac[i++];
      } else if (i >= ak.length || bk[j] < ak[i]) {
        k[o] = bk[j];
        c[o++] = bc[j++];
      } else {
        k[o] = ak[i];
        c[o++] = ac[i++] + bc[j++];
      }
    }
    countsOut[0] = Arrays.copyOf(c, o);
    return Arrays.copyOf(k, o);
  }

  /** The smallest bucket value v with at least a fraction q of the values {@code <= v}. */
  public double quantile(double q) {
    long rank = PercentilePartial.exactIndex(q, n) + 1L;
    long seen = 0;
    for (int i = negKeys.length - 1; i >= 0; i--) { // most negative first
      seen += negCounts[i];
      if (seen >= rank) {
        return -value(negKeys[i]);
      }
    }
    seen += zeros;
    if (seen >= rank) {
      return 0.0;
    }
    for (int i = 0; i < posKeys.length; i++) {
      seen += posCounts[i];
      if (seen >= rank) {
        return value(posKeys[i]);
      }
    }
    throw new IllegalStateException("empty histogram");
  }

  private static double value(int key) {
    return 2 * Math.pow(GAMMA, key) / (GAMMA + 1);
  }

  public LogHistogram copy() {
    LogHistogram c = new LogHistogram();
    c.n = n;
    c.zeros = zeros;
    c.posKeys = posKeys.clone();
    c.posCounts = posCounts.clone();
    c.negKeys = negKeys.clone();
    c.negCounts = negCounts.clone();
    return c;
  }

  public void write(DataOutput out) throws IOException {
    out.writeLong(n);
    out.writeLong(zeros);
    writeBuckets(out, posKeys, posCounts);
    writeBuckets(out, negKeys, negCounts);
  }

  public static LogHistogram read(DataInput in) throws IOException {
    LogHistogram h = new LogHistogram();
    h.n = in.readLong();
    h.zeros = in.readLong();
    int p = in.readInt();
    h.posKeys = new int[p];
    h.posCounts = new long[p];
    for (int i = 0; i < p; i++) {
      h.posKeys[i] = in.readInt();
      h.posCounts[i] = in.readLong();
    }
    int q = in.readInt();
    h.negKeys = new int[q];
    h.negCounts = new long[q];
    for (int i = 0; i < q; i++) {
      h.negKeys[i] = in.readInt();
      h.negCounts[i] = in.readLong();
    }
    return h;
  }

  private static void writeBuckets(DataOutput out, int[] keys, long[] counts) throws IOException {
    out.writeInt(keys.length);
    for (int i = 0; i < keys.length; i++) {
      out.writeInt(keys[i]);
      out.writeLong(counts[i]);
    }
  }

  private static int[] insert(int[] a, int at, int v) {
    int[] r = new int[a.length + 1];
    System.arraycopy(a, 0, r, 0, at);
    r[at] = v;
    System.arraycopy(a, at, r, at + 1, a.length - at);
    return r;
  }

  private static long[] insert(long[] a, int at, long v) {
    long[] r = new long[a.length + 1];
    System.arraycopy(a, 0, r, 0, at);
    r[at] = v;
    System.arraycopy(a, at, r, at + 1, a.length - at);
    return r;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogHistogram h
        && n == h.n
        && zeros == h.zeros
        && Arrays.equals(posKeys, h.posKeys)
        && Arrays.equals(posCounts, h.posCounts)
        && Arrays.equals(negKeys, h.negKeys)
        && Arrays.equals(negCounts, h.negCounts);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(n) * 31 + Arrays.hashCode(posKeys);
  }
}
