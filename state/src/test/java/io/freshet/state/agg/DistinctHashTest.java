package io.freshet.state.agg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The distinct-count hash, persisted in the exact form of every distinct count, recomputed here
 * from its documented definition (docs/semantics.md, Sketches: FNV-1a of the UTF-8 bytes for
 * strings, then a SplitMix64 finaliser) with FNV-1a and SplitMix64 written from their published
 * specifications and checked against their published test vectors. A change of the hash (a seed, a
 * constant, the charset) would make restored exact distinct counts count a value twice.
 *
 * <p>The per-type tags mixed in before the finaliser (strings 0x5bd1e995, longs 1, doubles 2 on the
 * IEEE bits, booleans 3 and 4) keep values of different types apart; docs/semantics.md does not
 * spell them out, so they are pinned here as the code has them.
 */
public class DistinctHashTest {
  private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  /** 64-bit FNV-1a (Fowler, Noll, Vo). */
  private static long fnv1a(byte[] bytes) {
    long h = FNV_OFFSET_BASIS;
    for (byte b : bytes) {
      h = (h ^ Byte.toUnsignedLong(b)) * FNV_PRIME;
    }
    return h;
  }

  /** The SplitMix64 output function (Steele, Lea, Flood 2014; Vigna's splitmix64.c). */
  private static long splitMix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The hash of a feature value, computed here independently of {@link DistinctPartial}. */
  public static long independentHash(Object v) {
    if (v instanceof String s) {
      return splitMix64(fnv1a(s.getBytes(StandardCharsets.UTF_8)) ^ 0x5bd1e995L);
    } else if (v instanceof Long l) {
      return splitMix64(l ^ 1L);
    } else if (v instanceof Double d) {
      return splitMix64(Double.doubleToLongBits(d) ^ 2L);
    } else if (v instanceof Boolean b) {
      return splitMix64(b ? 3L : 4L);
    }
    throw new IllegalArgumentException("not a feature value: " + v);
  }

  @Test
  void theBuildingBlocksMatchTheirPublishedTestVectors() {
    // FNV-1a 64: the empty string is the offset basis; "a" and "foobar" from the FNV test suite.
    assertThat(fnv1a(new byte[0])).isEqualTo(0xcbf29ce484222325L);
    assertThat(fnv1a("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xaf63dc4c8601ec8cL);
    assertThat(fnv1a("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x85944171f73967e8L);
    // splitmix64.c seeded with 0: its first output finalises 0 + the golden gamma.
    assertThat(splitMix64(0x9e3779b97f4a7c15L)).isEqualTo(0xe220a8397b1dcdafL);
  }

  @Test
  void stringsHashTheirUtf8BytesWithFnv1aThenSplitMix64() {
    for (String s :
        List.of("", "a", "m42", "merchant-42", "naïve ✓", "日本", "😀", "x".repeat(1000))) {
      long expected = splitMix64(fnv1a(s.getBytes(StandardCharsets.UTF_8)) ^ 0x5bd1e995L);
      assertThat(DistinctPartial.hash(s)).as("hash of \"%s\"", s).isEqualTo(expected);
    }
  }

  @Test
  void otherTypesHashTheirBitsWithATypeTag() {
    for (long l : new long[] {0, 1, -1, 42, Long.MIN_VALUE, Long.MAX_VALUE}) {
      assertThat(DistinctPartial.hash(l)).as("hash of %d", l).isEqualTo(splitMix64(l ^ 1L));
    }
    for (double d : new double[] {0.0, -0.0, 1.0, 4.2, -1e300, Double.MIN_VALUE}) {
      assertThat(DistinctPartial.hash(d))
          .as("hash of %s", d)
          .isEqualTo(splitMix64(Double.doubleToLongBits(d) ^ 2L));
    }
    assertThat(DistinctPartial.hash(true)).isEqualTo(splitMix64(3L));
    assertThat(DistinctPartial.hash(false)).isEqualTo(splitMix64(4L));
  }

  @Test
  void valuesOfDifferentTypesHashApart() {
    // 1, 1.0, "1" and true are four values (docs/semantics.md)
    assertThat(
            List.of(
                DistinctPartial.hash(1L),
                DistinctPartial.hash(1.0),
                DistinctPartial.hash("1"),
                DistinctPartial.hash(true)))
        .doesNotHaveDuplicates();
  }
}
