package io.freshet.state;

import static io.freshet.state.ViewStates.HOUR;
import static io.freshet.state.ViewStates.MIN;
import static io.freshet.state.ViewStates.T0;
import static io.freshet.state.ViewStates.bytes;
import static io.freshet.state.ViewStates.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.state.agg.CountPartial;
import io.freshet.state.agg.FirstLastPartial;
import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.PartialsForTests;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Round trips of the versioned view-state format ({@link StateCodec}). */
class StateCodecTest {

  @Test
  void richStateRoundTrips() throws IOException {
    ViewState original = ViewStates.rich();
    byte[] written = bytes(original);

    ViewState restored = read(written);

    ViewStates.assertSameState(restored, original, "restored");
    assertThat(restored.lastEventTime).isEqualTo(original.lastEventTime);
    assertThat(restored.lastValidFrom).isEqualTo(original.lastValidFrom);
    assertThat(restored.lastRevision).isEqualTo(original.lastRevision).isEqualTo(3);
    assertThat(restored.evaluatedAt).isEqualTo(original.evaluatedAt);
    assertThat(restored.lastValues).containsExactly(ViewStates.LAST_VALUES);
    for (int i = 0; i < ViewStates.LAST_VALUES.length; i++) {
      Object v = ViewStates.LAST_VALUES[i];
      if (v != null) {
        assertThat(restored.lastValues[i]).isExactlyInstanceOf(v.getClass());
      }
    }
    assertThat(Arrays.equals(restored.lastValues, original.lastValues))
        .as("the engine's change test sees the restored vector as unchanged")
        .isTrue();
    assertThat(restored.features).hasSameSizeAs(original.features);
    int coupons = 0;
    for (int i = 0; i < original.features.length; i++) {
      if (original.features[i] instanceof TiledFeature t) {
        TiledFeature r = (TiledFeature) restored.features[i];
        assertThat(r.windowMillis()).isEqualTo(t.windowMillis());
        assertThat(r.tileMillis()).isEqualTo(t.tileMillis());
        assertThat(r.tiles()).extracting(x -> x.start).isEqualTo(starts(t));
        assertThat(r.tiles().size()).isEqualTo(30);
        for (int j = 0; j < t.tiles().size(); j++) {
          Partial a = t.tiles().get(j).partial;
          Partial b = r.tiles().get(j).partial;
          if (PartialsForTests.isHllCoupons(a)) {
            coupons++;
            PartialsForTests.assertSamePartial(b, a, "coupon tile " + j);
          } else {
            PartialsForTests.assertSameBytes(
                PartialsForTests.bytes(b), PartialsForTests.bytes(a), "tile " + j + " of " + i);
          }
        }
      } else {
        assertThat(restored.features[i]).isExactlyInstanceOf(original.features[i].getClass());
      }
    }
    assertThat(coupons).as("the state has distinct counts in coupon form").isPositive();
    assertSameValues(original, restored, T0 + 30 * MIN);
  }

  @Test
  void restoredStateBehavesLikeTheOriginal() throws IOException {
    ViewState original = ViewStates.rich();
    ViewState restored = read(bytes(original));
    Random r = new Random(8);
    long[] ts = new long[400];
    Object[][] values = new Object[ts.length][];
    for (int e = 0; e < ts.length; e++) {
      ts[e] = T0 + 20 * MIN + (long) (r.nextDouble() * 90 * MIN); // some late, some later
      values[e] = new Object[original.features.length];
      for (int i = 0; i < values[e].length; i++) {
        values[e][i] = PartialsForTests.values(kindOf(original, i)).apply(r);
      }
    }
    for (ViewState s : new ViewState[] {original, restored}) {
      for (int e = 0; e < ts.length; e++) {
        apply(s, ts[e], values[e]);
      }
    }
    ViewStates.assertSameState(restored, original, "after the same adds");
    for (long t : new long[] {T0 + 110 * MIN, T0 + 2 * HOUR, T0 + 3 * HOUR}) {
      for (ViewState s : new ViewState[] {original, restored}) {
        for (Object f : s.features) {
          if (f instanceof TiledFeature tf) {
            tf.prune(t);
          }
        }
      }
      assertSameValues(original, restored, t);
    }
  }

  @Test
  void emptyStateRoundTrips() throws IOException {
    ViewState s =
        new ViewState(
            new Object[] {
              TiledFeature.create(HOUR, MIN, PartialKind.MAX_DOUBLE),
              TiledFeature.create(HOUR, MIN, PartialKind.LAST),
              new CountPartial()
            });
    ViewState restored = read(bytes(s));
    assertThat(restored.lastValues).isNull();
    assertThat(restored.lastEventTime).isEqualTo(Long.MIN_VALUE);
    assertThat(restored.lastValidFrom).isEqualTo(Long.MIN_VALUE);
    assertThat(restored.evaluatedAt).isEqualTo(Long.MIN_VALUE);
    for (int i = 0; i < 2; i++) {
      TiledFeature t = (TiledFeature) restored.features[i];
      assertThat(t.tiles()).isEmpty();
      assertThat(t.kind()).isEqualTo(((TiledFeature) s.features[i]).kind());
      assertThat(t.getClass()).isEqualTo(s.features[i].getClass());
    }
    assertThat(((Partial) restored.features[2]).value(0)).isEqualTo(0L);

    ViewState none = new ViewState(new Object[0]);
    none.lastValues = new Object[0];
    assertThat(read(bytes(none)).lastValues).isEmpty();
    assertThat(read(bytes(none)).features).isEmpty();
  }

