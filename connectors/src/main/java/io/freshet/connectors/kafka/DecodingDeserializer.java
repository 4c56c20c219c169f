package io.freshet.connectors.kafka;

import io.freshet.avro.Decoded;
import io.freshet.spec.SourceSpec;
import java.util.List;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes inside the Kafka source, so that event-time watermarks are generated per partition (and
 * idle partitions can be skipped). Bad records come out as dead letters, never as errors.
 */
public final class DecodingDeserializer implements KafkaRecordDeserializationSchema<Decoded> {
  private static final long serialVersionUID = 1L;

  private final SourceSpec source;
  private final List<String> fields;
  private transient EventDecoder decoder;

  public DecodingDeserializer(SourceSpec source, List<String> fields) {
    this.source = source;
    this.fields = List.copyOf(fields);
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    decoder = new EventDecoder(source, fields);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Decoded> out) {
    if (decoder == null) {
      decoder = new EventDecoder(source, fields);
    }
    out.collect(
        decoder.decode(
            record.key(),
            record.value(),
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp()));
  }

  @Override
  public TypeInformation<Decoded> getProducedType() {
    return new AvroTypeInfo<>(Decoded.class);
  }
}
