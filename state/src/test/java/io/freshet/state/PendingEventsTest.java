package io.freshet.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.state.flink.PendingEventsSerializer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The pending-event buffer: event-time order, draining, its versioned format and serializer. */
class PendingEventsTest {

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  @Test
  void keepsEventTimeOrderAndArrivalOrderAmongEqualTimes() {
    Random r = new Random(3);
    PendingEvents p = new PendingEvents();
    List<long[]> added = new ArrayList<>(); // {time, arrival}
    for (int i = 0; i < 500; i++) {
      long t = 1000 + r.nextInt(40);
      p.add(t, row((long) i));
      added.add(new long[] {t, i});
    }
    added.sort((a, b) -> Long.compare(a[0], b[0])); // stable: arrival order among equal times
    assertThat(p.size()).isEqualTo(500);
    for (int i = 0; i < added.size(); i++) {
      assertThat(p.time(i)).isEqualTo(added.get(i)[0]);
      assertThat(p.values(i)).containsExactly(added.get(i)[1]);
    }
    p.dropFirst(499);
    assertThat(p.size()).isOne();
    assertThat(p.time(0)).isEqualTo(added.get(499)[0]);
    p.dropFirst(1);
    assertThat(p.isEmpty()).isTrue();
    p.add(7, row("x"));
    assertThat(p.time(0)).isEqualTo(7);
  }

  @Test
  void roundTripsThroughFlinkMemoryViewsAndCopiesDeeply() throws IOException {
    PendingEvents p = new PendingEvents();
    p.wake = 1234L;
    p.add(2000, row(1.5, 3L, "m", true, null));
    p.add(1000, row((Object) null));
    p.add(2000, row(-0.0, Long.MIN_VALUE, "", false, "é"));
    DataOutputSerializer out = new DataOutputSerializer(64);
    new PendingEventsSerializer(null).serialize(p, out);
    new PendingEventsSerializer(null).serialize(new PendingEvents(), out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    PendingEvents back = new PendingEventsSerializer(null).deserialize(in);
    PendingEvents empty = new PendingEventsSerializer(null).deserialize(in);
    assertThat(in.available()).isZero();
    assertThat(describe(back)).isEqualTo(describe(p));
    assertThat(back.values(2).get(0)).isEqualTo(-0.0);
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.wake).isEqualTo(PendingEvents.NONE);

    PendingEvents copy = new PendingEventsSerializer(null).copy(p);
    copy.add(500, row(9L));
    copy.wake = 1;
    p.dropFirst(1);
    assertThat(describe(copy))
        .isEqualTo(
            "wake 1; 500 [9]; 1000 [null]; 2000 [1.5, 3, m, true, null];"
                + " 2000 [-0.0, -9223372036854775808, , false, é]; ");
    assertThat(describe(p)).startsWith("wake 1234; 2000 [1.5");
  }

  /** A fixed buffer's bytes: a change to the format must come with a new version. */
  @Test
  void versionOneFormatIsFrozen() throws IOException {
    PendingEvents p = new PendingEvents();
    p.wake = 61_000L;
    p.add(61_000L, row(1L, "x"));
    assertThat(HexFormat.of().formatHex(bytes(p)))
        .isEqualTo(
            "01" // version
                + "000000000000ee48" // wake 61000
                + "00000001" // one event
                + "000000000000ee48" // at 61000
                + "00000002" // two values
                + "010000000000000001" // 1
                + "030000000178"); // "x"
  }

  @Test
  void unknownVersionFailsWithAClearMessage() throws IOException {
    byte[] b = bytes(new PendingEvents());
    b[0] = 9;
    assertThatThrownBy(() -> PendingEvents.read(new DataInputStream(new ByteArrayInputStream(b))))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "pending events written by format version 9, this build reads version 1: restore"
                + " with the Freshet version that wrote the checkpoint");
  }

  private static byte[] bytes(PendingEvents p) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bos)) {
      PendingEvents.write(out, p);
    }
    return bos.toByteArray();
  }

  private static String describe(PendingEvents p) {
    StringBuilder sb = new StringBuilder("wake " + p.wake + "; ");
    for (int i = 0; i < p.size(); i++) {
      sb.append(p.time(i)).append(' ').append(p.values(i)).append("; ");
    }
    return sb.toString();
  }
}