  /** A fixed state's bytes: a change to the format must come with a new version. */
  @Test
  void versionFourFormatIsFrozen() {
    ViewState s = golden();
    assertThat(HexFormat.of().formatHex(bytes(s)))
        .isEqualTo("04" + GOLDEN.substring(2) + "00000000"); // no feature warming up
    s.warmUntil = new long[] {Long.MIN_VALUE, 120_000L};
    assertThat(HexFormat.of().formatHex(bytes(s)))
        .isEqualTo(
            "04"
                + GOLDEN.substring(2)
                + "00000001" // one feature warming up
                + "00000001" // feature 1
                + "000000000001d4c0"); // until 120000
  }

  /** Version 3 (the same without the warming-up features) still reads, as the state it was. */
  @Test
  void versionThreeBytesStillRead() throws IOException {
    ViewState back = read(HexFormat.of().parseHex(GOLDEN));
    ViewStates.assertSameState(back, golden(), "v3");
    assertThat(back.warmUntil).isNull();
    ViewState warm = golden();
    warm.warmUntil = new long[] {Long.MIN_VALUE, 120_000L};
    assertThat(read(bytes(warm)).warmUntil).containsExactly(Long.MIN_VALUE, 120_000L);
  }

  private static ViewState golden() {
    TiledFeature t = TiledFeature.create(HOUR, MIN, PartialKind.COUNT);
    t.add(Boolean.TRUE, 61_000L, CountPartial::new);
    FirstLastPartial last = (FirstLastPartial) PartialsForTests.empty(PartialKind.LAST);
    last.add("x", 61_000L);
    ViewState s = new ViewState(new Object[] {t, last});
    s.lastEventTime = 61_000L;
    s.lastValidFrom = 61_000L;
    s.lastRevision = 2;
    s.lastValues = new Object[] {1L, "x"};
    s.evaluatedAt = 61_000L;
    return s;
  }

  /** The golden state in format version 3, as the last build before layouts wrote it. */
  private static final String GOLDEN =
      "03" // version
          + "000000000000ee48" // last event time 61000
          + "000000000000ee48" // last valid_from 61000
          + "00000002" // revision of the last update at that valid_from
          + "000000000000ee48" // evaluated at 61000
          + "00000002"
          + "010000000000000001"
          + "030000000178" // vector [1, "x"]
          + "00000002" // two features
          + "01"
          + "000000000036ee80"
          + "000000000000ea60" // tiled: 1 h window, 1 min tiles
          + "01" // of counts
          + "00000001"
          + "000000000000ea60"
          + "01"
          + "0000000000000001" // tile 60000: count 1
          + "00"
          + "0a"
          + "01"
          + "000000000000ee48"
          + "030000000178"; // lifetime last "x"

  @ParameterizedTest
  @ValueSource(bytes = {0, 1, 2, 5, 127, -1})
  void unknownVersionFailsWithAClearMessage(byte version) {
    byte[] b = bytes(ViewStates.rich());
    assertThat(b[0]).isEqualTo(StateCodec.VERSION);
    b[0] = version;
    assertThatThrownBy(() -> read(b))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "view state written by format version "
                + version
                + ", this build reads versions 3 to 4: restore with the Freshet version that wrote"
                + " the checkpoint");
  }

  @Test
  void truncatedStateFailsRatherThanReadingGarbage() {
    byte[] b = bytes(ViewStates.rich());
    for (int cut : new int[] {1, 20, b.length / 2, b.length - 1}) {
      assertThatThrownBy(() -> read(Arrays.copyOf(b, cut))).isInstanceOf(EOFException.class);
    }
  }

  private static java.util.List<Long> starts(TiledFeature t) {
    return t.tiles().stream().map(x -> x.start).toList();
  }

  private static PartialKind kindOf(ViewState s, int i) {
    Object f = s.features[i];
    if (f instanceof TiledFeature) {
      return ViewStates.TILED[i];
    }
    return ((Partial) f).kind();
  }

  private static void apply(ViewState s, long ts, Object[] values) {
    for (int i = 0; i < s.features.length; i++) {
      PartialKind kind = kindOf(s, i);
      if (s.features[i] instanceof TiledFeature t) {
        t.add(values[i], ts, PartialsForTests.emptyOf(kind));
      } else {
        ((Partial) s.features[i]).add(values[i], ts);
      }
    }
  }

  private static void assertSameValues(ViewState a, ViewState b, long t) {
    for (int i = 0; i < a.features.length; i++) {
      PartialKind kind = kindOf(a, i);
      Object va;
      Object vb;
      if (a.features[i] instanceof TiledFeature ta) {
        va = ta.value(t, PartialsForTests.emptyOf(kind));
        vb = ((TiledFeature) b.features[i]).value(t, PartialsForTests.emptyOf(kind));
      } else {
        va = ((Partial) a.features[i]).value(t);
        vb = ((Partial) b.features[i]).value(t);
      }
      assertThat(vb).as("feature %d (%s) at %d", i, kind, t).isEqualTo(va);
    }
  }
}
