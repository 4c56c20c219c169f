package io.freshet.state.agg;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Test fixtures for partial aggregates: one empty partial and one value generator per {@link
 * PartialKind}, and codec helpers.
 */
public final class PartialsForTests {
  private PartialsForTests() {}

  public static final long HALF_LIFE = 60_000L;

  /** An empty partial of a kind. */
  public static Partial empty(PartialKind kind) {
    return switch (kind) {
      case COUNT -> new CountPartial();
      case SUM_LONG -> new SumLongPartial();
      case SUM_DOUBLE -> new SumDoublePartial();
      case AVG -> new AvgPartial();
      case MIN_LONG -> new ExtremumLongPartial(false);
      case MAX_LONG -> new ExtremumLongPartial(true);
      case MIN_DOUBLE -> new ExtremumDoublePartial(false);
      case MAX_DOUBLE -> new ExtremumDoublePartial(true);
      case FIRST -> new FirstLastPartial(false);
      case LAST -> new FirstLastPartial(true);
      case DISTINCT -> new DistinctPartial();
      case PERCENTILE -> new PercentilePartial(0.9);
      case DECAYED_SUM -> new DecayedSumPartial(HALF_LIFE);
      case VARIANCE -> new VariancePartial(false);
      case STDDEV -> new VariancePartial(true);
    };
  }

  public static Supplier<Partial> emptyOf(PartialKind kind) {
    return () -> empty(kind);
  }

  /** A random value of the type a kind aggregates (strings for first/last/distinct). */
  public static Function<Random, Object> values(PartialKind kind) {
    return switch (kind) {
      case COUNT -> r -> Boolean.TRUE;
      case SUM_LONG, MIN_LONG, MAX_LONG -> r -> (long) r.nextInt(2_000_001) - 1_000_000;
      case SUM_DOUBLE, AVG, MIN_DOUBLE, MAX_DOUBLE, DECAYED_SUM ->
          r -> Math.round(r.nextGaussian() * 100_000) / 100.0;
      case PERCENTILE -> r -> r.nextDouble() * 1000;
      // far from 0 relative to their spread, where a sum of squares would lose digits
      case VARIANCE, STDDEV -> r -> 1e6 + Math.round(r.nextGaussian() * 100_000) / 100.0;
      case FIRST, LAST -> r -> "v" + r.nextInt(50);
      case DISTINCT -> r -> "m" + r.nextInt(1_000_000);
    };
  }

  /** One event: a value and its event time. */
  public record Event(Object value, long ts) {}

  public static List<Event> events(PartialKind kind, Random r, int n, long from, long span) {
    Function<Random, Object> gen = values(kind);
    List<Event> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Event(gen.apply(r), from + (long) (r.nextDouble() * span)));
    }
    return out;
  }

  public static Partial fed(PartialKind kind, List<Event> events) {
    Partial p = empty(kind);
    for (Event e : events) {
      p.add(e.value(), e.ts());
    }
    return p;
  }

  public static byte[] bytes(Partial p) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bos)) {
      PartialCodec.write(out, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }

  public static Partial read(byte[] b) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      Partial p = PartialCodec.read(in);
      if (in.available() != 0) {
        throw new AssertionError(in.available() + " bytes left after reading a partial");
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Partial roundTrip(Partial p) {
    return read(bytes(p));
  }

  /**
   * Whether the partial is an HLL sketch still in its coupon (list or set) mode. The compact form
   * of a coupon set lists coupons in hash-table order, and a heapified set may lay its table out
   * differently, so such a partial can re-encode to other bytes with the same coupons and estimate.
   */
  public static boolean isHllCoupons(Partial p) {
    // The HLL preamble's mode byte (offset 7) holds the current mode in its low bits: 0 LIST,
    // 1 SET, 2 HLL.
    return p instanceof DistinctPartial d
        && d.sketch != null
        && (d.sketch.toCompactByteArray()[7] & 3) != 2;
  }

  /**
   * A comparable form of a partial: its codec bytes in hex, except for an HLL coupon list or set,
   * which is its sorted coupons (the codec writes them in hash-table order, which a restored sketch
   * need not reproduce: same coupons, same estimate, other bytes).
   */
  public static String canonical(Partial p) {
    if (!isHllCoupons(p)) {
      return p.kind() + ":" + java.util.HexFormat.of().formatHex(bytes(p));
    }
    byte[] b = ((DistinctPartial) p).sketch.toCompactByteArray();
    int header = b[0] * 4; // preamble ints, in the first byte
    java.nio.ByteBuffer buf =
        java.nio.ByteBuffer.wrap(b, header, b.length - header)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int[] coupons = new int[(b.length - header) / 4];
    for (int i = 0; i < coupons.length; i++) {
      coupons[i] = buf.getInt();
    }
    java.util.Arrays.sort(coupons);
    return p.kind() + " coupons:" + java.util.Arrays.toString(coupons);
  }

  /** Asserts that two partials hold the same aggregate state (see {@link #canonical}). */
  public static void assertSamePartial(Partial actual, Partial expected, String what) {
    String a = canonical(actual);
    String e = canonical(expected);
    if (!a.equals(e)) {
      throw new AssertionError(what + ": " + abbreviate(a) + " but expected " + abbreviate(e));
    }
  }

  public static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " chars)";
  }

  /** Asserts equal bytes, reporting the first difference rather than both arrays. */
  public static void assertSameBytes(byte[] actual, byte[] expected, String what) {
    int n = Math.min(actual.length, expected.length);
    int i = 0;
    while (i < n && actual[i] == expected[i]) {
      i++;
    }
    if (i < n || actual.length != expected.length) {
      throw new AssertionError(
          what
              + ": "
              + actual.length
              + " bytes, expected "
              + expected.length
              + "; first difference at byte "
              + i);
    }
  }

  /** Whether the partial has moved from its exact form to a sketch. */
  public static boolean isSketch(Partial p) {
    if (p instanceof DistinctPartial d) {
      return d.sketch != null;
    }
    if (p instanceof PercentilePartial q) {
      return q.sketch != null;
    }
    return false;
  }
}
