package io.freshet.jobs;

import static io.freshet.jobs.FeatureJobIcebergIT.assertSameRows;
import static io.freshet.jobs.FeatureJobIcebergIT.canonical;
import static io.freshet.jobs.FeatureJobIcebergIT.committedCheckpoint;
import static io.freshet.jobs.FeatureJobIcebergIT.readHistory;
import static io.freshet.jobs.FeatureJobIcebergIT.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.Decoded;
import io.freshet.connectors.iceberg.IcebergOptions;
import io.freshet.connectors.kafka.KafkaOptions;
import io.freshet.examples.payments.Payment;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.FlinkMiniClusterExtension;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production shape of {@link FeatureJobIcebergIT}'s failure test: an unbounded job reading the
 * real Kafka broker loses its TaskManager after its first Iceberg commit, restores from its latest
 * checkpoint on a new TaskManager and reads on. Once every update is committed the job is stopped
 * with a savepoint; its history must then equal the changelog of an uninterrupted run of the same
 * topic exactly.
 */
@ExtendWith(RealServicesExtension.class)
class FeatureJobIcebergKafkaIT {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final int PARTITIONS = 2;

  /**
   * An entity whose one event per partition, 90 days after the others, moves the unbounded job's
   * watermark past every window of the real customers, in the bounded run as in the unbounded one.
   * Its own rows are left out of the comparison.
   */
  private static final String SENTINEL = FeatureJobKafkaIT.SENTINEL;

