package io.freshet.state;

import io.freshet.state.agg.PartialCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * One entity's events that the watermark has not passed yet, in event-time order (arrival order
 * among equal times), and the entity's armed wake-up timer.
 *
 * <p>The engine keeps at most one timer per entity that it relies on: {@link #wake}, the earliest
 * event-time timer it registered that has not fired yet. Every other timer it ever registered for
 * the entity is either fired or later than {@code wake}, and firing early is harmless (the engine
 * then finds nothing due). An event ahead of {@code wake} therefore needs no timer of its own.
 *
 * <p>The value lists are kept by reference; they must not be mutated after {@link #add}.
 */
public final class PendingEvents {
  /** No timer armed. */
  public static final long NONE = Long.MIN_VALUE;

  /** Format version of {@link #write}; bumped with any change to the format. */
  public static final byte VERSION = 1;

  /** The earliest armed, unfired timer the engine registered, or {@link #NONE}. */
  public long wake = NONE;

  /**
   * The source fields each row holds, in order: those of the serializer that read the events or of
   * the operator that added them; null when unknown (a checkpoint of a build that did not record
   * them). Not serialized per entity: a serializer's snapshot records the fields once.
   */
  public List<String> fields;

  private long[] times = new long[4];
  private Object[] values = new Object[4];
  private int size;

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Event time of the i-th pending event (0 is the oldest). */
  public long time(int i) {
    return times[i];
  }

  /** Field values of the i-th pending event. */
  @SuppressWarnings("unchecked")
  public List<Object> values(int i) {
    return (List<Object>) values[i];
  }

  /** Adds an event after every pending event with the same or an earlier time. */
  public void add(long time, List<Object> row) {
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    int i = size;
    while (i > 0 && times[i - 1] > time) {
      i--;
    }
    if (i < size) {
      System.arraycopy(times, i, times, i + 1, size - i);
      System.arraycopy(values, i, values, i + 1, size - i);
    }
    times[i] = time;
    values[i] = row;
    size++;
  }

  /** Drops the n oldest events. */
  public void dropFirst(int n) {
    if (n <= 0) {
      return;
    }
    System.arraycopy(times, n, times, 0, size - n);
    System.arraycopy(values, n, values, 0, size - n);
    Arrays.fill(values, size - n, size, null);
    size -= n;
  }

  /**
   * These events with rows of the source fields {@code to}: this object if they are already, else a
   * copy whose rows hold each field of {@code to} by name (null for a field the rows did not have).
   * Events of unknown fields are taken as they are if their rows have as many values as {@code to}
   * has fields.
   *
   * @throws IllegalStateException if the fields are unknown and the rows do not fit
   */
  public PendingEvents adopt(List<String> to) {
    if (fields == to || to.equals(fields)) {
      fields = to;
      return this;
    }
    if (fields == null) {
      for (int i = 0; i < size; i++) {
        if (values(i).size() != to.size()) {
          throw new IllegalStateException(
              "saved pending events hold "
                  + values(i).size()
                  + " source fields and the spec reads "
                  + to.size()
                  + " "
                  + to
                  + "; the checkpoint's build did not record which: restore it with the spec that"
                  + " wrote it, stop with a savepoint, then change the spec");
        }
      }
      fields = to;
      return this;
    }
    int[] from = new int[to.size()];
    for (int j = 0; j < from.length; j++) {
      from[j] = fields.indexOf(to.get(j));
    }
    PendingEvents c = copy();
    for (int i = 0; i < size; i++) {
      List<Object> row = values(i);
      Object[] out = new Object[from.length];
      for (int j = 0; j < from.length; j++) {
        out[j] = from[j] < 0 ? null : row.get(from[j]);
      }
      c.values[i] = Arrays.asList(out);
    }
    c.fields = to;
    return c;
  }

  /** A copy that shares the (immutable) value lists. */
  public PendingEvents copy() {
    PendingEvents c = new PendingEvents();
    c.fields = fields;
    c.wake = wake;
    c.times = Arrays.copyOf(times, Math.max(4, size));
    c.values = Arrays.copyOf(values, Math.max(4, size));
    c.size = size;
    return c;
  }

  /**
   * Binary form for checkpoints: {@code [version byte][wake][count][per event: time, field count,
   * values]}, values as in {@link PartialCodec#writeValue}.
   */
  public static void write(DataOutput out, PendingEvents p) throws IOException {
    out.writeByte(VERSION);
    out.writeLong(p.wake);
    out.writeInt(p.size);
    for (int i = 0; i < p.size; i++) {
      out.writeLong(p.times[i]);
      List<Object> row = p.values(i);
      out.writeInt(row.size());
      for (Object v : row) {
        PartialCodec.writeValue(out, v);
      }
    }
  }

  public static PendingEvents read(DataInput in) throws IOException {
    StateCodec.readVersion(in, VERSION, "pending events");
    PendingEvents p = new PendingEvents();
    p.wake = in.readLong();
    int n = in.readInt();
    p.times = new long[Math.max(4, n)];
    p.values = new Object[Math.max(4, n)];
    for (int i = 0; i < n; i++) {
      p.times[i] = in.readLong();
      Object[] row = new Object[in.readInt()];
      for (int j = 0; j < row.length; j++) {
        row[j] = PartialCodec.readValue(in);
      }
      p.values[i] = Arrays.asList(row);
    }
    p.size = n;
    return p;
  }
}
