package io.freshet.operators.flink;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.EventRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Turns an event that came later than the allowed lateness into a dead letter ({@code TOO_LATE}):
 * its value is the decoded event as an Avro {@code EventRow}.
 */
public final class LateToDeadLetter implements MapFunction<EventRow, DeadLetter> {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String topic;
  private final String view;
  private final long allowedLatenessMillis;

  public LateToDeadLetter(String source, String topic, String view, long allowedLatenessMillis) {
    this.source = source;
    this.topic = topic;
    this.view = view;
    this.allowedLatenessMillis = allowedLatenessMillis;
  }

  /** The decoded event as Avro bytes: the value of a dead letter made after decoding. */
  static ByteBuffer encode(EventRow e) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
      new SpecificDatumWriter<>(EventRow.class).write(e, enc);
      enc.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return ByteBuffer.wrap(bytes.toByteArray());
  }

  @Override
  public DeadLetter map(EventRow e) {
    return new DeadLetter(
        source,
        topic,
        -1,
        -1L,
        e.getEventTime(),
        ByteBuffer.wrap(e.getEntity().getBytes(StandardCharsets.UTF_8)),
        encode(e),
        "TOO_LATE",
        "event time "
            + e.getEventTime()
            + " arrived more than the allowed lateness ("
            + allowedLatenessMillis
            + " ms) behind the watermark of view "
            + view,
        System.currentTimeMillis());
  }
}
