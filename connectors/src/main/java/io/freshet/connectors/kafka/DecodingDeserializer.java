package io.freshet.connectors.kafka;

import io.freshet.avro.Decoded;
import io.freshet.spec.SourceSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes inside the Kafka source, so that event-time watermarks are generated per partition (and
 * idle partitions can be skipped). Bad records come out as dead letters, never as errors.
 *
 * <p>Reports each partition's position (the offset after the last record handed on) as the gauge
 * {@code freshet.partition.<p>.position}: deserialization runs on the task thread as the record is
 * emitted, so a position here is a record the job has taken, unlike the Kafka reader's own {@code
 * currentOffset}, which its fetcher sets ahead of emission. A launcher that stops the job at given
 * end offsets ({@code freshet run --until-end}) waits for these.
 *
 * <p>A source with an archive hands over at the archive's {@code until}: events before it come from
 * the archive, so they are skipped here (counted as {@code freshet.beforeHandover}); dead letters
 * are kept whatever their time.
 */
public final class DecodingDeserializer implements KafkaRecordDeserializationSchema<Decoded> {
  private static final long serialVersionUID = 1L;

  private final SourceSpec source;
  private final List<String> fields;
  private final EventDecoder.Limits limits;
  private final EventDecoder.Wire wire;
  private transient EventDecoder decoder;
  private transient MetricGroup partitions;
  private transient Map<Integer, Position> positions;
  private transient Counter beforeHandover;

  /** Metric group and gauge name of the per-partition positions. */
  public static final String METRIC_GROUP = "freshet";

  public static final String POSITION_GAUGE = "position";

  private static final class Position implements Gauge<Long> {
    private volatile long next;

    @Override
    public Long getValue() {
      return next;
    }
  }

  public DecodingDeserializer(SourceSpec source, List<String> fields, EventDecoder.Limits limits) {
    this(source, fields, limits, EventDecoder.Wire.PLAIN);
  }

  public DecodingDeserializer(
      SourceSpec source, List<String> fields, EventDecoder.Limits limits, EventDecoder.Wire wire) {
    this.source = source;
    this.fields = List.copyOf(fields);
    this.limits = limits;
    this.wire = wire;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    decoder = new EventDecoder(source, fields, limits, wire);
    partitions = context.getMetricGroup().addGroup(METRIC_GROUP);
    positions = new HashMap<>();
    beforeHandover = partitions.counter("beforeHandover");
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Decoded> out) {
    if (decoder == null) {
      decoder = new EventDecoder(source, fields, limits, wire);
    }
    Decoded d =
        decoder.decode(
            record.key(),
            record.value(),
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp());
    if (d.getEvent() != null
        && source.archive() != null
        && d.getEvent().getEventTime() < source.archive().until().toEpochMilli()) {
      if (beforeHandover != null) {
        beforeHandover.inc();
      }
    } else {
      out.collect(d);
    }
    if (positions != null) {
      Position p = positions.get(record.partition());
      if (p == null) {
        p = new Position();
        partitions
            .addGroup("partition", Integer.toString(record.partition()))
            .gauge(POSITION_GAUGE, p);
        positions.put(record.partition(), p);
      }
      p.next = record.offset() + 1;
    }
  }

  @Override
  public TypeInformation<Decoded> getProducedType() {
    return new AvroTypeInfo<>(Decoded.class);
  }
}
