package io.freshet.state;

import static io.freshet.state.ViewStates.MIN;
import static io.freshet.state.ViewStates.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.state.agg.DistinctHashTest;
import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.PartialsForTests;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Format version 3 of the view state, pinned for every partial kind by committed bytes under {@code
 * src/test/resources/state-format/v3/}: one view state per kind (and per form of the sketches),
 * holding that kind as tiles of a 1 h window (two 1 min tiles) and as a lifetime partial.
 *
 * <p>Reading them is forever: a later format must still restore these bytes to the same state and
 * values (STYLE.md 15). Writing them holds while the writer writes version 3; a new version adds
 * its own fixtures next to these (state-format/v4/...) and keeps {@link #readsTheV3Fixture}.
 */
class StateFormatV3Test {
  static final long READ_AT = T0 + 61_000;

  /**
   * One fixture: the events that make it (value and time) and what its two features must read at
   * {@link #READ_AT}.
   */
  record Fixture(String name, PartialKind kind, List<Object[]> events, Consumer<Object> value) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Object[] at(Object value, long ts) {
    return new Object[] {value, ts};
  }

  private static Consumer<Object> equalBits(Object expected) {
    return v -> {
      if (expected instanceof Double d) {
        assertThat(Double.doubleToRawLongBits((Double) v))
            .as("%s, bit for bit", v)
            .isEqualTo(Double.doubleToRawLongBits(d));
      } else {
        assertThat(v).isEqualTo(expected);
      }
    };
  }

  static Stream<Fixture> fixtures() {
    long a = T0 + 1_000; // tile T0
    long b = T0 + 61_000; // tile T0 + 1 min
    List<Object[]> coupons = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      coupons.add(at("m" + i, i < 80 ? a : b)); // a coupon tile, an exact one
    }
    List<Object[]> hll = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      hll.add(at("u" + i, i < 1_000 ? a : b));
    }
    List<Object[]> many = new ArrayList<>();
    for (int i = 0; i <= 300; i++) { // -150 to 300 by 1.5, 0.0 among them
      many.add(at((i - 100) * 1.5, i < 250 ? a : b)); // a sketch tile, an exact one
    }
    return Stream.of(
        new Fixture(
            "count",
            PartialKind.COUNT,
            List.of(at(true, a), at(true, b), at(true, b)),
            equalBits(3L)),
        new Fixture(
            "sum-long",
            PartialKind.SUM_LONG,
            List.of(at(5L, a), at(-3L, b), at(Long.MAX_VALUE, b)),
            equalBits(Long.MIN_VALUE + 1)), // wraps like Java long
        new Fixture(
            "sum-double",
            PartialKind.SUM_DOUBLE,
            List.of(at(2.5, a), at(-0.25, b), at(0.125, b)),
            equalBits(2.375)),
        new Fixture(
            "avg", PartialKind.AVG, List.of(at(1.5, a), at(2.0, b), at(2.5, b)), equalBits(2.0)),
        new Fixture(
            "min-long",
            PartialKind.MIN_LONG,
            List.of(at(5L, a), at(-3L, b), at(12L, b)),
            equalBits(-3L)),
        new Fixture(
            "max-long",
            PartialKind.MAX_LONG,
            List.of(at(5L, a), at(-3L, b), at(12L, b)),
            equalBits(12L)),
        new Fixture(
            "min-double",
            PartialKind.MIN_DOUBLE,
            List.of(at(0.0, a), at(-0.0, b), at(1.5, b)),
            equalBits(-0.0)),
        new Fixture(
            "max-double",
            PartialKind.MAX_DOUBLE,
            List.of(at(-0.0, a), at(0.0, b), at(-1.5, b)),
            equalBits(0.0)),
        new Fixture(
            "first",
            PartialKind.FIRST,
            List.of(at("b", a), at("a", a), at("z", b)),
            equalBits("a")),
        new Fixture(
            "last", PartialKind.LAST, List.of(at(7L, a), at("x", b), at(2.5, b)), equalBits("x")),
        new Fixture(
            "distinct-exact",
            PartialKind.DISTINCT,
            List.of(at("m1", a), at(42L, a), at(4.2, b), at(true, b), at("m1", b)),
            equalBits(4L)),
        new Fixture("distinct-coupons", PartialKind.DISTINCT, coupons, equalBits(100L)),
        new Fixture(
            "distinct-hll",
            PartialKind.DISTINCT,
            hll,
            v ->
                assertThat(((Long) v).doubleValue())
                    .isCloseTo(2_000, Percentage.withPercentage(8))),
        new Fixture(
            "percentile-exact",
            PartialKind.PERCENTILE,
            List.of(at(3.5, a), at(-1.0, a), at(0.0, b), at(2.25, b)),
            equalBits(3.5)), // q = 0.9 of 4 values: the 4th
        new Fixture(
            "percentile-sketch",
            PartialKind.PERCENTILE,
            many,
            // q = 0.9 of 301 values: the 271st, 255.0, answered from its 1% bucket
            v -> assertThat((Double) v).isCloseTo(255.0, Percentage.withPercentage(1))),
        new Fixture(
            "decayed-sum",
            PartialKind.DECAYED_SUM,
            List.of(at(8.0, a), at(4.0, b)), // half-life 1 min: 8 halves once, plus 4
            equalBits(8.0)),
        new Fixture(
            "variance",
            PartialKind.VARIANCE,
            // far from 0, where a sum of squares would cancel: Welford and the merge are exact
            List.of(at(1e9 + 1, a), at(1e9 + 3, a), at(1e9 + 5, b), at(1e9 + 7, b)),
            equalBits(5.0)),
        new Fixture(
            "stddev",
            PartialKind.STDDEV,
            List.of(at(1L, a), at(3L, a), at(5L, b), at(7L, b)),
            equalBits(Math.sqrt(5.0))));
  }

  /** The fixture's state, made by the current code from its events. */
  static ViewState make(Fixture f) {
    TiledFeature tiled = TiledFeature.create(60 * MIN, MIN, f.kind());
    Partial lifetime = PartialsForTests.empty(f.kind());
    for (Object[] e : f.events()) {
      tiled.add(e[0], (Long) e[1], PartialsForTests.emptyOf(f.kind()));
      lifetime.add(e[0], (Long) e[1]);
    }
    ViewState s = new ViewState(new Object[] {tiled, lifetime});
    s.lastEventTime = READ_AT;
    s.lastValidFrom = READ_AT;
    s.lastRevision = 1;
    s.evaluatedAt = READ_AT;
    s.lastValues =
        new Object[] {
          tiled.value(READ_AT, PartialsForTests.emptyOf(f.kind())), lifetime.value(READ_AT)
        };
    return s;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void readsTheV3Fixture(Fixture f) throws IOException {
    ViewState s = ViewStates.read(bytes("v3/" + f.name()));

    assertThat(s.lastEventTime).isEqualTo(READ_AT);
    assertThat(s.lastValidFrom).isEqualTo(READ_AT);
    assertThat(s.lastRevision).isEqualTo(1);
    assertThat(s.evaluatedAt).isEqualTo(READ_AT);
    assertThat(s.features).hasSize(2);
    TiledFeature tiled = (TiledFeature) s.features[0];
    assertThat(tiled.windowMillis()).isEqualTo(60 * MIN);
    assertThat(tiled.tileMillis()).isEqualTo(MIN);
    assertThat(tiled.kind()).isEqualTo(f.kind());
    assertThat(tiled.tiles()).extracting(t -> t.start).containsExactly(T0, T0 + MIN);
    Partial lifetime = (Partial) s.features[1];
    assertThat(lifetime.kind()).isEqualTo(f.kind());

    Object tiledValue = tiled.value(READ_AT, PartialsForTests.emptyOf(f.kind()));
    Object lifetimeValue = lifetime.value(READ_AT);
    f.value().accept(tiledValue);
    f.value().accept(lifetimeValue);
    f.value().accept(s.lastValues[0]);
    f.value().accept(s.lastValues[1]);
    assertThat(s.lastValues).hasSize(2);

    // the same state as the events make today, tile by tile
    ViewState made = make(f);
    TiledFeature madeTiled = (TiledFeature) made.features[0];
    for (int i = 0; i < 2; i++) {
      PartialsForTests.assertSamePartial(
          tiled.tiles().get(i).partial, madeTiled.tiles().get(i).partial, "tile " + i);
    }
    PartialsForTests.assertSamePartial(lifetime, (Partial) made.features[1], "lifetime");
    assertThat(tiledValue).isEqualTo(madeTiled.value(READ_AT, PartialsForTests.emptyOf(f.kind())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void theWriterWritesExactlyItsVersionsFixture(Fixture f) throws IOException {
    assertThat(StateCodec.VERSION)
        .as("the writer's format version: a new one adds its fixtures and keeps reading v3's")
        .isEqualTo((byte) 4);
    byte[] expected = bytes("v4/" + f.name());
    ViewState made = make(f);
    // The fixture's last values are what the engine computed when it was written; an estimator may
    // improve since (approx_count_distinct: the HIP estimate became the register-only composite
    // one, 2026-12-03, DistinctDeterminismTest), the format may not. Written with the fixture's
    // values, the bytes must be the fixture's.
    made.lastValues = ViewStates.read(expected).lastValues;
    byte[] written = ViewStates.bytes(made);
    if (!Arrays.equals(written, expected)) {
      PartialsForTests.assertSameBytes(written, expected, f.name());
    }
  }

  /** Version 4 is version 3 plus the warming-up features: its fixtures read back the same. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void theVersion4FixtureReadsAsTheVersion3One(Fixture f) throws IOException {
    ViewState v3 =
        StateCodec.read(new DataInputStream(new ByteArrayInputStream(bytes("v3/" + f.name()))));
    ViewState v4 =
        StateCodec.read(new DataInputStream(new ByteArrayInputStream(bytes("v4/" + f.name()))));
    ViewStates.assertSameState(v4, v3, f.name());
    assertThat(v4.warmUntil).isNull();
  }

  /**
   * The exact distinct count persists its values' hashes, sorted: the fixture holds the ones
   * computed independently of the implementation (DistinctHashTest), as the lifetime partial's last
   * bytes.
   */
  @Test
  void theExactDistinctFixtureHoldsTheDocumentedHashes() {
    long[] hashes =
        Stream.of("m1", 42L, 4.2, true)
            .mapToLong(DistinctHashTest::independentHash)
            .sorted()
            .toArray();
    ByteBuffer tail = ByteBuffer.allocate(4 + 8 * hashes.length).putInt(hashes.length);
    for (long h : hashes) {
      tail.putLong(h);
    }
    byte[] b = bytes("v3/distinct-exact");
    assertThat(HexFormat.of().formatHex(b)).endsWith(HexFormat.of().formatHex(tail.array()));
  }

  @Test
  void everyPartialKindHasAFixture() {
    assertThat(fixtures().map(Fixture::kind).distinct())
        .containsExactlyInAnyOrder(PartialKind.values());
  }

  /**
   * A fixture's bytes: the hex digits of {@code state-format/<name>.hex}, whose lines starting with
   * '#' are comments.
   */
  public static byte[] bytes(String name) {
    String path = "/state-format/" + name + ".hex";
    try (InputStream in = StateFormatV3Test.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new AssertionError("missing fixture " + path);
      }
      StringBuilder hex = new StringBuilder();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.startsWith("#")) {
          hex.append(line.replaceAll("\\s", ""));
        }
      }
      return HexFormat.of().parseHex(hex);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