  @Test
  void historyEqualsTheChangelogAfterATaskManagerFailure(
      TestServices services, @InjectMiniCluster MiniCluster cluster) throws Exception {
    String topic = services.createTopic("payments", PARTITIONS);
    FeatureSpec spec =
        FeatureJobKafkaIT.onTopic(
            SpecParser.parse(Path.of("../examples/payments/payments.yaml")),
            topic,
            Duration.ofSeconds(30));
    ViewSpec view = spec.views().get(0);
    produce(services, topic, payments(12_000));
    Configuration kafka = new Configuration();
    kafka.set(KafkaOptions.BOOTSTRAP_SERVERS, services.kafkaBootstrapServers());
    kafka.set(KafkaOptions.STARTING_OFFSETS, "earliest");

    // The changelog of an uninterrupted run over the same topic, read to its end.
    Configuration bounded = new Configuration(kafka);
    bounded.set(KafkaOptions.BOUNDED, true);
    bounded.set(KafkaOptions.GROUP_ID, "uninterrupted");
    List<String> expected =
        withoutSentinel(
            canonical(
                FeatureJobKafkaIT.runToEnd(
                    spec, bounded, FeatureSinks.NONE, FeatureJobKafkaIT.pipelineConfig())));
    assertThat(expected).hasSizeGreaterThan(12_000).doesNotHaveDuplicates();

    // The unbounded job with the history sink; its TaskManager dies after the first commit.
    Path dir = Path.of("target", "iceberg-kafka-it-" + UUID.randomUUID()).toAbsolutePath();
    Configuration history = new Configuration();
    history.set(IcebergOptions.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"));
    history.set(IcebergOptions.WAREHOUSE, dir.resolve("warehouse").toUri().toString());
    history.set(IcebergOptions.NAMESPACE, "kafka");
    Configuration unbounded = new Configuration(kafka);
    unbounded.set(KafkaOptions.GROUP_ID, "history");
    KafkaEventSource kafkaSource = new KafkaEventSource(unbounded);
    EventSource throttled =
        (e, src, fields, watermarks) ->
            kafkaSource
                .create(e, src, fields, watermarks)
                .map(new Throttle(), new AvroTypeInfo<>(Decoded.class))
                .uid("throttle")
                .name("throttle");
    StreamExecutionEnvironment env = FeatureJobIcebergIT.environment();
    new FeatureJob(spec, throttled, FeatureJobIcebergIT.historySinks(history)).build(env);
    JobClient job = env.executeAsync("history from kafka with a TaskManager failure");

    FeatureJobIcebergIT.await(
        job, "the first commit", () -> committedCheckpoint(history, view) > 0);
    long beforeFailure = committedCheckpoint(history, view);
    cluster.terminateTaskManager(0).get();
    cluster.startTaskManager();

    // Every update committed (or the patience runs out), then a final commit with the savepoint.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline && committedRows(history, view) < expected.size()) {
      assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("job ended").isFalse();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    job.stopWithSavepoint(
            false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get();

    assertSameRows(withoutSentinel(readHistory(history, "kafka", view)), expected);
    assertThat(committedCheckpoint(history, view))
        .as("commits after the restore")
        .isGreaterThan(beforeFailure);
    assertThat(dataFileAttempts(history, view))
        .as("attempts whose data files the table holds: before and after the restore")
        .contains(0)
        .anyMatch(attempt -> attempt > 0);
  }

  /** Real customers' rows committed so far (reads the table only once enough records are in). */
  private static long committedRows(Configuration history, ViewSpec view) {
    var current = table(history, "kafka", view).currentSnapshot();
    if (current == null || Long.parseLong(current.summary().get("total-records")) < 12_000) {
      return 0;
    }
    try {
      return withoutSentinel(readHistory(history, "kafka", view)).size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Task attempt numbers in the names of the table's data files ({@code <subtask>-<attempt>-}). */
  private static List<Integer> dataFileAttempts(Configuration history, ViewSpec view)
      throws Exception {
    Pattern name = Pattern.compile("/\\d{5}-(\\d+)-[^/]*\\.parquet$");
    List<Integer> attempts = new ArrayList<>();
    try (CloseableIterable<FileScanTask> files =
        table(history, "kafka", view).newScan().planFiles()) {
      for (FileScanTask f : files) {
        Matcher m = name.matcher(f.file().location());
        assertThat(m.find()).as("data file name %s", f.file().location()).isTrue();
        attempts.add(Integer.parseInt(m.group(1)));
      }
    }
    return attempts;
  }

  private static List<String> withoutSentinel(List<String> rows) {
    return rows.stream().filter(r -> !r.startsWith(SENTINEL + "|")).toList();
  }

  /** Slows the first reading so that the TaskManager dies mid-stream (about 2,000 records/s). */
  private static final class Throttle implements MapFunction<Decoded, Decoded> {
    private static final long serialVersionUID = 1L;
    private long seen;

    @Override
    public Decoded map(Decoded d) throws InterruptedException {
      if (++seen % 2 == 0) {
        Thread.sleep(1);
      }
      return d;
    }
  }

  /** Payments of 200 customers over about two weeks, out of order by up to 2 s. */
  private static List<Payment> payments(int n) {
    Random rnd = new Random(5);
    List<Payment> out = new ArrayList<>();
    long clock = T0;
    for (int i = 0; i < n; i++) {
      clock += rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(200_000);
      out.add(
          new Payment(
              "p" + i,
              "c" + rnd.nextInt(200),
              "m" + rnd.nextInt(40),
              Math.round(rnd.nextDouble() * 40_000) / 100.0,
              "EUR",
              List.of("FR", "DE", "NL", "US").get(rnd.nextInt(4)),
              Instant.ofEpochMilli(clock - rnd.nextInt(2000))));
    }
    return out;
  }

  /** The payments keyed by customer, then one sentinel event on every partition. */
  private static void produce(TestServices services, String topic, List<Payment> payments)
      throws Exception {
    Properties props = services.kafkaProperties();
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    long last = payments.stream().mapToLong(p -> p.getEventTime().toEpochMilli()).max().orElse(T0);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (Payment p : payments) {
        byte[] key = p.getCustomerId().getBytes();
        producer.send(new ProducerRecord<>(topic, key, FeatureJobKafkaIT.encode(p)));
      }
      FeatureJobKafkaIT.sendSentinels(producer, topic, PARTITIONS, last);
    }
  }
}
