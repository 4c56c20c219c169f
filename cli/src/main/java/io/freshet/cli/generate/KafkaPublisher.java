package io.freshet.cli.generate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends raw records to one Kafka topic, keyed by entity, optionally at a bounded rate. Sends are
 * asynchronous; the first failure is rethrown by the next {@link #send} or by {@link #close}, which
 * waits until every record is acknowledged.
 */
public final class KafkaPublisher implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final double ratePerSecond;
  private final long startNanos = System.nanoTime();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private long sent;

  /**
   * @param ratePerSecond records per second at most; 0 or less: as fast as Kafka takes them
   */
  public KafkaPublisher(String bootstrapServers, String topic, double ratePerSecond) {
    this(bootstrapServers, new Properties(), topic, ratePerSecond);
  }

  /**
   * @param clientSettings Kafka client settings (security.protocol, sasl.*, ssl.*), may be empty
   * @param ratePerSecond records per second at most; 0 or less: as fast as Kafka takes them
   */
  public KafkaPublisher(
      String bootstrapServers, Properties clientSettings, String topic, double ratePerSecond) {
    Properties props = new Properties();
    props.putAll(clientSettings);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "freshet-cli");
    this.producer = new KafkaProducer<>(props);
    this.topic = topic;
    this.ratePerSecond = ratePerSecond;
  }

  public String topic() {
    return topic;
  }

  /** Sends one record (key may be null); blocks only to respect the rate. */
  public void send(byte[] key, byte[] value) {
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("sending to Kafka topic " + topic + " failed: " + e, e);
    }
    if (ratePerSecond > 0) {
      long due = startNanos + (long) (sent * 1e9 / ratePerSecond);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", ie);
        }
      }
    }
    producer.send(
        new ProducerRecord<>(topic, key, value),
        (md, ex) -> {
          if (ex != null) {
            failure.compareAndSet(null, ex);
          }
        });
    sent++;
  }

  public long sent() {
    return sent;
  }

  /** Waits for every record to be acknowledged; throws the first failure. */
  @Override
  public void close() {
    try {
      producer.flush();
    } finally {
      producer.close(Duration.ofSeconds(30));
    }
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("sending to Kafka topic " + topic + " failed: " + e, e);
    }
  }

  /** Avro binary of a generated record (a Payment), the encoding the job's source decodes. */
  public static <T extends SpecificRecord> byte[] avro(T record) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(bytes, null);
      @SuppressWarnings("unchecked")
      SpecificDatumWriter<T> w = new SpecificDatumWriter<>((Class<T>) record.getClass());
      w.write(record, enc);
      enc.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends every generated record in arrival order: payments as Avro keyed by customer id, NOT_AVRO
   * records as their raw bytes. Calls {@code progress} with the count every 100,000.
   */
  public static long publish(
      Iterable<PaymentsGenerator.Event> generator, KafkaPublisher out, Consumer<Long> progress) {
    long n = 0;
    for (PaymentsGenerator.Event e : generator) {
      if (e.kind() == PaymentsGenerator.Kind.NOT_AVRO) {
        out.send(null, PaymentsGenerator.notAvro(e.index()));
      } else {
        byte[] key = e.payment().getCustomerId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.send(key.length == 0 ? null : key, avro(e.payment()));
      }
      if (++n % 100_000 == 0) {
        progress.accept(n);
      }
    }
    return n;
  }
}
