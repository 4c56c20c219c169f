package io.freshet.state;

import io.freshet.state.agg.Partial;
import io.freshet.state.agg.PartialCodec;
import io.freshet.state.agg.PartialKind;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * Versioned binary form of {@link ViewState}, used by checkpoints and savepoints. Version 4: {@code
 * [version byte][lastEventTime][lastValidFrom][lastRevision][evaluatedAt][lastValues][feature
 * count][per feature: 0 + partial | 1 + window + tile + partial kind + tile count + (start +
 * partial)*][warming count][per warming feature: index + until]}, the features in the order of the
 * {@link ViewLayout} that the serializer's snapshot records. Reads version 3 too (the same without
 * the warming features, written before layouts were recorded: its state is matched to the spec by
 * position, see {@link ViewLayout#adopt}). (Version 2 lacked the kind, which a windowed feature
 * with no tile left cannot tell; version 1 also carried two timer fields; no released build wrote
 * either.)
 */
public final class StateCodec {
  public static final byte VERSION = 4;

  /** The oldest version this build reads. */
  public static final byte OLDEST_READ = 3;

  private StateCodec() {}

  public static void write(DataOutput out, ViewState s) throws IOException {
    out.writeByte(VERSION);
    out.writeLong(s.lastEventTime);
    out.writeLong(s.lastValidFrom);
    out.writeInt(s.lastRevision);
    out.writeLong(s.evaluatedAt);
    writeValues(out, s.lastValues);
    out.writeInt(s.features.length);
    for (Object f : s.features) {
      if (f instanceof TiledFeature t) {
        out.writeByte(1);
        out.writeLong(t.windowMillis);
        out.writeLong(t.tileMillis);
        out.writeByte(t.kind.code);
        List<TiledFeature.Tile> tiles = t.tiles();
        out.writeInt(tiles.size());
        for (TiledFeature.Tile tile : tiles) {
          out.writeLong(tile.start);
          PartialCodec.write(out, tile.partial);
        }
      } else {
        out.writeByte(0);
        PartialCodec.write(out, (Partial) f);
      }
    }
    long[] warm = s.warmUntil;
    int warming = 0;
    if (warm != null) {
      for (long w : warm) {
        warming += w != Long.MIN_VALUE ? 1 : 0;
      }
    }
    out.writeInt(warming);
    for (int i = 0; warming > 0 && i < warm.length; i++) {
      if (warm[i] != Long.MIN_VALUE) {
        out.writeInt(i);
        out.writeLong(warm[i]);
      }
    }
  }

  /** Reads a state of any version this build reads, without a layout (for tests and tools). */
  public static ViewState read(DataInput in) throws IOException {
    return read(in, null);
  }

  /**
   * Reads a state of version {@link #OLDEST_READ} to {@link #VERSION}; a version-4 state is in
   * {@code layout} (the one its serializer's snapshot recorded), a version-3 state has none.
   */
  public static ViewState read(DataInput in, ViewLayout layout) throws IOException {
    byte version = readVersion(in, OLDEST_READ, VERSION, "view state");
    long lastEventTime = in.readLong();
    long lastValidFrom = in.readLong();
    int lastRevision = in.readInt();
    long evaluatedAt = in.readLong();
    Object[] lastValues = readValues(in);
    Object[] features = new Object[in.readInt()];
    for (int i = 0; i < features.length; i++) {
      if (in.readByte() == 1) {
        long window = in.readLong();
        long tile = in.readLong();
        TiledFeature t = TiledFeature.create(window, tile, PartialKind.ofCode(in.readByte()));
        int n = in.readInt();
        for (int j = 0; j < n; j++) {
          long start = in.readLong();
          t.appendTile(new TiledFeature.Tile(start, PartialCodec.read(in)));
        }
        features[i] = t;
      } else {
        features[i] = PartialCodec.read(in);
      }
    }
    ViewState s = new ViewState(features);
    s.lastEventTime = lastEventTime;
    s.lastValidFrom = lastValidFrom;
    s.lastRevision = lastRevision;
    s.evaluatedAt = evaluatedAt;
    s.lastValues = lastValues;
    if (version >= 4) {
      int warming = in.readInt();
      if (warming > 0) {
        s.warmUntil = new long[features.length];
        java.util.Arrays.fill(s.warmUntil, Long.MIN_VALUE);
        for (int i = 0; i < warming; i++) {
          int at = in.readInt();
          s.warmUntil[at] = in.readLong();
        }
      }
      s.layout = layout;
    }
    return s;
  }

  /** Reads a format's version byte; fails, saying what to do, unless it is the expected one. */
  static void readVersion(DataInput in, byte expected, String what) throws IOException {
    readVersion(in, expected, expected, what);
  }

  /** Reads a format's version byte; fails, saying what to do, unless it is in the range. */
  static byte readVersion(DataInput in, byte oldest, byte newest, String what) throws IOException {
    byte version = in.readByte();
    if (version < oldest || version > newest) {
      throw new IOException(
          what
              + " written by format version "
              + version
              + ", this build reads "
              + (oldest == newest ? "version " + newest : "versions " + oldest + " to " + newest)
              + ": restore with the Freshet version that wrote the checkpoint");
    }
    return version;
  }

  private static void writeValues(DataOutput out, Object[] values) throws IOException {
    if (values == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(values.length);
    for (Object v : values) {
      PartialCodec.writeValue(out, v);
    }
  }

  private static Object[] readValues(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    Object[] v = new Object[n];
    for (int i = 0; i < n; i++) {
      v[i] = PartialCodec.readValue(in);
    }
    return v;
  }
}
