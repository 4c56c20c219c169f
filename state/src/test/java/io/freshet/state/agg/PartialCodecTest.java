package io.freshet.state.agg;

import static io.freshet.state.agg.PartialsForTests.HALF_LIFE;
import static io.freshet.state.agg.PartialsForTests.bytes;
import static io.freshet.state.agg.PartialsForTests.empty;
import static io.freshet.state.agg.PartialsForTests.events;
import static io.freshet.state.agg.PartialsForTests.fed;
import static io.freshet.state.agg.PartialsForTests.isSketch;
import static io.freshet.state.agg.PartialsForTests.read;
import static io.freshet.state.agg.PartialsForTests.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.state.agg.PartialsForTests.Event;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Round trips of every partial kind through {@link PartialCodec}, in the exact and the sketch forms
 * of distinct counts and percentiles: the restored partial has the same value, re-encodes to the
 * same bytes, and keeps behaving like the original under further adds and merges.
 */
class PartialCodecTest {
  private static final long T0 = 1_767_225_600_000L;
  private static final long SPAN = 10 * 60_000L;

  /** Every kind with 0, 1 and a few values, and the exact/sketch boundaries of the sketches. */
  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (PartialKind k : PartialKind.values()) {
      cases.add(Arguments.of(k, 0));
      cases.add(Arguments.of(k, 1));
      cases.add(Arguments.of(k, 17));
    }
    for (int n :
        new int[] {DistinctPartial.EXACT_LIMIT, DistinctPartial.EXACT_LIMIT + 1, 3_000, 20_000}) {
      cases.add(Arguments.of(PartialKind.DISTINCT, n));
    }
    for (int n :
        new int[] {
          PercentilePartial.EXACT_LIMIT, PercentilePartial.EXACT_LIMIT + 1, 3_000, 20_000
        }) {
      cases.add(Arguments.of(PartialKind.PERCENTILE, n));
    }
    return cases.stream();
  }

  /** n events whose values are all different (so the distinct count is n). */
  private static List<Event> distinctEvents(PartialKind kind, Random r, int n) {
    List<Event> evs = events(kind, r, n, T0, SPAN);
    if (kind != PartialKind.DISTINCT) {
      return evs;
    }
    List<Event> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Event("m" + i, evs.get(i).ts()));
    }
    return out;
  }

  @ParameterizedTest(name = "{0} with {1} values")
  @MethodSource("cases")
  void roundTripGivesEqualValuesAndBehavesIdentically(PartialKind kind, int n) {
    Random r = new Random(31L * kind.ordinal() + n);
    Partial original = fed(kind, distinctEvents(kind, r, n));
    byte[] written = bytes(original);

    Partial restored = read(written);

    assertThat(restored.kind()).isEqualTo(kind);
    assertThat(restored).isExactlyInstanceOf(original.getClass());
    assertThat(isSketch(restored)).isEqualTo(isSketch(original));
    if (PartialsForTests.isHllCoupons(original)) {
      PartialsForTests.assertSamePartial(restored, original, "same coupons");
    } else {
      PartialsForTests.assertSameBytes(bytes(restored), written, "re-encodes to the same bytes");
    }
    for (long t : new long[] {T0, T0 + SPAN, T0 + SPAN + 3 * HALF_LIFE + 7}) {
      assertThat(restored.value(t)).as("value at %d", t).isEqualTo(original.value(t));
    }

    // The same further adds and merges, with the same KLL random draws, give the same state.
    List<Event> more = events(kind, r, 500, T0 - SPAN, 3 * SPAN);
    Partial other = fed(kind, events(kind, r, n + 300, T0 + SPAN, SPAN));
    Partial[] both = {original, restored};
    for (Partial p : both) {
      for (Event e : more) {
        p.add(e.value(), e.ts());
      }
      p.merge(other.copy());
    }
    PartialsForTests.assertSamePartial(restored, original, "after the same adds and merges");
    long t = T0 + 2 * SPAN;
    assertThat(restored.value(t)).isEqualTo(original.value(t));

    // And either one merges into another partial the same way.
    Partial intoA = fed(kind, events(kind, new Random(5), 40, T0, SPAN));
    Partial intoB = intoA.copy();
    intoA.merge(original);
    intoB.merge(restored);
    PartialsForTests.assertSamePartial(intoB, intoA, "merged into another");
  }

  @ParameterizedTest(name = "{0} with {1} values")
  @MethodSource("cases")
  void copyIsDeep(PartialKind kind, int n) {
    Random r = new Random(n);
    Partial p = fed(kind, distinctEvents(kind, r, n));
    byte[] before = bytes(p);
    Partial c = p.copy();
    PartialsForTests.assertSameBytes(bytes(c), before, "bytes");
    for (Event e : events(kind, r, 300, T0, SPAN)) {
      c.add(e.value(), e.ts());
    }
    c.merge(fed(kind, events(kind, r, 300, T0, SPAN)));
    PartialsForTests.assertSameBytes(
        bytes(p), before, "the original is untouched by changes to its copy");
  }

  @Test
  void sketchesTakeOverPastTheirExactLimits() {
    Partial d = fed(PartialKind.DISTINCT, List.of());
    for (int i = 0; i < DistinctPartial.EXACT_LIMIT; i++) {
      d.add("m" + i, T0);
    }
    assertThat(isSketch(d)).isFalse();
    assertThat(isSketch(roundTrip(d))).isFalse();
    d.add("m" + DistinctPartial.EXACT_LIMIT, T0);
    assertThat(isSketch(d)).isTrue();
    assertThat(isSketch(roundTrip(d))).isTrue();
    assertThat(roundTrip(d).value(T0)).isEqualTo((long) DistinctPartial.EXACT_LIMIT + 1);

    Partial q = empty(PartialKind.PERCENTILE);
    for (int i = 0; i < PercentilePartial.EXACT_LIMIT; i++) {
      q.add((double) i, T0);
    }
    assertThat(isSketch(q)).isFalse();
    assertThat(isSketch(roundTrip(q))).isFalse();
    q.add(-1.0, T0);
    assertThat(isSketch(q)).isTrue();
    assertThat(isSketch(roundTrip(q))).isTrue();
    assertThat(roundTrip(q).value(T0)).isEqualTo(q.value(T0));
  }

  @Test
  void percentileKeepsItsQuantileThroughTheCodec() {
    for (double quantile : new double[] {0.0, 0.5, 0.95, 1.0}) {
      PercentilePartial p = new PercentilePartial(quantile);
      for (int i = 1; i <= 10; i++) {
        p.add((double) i, T0);
      }
      Partial restored = roundTrip(p);
      assertThat(((PercentilePartial) restored).q).isEqualTo(quantile);
      assertThat(restored.value(T0)).isEqualTo(p.value(T0));
    }
  }

  @Test
  void firstAndLastKeepTheirValueTypeAndTime() {
    Object[] values = {true, false, 7L, Long.MIN_VALUE, 2.5, -0.0, "", "naïve ✓"};
    for (Object v : values) {
      for (PartialKind kind : List.of(PartialKind.FIRST, PartialKind.LAST)) {
        Partial p = empty(kind);
        p.add(v, T0 + 5);
        FirstLastPartial restored = (FirstLastPartial) roundTrip(p);
        assertThat(restored.v).isEqualTo(v).isExactlyInstanceOf(v.getClass());
        assertThat(restored.ts).isEqualTo(T0 + 5);
        restored.add(v, T0 + 5);
        PartialsForTests.assertSameBytes(bytes(restored), bytes(p), "bytes");
      }
    }
  }

  @Test
  void everyValueTypeRoundTrips() throws IOException {
    String longText = "x".repeat(70_000) + "é"; // longer than writeUTF allows
    Object[] values = {
      null,
      0L,
      -1L,
      Long.MIN_VALUE,
      Long.MAX_VALUE,
      0.0,
      -0.0,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.MIN_VALUE,
      1e300,
      "",
      "naïve ✓ 日本 😀",
      longText,
      true,
      false
    };
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bos)) {
      for (Object v : values) {
        PartialCodec.writeValue(out, v);
      }
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bos.toByteArray()))) {
      for (Object v : values) {
        Object back = PartialCodec.readValue(in);
        assertThat(back).isEqualTo(v);
        if (v != null) {
          assertThat(back).isExactlyInstanceOf(v.getClass());
        }
      }
      assertThat(in.available()).isZero();
    }
  }

  @Test
  void rejectsWhatItCannotRepresent() {
    DataOutputStream out = new DataOutputStream(new ByteArrayOutputStream());
    assertThatThrownBy(() -> PartialCodec.writeValue(out, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a feature value type: java.lang.Integer");
    assertThatThrownBy(() -> PartialCodec.readValue(input(new byte[] {9})))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt value tag 9");
    assertThatThrownBy(() -> PartialCodec.read(input(new byte[] {99})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown partial kind code 99");
  }

  @Test
  void kindCodesNeverChange() {
    Map<PartialKind, Integer> codes = new EnumMap<>(PartialKind.class);
    for (PartialKind k : PartialKind.values()) {
      codes.put(k, (int) k.code);
      assertThat(PartialKind.ofCode(k.code)).isEqualTo(k);
    }
    assertThat(codes)
        .containsExactlyEntriesOf(
            new EnumMap<>(
                Map.ofEntries(
                    Map.entry(PartialKind.COUNT, 1),
                    Map.entry(PartialKind.SUM_LONG, 2),
                    Map.entry(PartialKind.SUM_DOUBLE, 3),
                    Map.entry(PartialKind.AVG, 4),
                    Map.entry(PartialKind.MIN_LONG, 5),
                    Map.entry(PartialKind.MAX_LONG, 6),
                    Map.entry(PartialKind.MIN_DOUBLE, 7),
                    Map.entry(PartialKind.MAX_DOUBLE, 8),
                    Map.entry(PartialKind.FIRST, 9),
                    Map.entry(PartialKind.LAST, 10),
                    Map.entry(PartialKind.DISTINCT, 11),
                    Map.entry(PartialKind.PERCENTILE, 12),
                    Map.entry(PartialKind.DECAYED_SUM, 13),
                    Map.entry(PartialKind.VARIANCE, 14),
                    Map.entry(PartialKind.STDDEV, 15))));
  }

  private static DataInputStream input(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(Arrays.copyOf(b, b.length)));
  }
}
