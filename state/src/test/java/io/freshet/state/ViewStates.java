package io.freshet.state;

import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialKind;
import io.freshet.state.agg.PartialsForTests;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/** A view state with every kind of feature, value and timer, for codec and serializer tests. */
public final class ViewStates {
  private ViewStates() {}

  public static final long T0 = 1_767_225_600_000L;
  public static final long MIN = 60_000L;
  public static final long HOUR = 60 * MIN;

  /** The kinds of the features of {@link #rich()}: first the tiled ones, then the lifetime ones. */
  public static final PartialKind[] TILED = PartialKind.values();

  public static final PartialKind[] LIFETIME = {
    PartialKind.COUNT,
    PartialKind.LAST,
    PartialKind.DISTINCT,
    PartialKind.PERCENTILE,
    PartialKind.DECAYED_SUM,
    PartialKind.MAX_DOUBLE
  };

  /** Every value type, null included, as the last emitted vector. */
  public static final Object[] LAST_VALUES = {
    null, 42L, Long.MIN_VALUE, 2.5, -0.0, Double.NaN, "", "naïve ✓", true, false
  };

  /**
   * Tiled features of every kind (a 1 h window of 1 min tiles, with tiles holding many values so
   * that distinct counts and percentiles are sketches) and lifetime features, a last vector with
   * every value type, and both timers.
   */
  public static ViewState rich() {
    Random r = new Random(2026);
    Object[] features = new Object[TILED.length + LIFETIME.length];
    for (int i = 0; i < TILED.length; i++) {
      PartialKind kind = TILED[i];
      TiledFeature t = TiledFeature.create(HOUR, MIN, kind);
      var gen = PartialsForTests.values(kind);
      for (int e = 0; e < 2_000; e++) {
        long ts = T0 + (long) (r.nextDouble() * 30 * MIN);
        t.add(gen.apply(r), ts, PartialsForTests.emptyOf(kind));
      }
      features[i] = t;
    }
    for (int i = 0; i < LIFETIME.length; i++) {
      PartialKind kind = LIFETIME[i];
      var p = PartialsForTests.empty(kind);
      var gen = PartialsForTests.values(kind);
      for (int e = 0; e < 500; e++) {
        p.add(gen.apply(r), T0 + (long) (r.nextDouble() * 30 * MIN));
      }
      features[TILED.length + i] = p;
    }
    ViewState s = new ViewState(features);
    s.lastEventTime = T0 + 30 * MIN - 1;
    s.lastValidFrom = T0 + 30 * MIN;
    s.lastRevision = 3;
    s.lastValues = LAST_VALUES.clone();
    s.evaluatedAt = T0 + 30 * MIN;
    return s;
  }

  public static byte[] bytes(ViewState s) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bos)) {
      StateCodec.write(out, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }

  /** A comparable form of a view state, one line per field, tile and partial. */
  public static java.util.List<String> canonical(ViewState s) {
    java.util.List<String> out = new java.util.ArrayList<>();
    out.add("lastEventTime " + s.lastEventTime);
    out.add("lastValidFrom " + s.lastValidFrom);
    out.add("lastRevision " + s.lastRevision);
    out.add("evaluatedAt " + s.evaluatedAt);
    out.add("lastValues " + (s.lastValues == null ? "null" : describe(s.lastValues)));
    for (int i = 0; i < s.features.length; i++) {
      if (s.features[i] instanceof TiledFeature t) {
        out.add(i + " tiled " + t.windowMillis() + "/" + t.tileMillis() + " " + t.tiles().size());
        for (TiledFeature.Tile tile : t.tiles()) {
          out.add(i + " tile " + tile.start + " " + PartialsForTests.canonical(tile.partial));
        }
      } else {
        out.add(i + " lifetime " + PartialsForTests.canonical((Partial) s.features[i]));
      }
    }
    return out;
  }

  private static String describe(Object[] values) {
    StringBuilder sb = new StringBuilder();
    for (Object v : values) {
      sb.append(v == null ? "null" : v.getClass().getSimpleName() + ":" + v).append(' ');
    }
    return sb.toString();
  }

  /** Asserts that two view states are the same, naming the first difference. */
  public static void assertSameState(ViewState actual, ViewState expected, String what) {
    java.util.List<String> a = canonical(actual);
    java.util.List<String> e = canonical(expected);
    for (int i = 0; i < Math.min(a.size(), e.size()); i++) {
      if (!a.get(i).equals(e.get(i))) {
        throw new AssertionError(
            what
                + ": "
                + PartialsForTests.abbreviate(a.get(i))
                + " but expected "
                + PartialsForTests.abbreviate(e.get(i)));
      }
    }
    if (a.size() != e.size()) {
      throw new AssertionError(what + ": " + a.size() + " parts, expected " + e.size());
    }
  }

  public static ViewState read(byte[] b) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      ViewState s = StateCodec.read(in);
      if (in.available() != 0) {
        throw new AssertionError(in.available() + " bytes left after reading a view state");
      }
      return s;
    }
  }
}
