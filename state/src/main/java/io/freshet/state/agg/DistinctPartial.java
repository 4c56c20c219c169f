package io.freshet.state.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;

/**
 * Approximate count of distinct values. Small sets are exact (a sorted array of 64-bit value
 * hashes, up to {@link #EXACT_LIMIT}); larger ones become an HLL sketch with lgK = {@value #LG_K}
 * (relative standard error about 1.6%), so a quiet entity's tiles stay tiny.
 */
public final class DistinctPartial implements Partial {
  public static final int LG_K = 12;
  public static final int EXACT_LIMIT = 64;

  long[] hashes = new long[0]; // sorted, distinct; used while sketch == null
  HllSketch sketch;

  @Override
  public void add(Object value, long eventTime) {
    insert(hash(value));
  }

  private void insert(long h) {
    if (sketch != null) {
      sketch.update(h);
      return;
    }
    int i = Arrays.binarySearch(hashes, h);
    if (i >= 0) {
      return;
    }
    int at = -i - 1;
    long[] next = new long[hashes.length + 1];
    System.arraycopy(hashes, 0, next, 0, at);
    next[at] = h;
    System.arraycopy(hashes, at, next, at + 1, hashes.length - at);
    hashes = next;
    if (hashes.length > EXACT_LIMIT) {
      toSketch();
    }
  }

  private void toSketch() {
    sketch = new HllSketch(LG_K);
    for (long h : hashes) {
      sketch.update(h);
    }
    hashes = new long[0];
  }

  @Override
  public void merge(Partial other) {
    DistinctPartial o = (DistinctPartial) other;
    if (o.sketch == null) {
      for (long h : o.hashes) {
        insert(h);
      }
      return;
    }
    if (sketch == null) {
      toSketch();
    }
    Union u = new Union(LG_K);
    u.update(sketch);
    u.update(o.sketch);
    sketch = u.getResult();
  }

  @Override
  public Object value(long t) {
    // The composite estimator reads the registers only, so the value is a function of the set of
    // values: getEstimate() would use the HIP estimator while the sketch has seen its updates in
    // order, which depends on that order and on whether the sketch went through a restore or a
    // merge (a restarted job then wrote other values than a clean run; DistinctDeterminismTest).
    return sketch == null ? (long) hashes.length : Math.round(sketch.getCompositeEstimate());
  }

  @Override
  public Partial copy() {
    DistinctPartial c = new DistinctPartial();
    c.hashes = hashes.clone();
    c.sketch = sketch == null ? null : sketch.copy();
    return c;
  }

  @Override
  public void writeBody(DataOutput out) throws IOException {
    if (sketch == null) {
      out.writeBoolean(false);
      out.writeInt(hashes.length);
      for (long h : hashes) {
        out.writeLong(h);
      }
    } else {
      out.writeBoolean(true);
      byte[] b = sketch.toCompactByteArray();
      out.writeInt(b.length);
      out.write(b);
    }
  }

  static DistinctPartial read(DataInput in) throws IOException {
    DistinctPartial d = new DistinctPartial();
    if (in.readBoolean()) {
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      d.sketch = HllSketch.heapify(b);
    } else {
      long[] h = new long[in.readInt()];
      for (int i = 0; i < h.length; i++) {
        h[i] = in.readLong();
      }
      d.hashes = h;
    }
    return d;
  }

  @Override
  public PartialKind kind() {
    return PartialKind.DISTINCT;
  }

  /** A stable 64-bit hash of a value (the same on every JVM and in every run). */
  public static long hash(Object v) {
    byte[] bytes;
    if (v instanceof String s) {
      bytes = s.getBytes(StandardCharsets.UTF_8);
      return mix(fnv(bytes) ^ 0x5bd1e995L);
    } else if (v instanceof Long l) {
      return mix(l ^ 0x1L);
    } else if (v instanceof Double d) {
      return mix(Double.doubleToLongBits(d) ^ 0x2L);
    } else if (v instanceof Boolean b) {
      return mix(b ? 0x3L : 0x4L);
    }
    throw new IllegalArgumentException("not a feature value type: " + v);
  }

  private static long fnv(byte[] bytes) {
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return h;
  }

  // SplitMix64 finaliser: spreads bits so that similar inputs get unrelated hashes.
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
