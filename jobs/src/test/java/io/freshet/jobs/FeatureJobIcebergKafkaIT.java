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
import io.freshet.testing.AvroBytes;
import io.freshet.testing.FlinkMiniClusterExtension;
import io.freshet.testing.Payments;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
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
 * checkpoint on a new TaskManager and reads on, records that arrive only after the failure among
 * them. Once its periodic commits hold every update the job is stopped with a savepoint; its
 * history must then equal the changelog of an uninterrupted run over the same records exactly.
 */
@ExtendWith(RealServicesExtension.class)
class FeatureJobIcebergKafkaIT {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final int PARTITIONS = 2;
  private static final int PAYMENTS = 12_000;

  /** Payments in the topic when the job starts. */
  private static final int AT_START = 4_000;

  /**
   * Payments the job reads before its TaskManager dies: those at the start, and more produced after
   * its first commit. The rest arrive only after the TaskManager died.
   */
  private static final int BEFORE_FAILURE = 6_000;

  /**
   * An entity whose one event per partition, 90 days after the others, moves the unbounded job's
   * watermark past every window of the real customers, in the bounded run as in the unbounded one.
   * Its own rows are left out of the comparison.
   */
  private static final String SENTINEL = FeatureJobKafkaIT.SENTINEL;

  /**
   * The test controls where the stream is when the TaskManager dies, instead of a sleep that slowed
   * the job's reading so that it would die mid-stream. The payments arrive in steps: {@value
   * #AT_START} before the job starts; {@value #BEFORE_FAILURE} in all once it has committed, the
   * last of which it reads and holds (no checkpoint completes after it) until the test has killed
   * the TaskManager; the rest, and the sentinels that end the stream, once the TaskManager is gone,
   * so that only the restored job can read them.
   */
  @Test
  void historyEqualsTheChangelogAfterATaskManagerFailure(
      TestServices services, @InjectMiniCluster MiniCluster cluster) throws Exception {
    FeatureSpec parsed = SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
    ViewSpec view = parsed.views().get(0);
    List<Payment> payments =
        Payments.complete(5, PAYMENTS, T0, 200_000, Payments.uniformCustomers(200));
    long last =
        payments.stream().mapToLong(p -> p.getEventTime().toEpochMilli()).max().orElseThrow();
    Configuration kafka = new Configuration();
    kafka.set(KafkaOptions.BOOTSTRAP_SERVERS, services.kafkaBootstrapServers());
    kafka.set(KafkaOptions.STARTING_OFFSETS, "earliest");

    // The changelog of an uninterrupted run over the same records (same keys, same partitions),
    // all in their topic from the start, read to its end.
    String whole = services.createTopic("whole", PARTITIONS);
    produce(services, whole, payments);
    produceEnd(services, whole, last);
    Configuration bounded = new Configuration(kafka);
    bounded.set(KafkaOptions.BOUNDED, true);
    bounded.set(KafkaOptions.GROUP_ID, "uninterrupted");
    List<String> expected =
        withoutSentinel(
            canonical(
                FeatureJobKafkaIT.runToEnd(
                    FeatureJobKafkaIT.onTopic(parsed, whole, Duration.ofSeconds(30)),
                    bounded,
                    FeatureSinks.NONE,
                    FeatureJobKafkaIT.pipelineConfig())));
    assertThat(expected).hasSizeGreaterThan(PAYMENTS).doesNotHaveDuplicates();

    // The unbounded job with the history sink, started on the first payments.
    String topic = services.createTopic("payments", PARTITIONS);
    FeatureSpec spec = FeatureJobKafkaIT.onTopic(parsed, topic, Duration.ofSeconds(30));
    produce(services, topic, payments.subList(0, AT_START));
    Path dir = Path.of("target", "iceberg-kafka-it-" + UUID.randomUUID()).toAbsolutePath();
    Configuration history = new Configuration();
    history.set(IcebergOptions.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"));
    history.set(IcebergOptions.WAREHOUSE, dir.resolve("warehouse").toUri().toString());
    history.set(IcebergOptions.NAMESPACE, "kafka");
    Configuration unbounded = new Configuration(kafka);
    unbounded.set(KafkaOptions.GROUP_ID, "history");
    KafkaEventSource kafkaSource = new KafkaEventSource(unbounded);
    DiesAt.reset();
    EventSource diesAt =
        (e, src, fields, watermarks) ->
            kafkaSource
                .create(e, src, fields, watermarks)
                .map(new DiesAt(), new AvroTypeInfo<>(Decoded.class))
                .uid("dies-at")
                .name("dies at");
    StreamExecutionEnvironment env = FeatureJobIcebergIT.environment();
    new FeatureJob(spec, diesAt, FeatureJobIcebergIT.historySinks(history)).build(env);
    JobClient job = env.executeAsync("history from kafka with a TaskManager failure");

    // 1. The first commit; more payments, the last of which attempt 0 holds; then the
    // TaskManager dies and a new one takes its place.
    FeatureJobIcebergIT.await(
        job, "the first commit", () -> committedCheckpoint(history, view) > 0);
    long beforeFailure = committedCheckpoint(history, view);
    produce(services, topic, payments.subList(AT_START, BEFORE_FAILURE));
    FeatureJobIcebergIT.await(
        job, "attempt 0 to hold payment " + BEFORE_FAILURE, () -> DiesAt.holding.getCount() == 0);
    cluster.terminateTaskManager(0).get();
    cluster.startTaskManager();
    // 2. The rest of the stream arrives: only the restored job can read it.
    produce(services, topic, payments.subList(BEFORE_FAILURE, PAYMENTS));
    produceEnd(services, topic, last);
    // 3. The restored job's periodic commits hold every update; then a final commit with the
    // savepoint.
    FeatureJobIcebergIT.await(
        job,
        () ->
            "the periodic commits after the restore to hold all "
                + expected.size()
                + " rows of the uninterrupted run (the table holds "
                + totalRecords(history, view)
                + ", sentinels included)",
        () -> committedRows(history, view, expected.size()) >= expected.size());
    job.stopWithSavepoint(
            false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get();

    assertSameRows(withoutSentinel(readHistory(history, "kafka", view)), expected);
    assertThat(DiesAt.readAfterRestore.get())
        .as(
            "records the restored job read: the rest of the stream, and a replay of what attempt 0"
                + " read after its last completed checkpoint")
        .isGreaterThan(PAYMENTS - BEFORE_FAILURE + PARTITIONS);
    assertThat(committedCheckpoint(history, view))
        .as("commits after the restore")
        .isGreaterThan(beforeFailure);
    assertThat(dataFileAttempts(history, view))
        .as("attempts whose data files the table holds: before and after the restore")
        .contains(0)
        .anyMatch(attempt -> attempt > 0);
  }

  /**
   * Real customers' rows committed so far (reads the table only once it holds {@code atLeast} rows,
   * sentinels included).
   */
  private static long committedRows(Configuration history, ViewSpec view, long atLeast) {
    if (totalRecords(history, view) < atLeast) {
      return 0;
    }
    try {
      return withoutSentinel(readHistory(history, "kafka", view)).size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rows in the table's current snapshot, sentinels included (0 before the first commit). */
  private static long totalRecords(Configuration history, ViewSpec view) {
    var current = table(history, "kafka", view).currentSnapshot();
    return current == null ? 0 : Long.parseLong(current.summary().get("total-records"));
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

  /**
   * The payments' pass-through, counting what attempt 0 and the restored attempts read. Attempt 0
   * holds its task at payment {@value #BEFORE_FAILURE} (counted over its subtasks, so the last one
   * produced by then): it tells the test, which kills the TaskManager, and waits until the kill
   * cancels the task. Its task takes no checkpoint after that payment, so the restored job must
   * read it again, with whatever else attempt 0 read after its last completed checkpoint.
   */
  private static final class DiesAt extends RichMapFunction<Decoded, Decoded> {
    private static final long serialVersionUID = 1L;

    static final AtomicLong readByAttempt0 = new AtomicLong();
    static final AtomicLong readAfterRestore = new AtomicLong();
    static volatile CountDownLatch holding;

    static void reset() {
      readByAttempt0.set(0);
      readAfterRestore.set(0);
      holding = new CountDownLatch(1);
    }

    private transient boolean attempt0;

    @Override
    public void open(OpenContext context) {
      attempt0 = getRuntimeContext().getTaskInfo().getAttemptNumber() == 0;
    }

    @Override
    public Decoded map(Decoded d) throws InterruptedException {
      if (!attempt0) {
        readAfterRestore.incrementAndGet();
      } else if (readByAttempt0.incrementAndGet() == BEFORE_FAILURE) {
        holding.countDown();
        while (!Thread.interrupted()) {
          LockSupport.park(this); // until the TaskManager's shutdown cancels the task
        }
        throw new InterruptedException("the TaskManager died while attempt 0 held its task");
      }
      return d;
    }
  }

  /** The payments, keyed by customer. */
  private static void produce(TestServices services, String topic, List<Payment> payments)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(services)) {
      for (Payment p : payments) {
        byte[] key = p.getCustomerId().getBytes();
        producer.send(new ProducerRecord<>(topic, key, AvroBytes.encode(p)));
      }
    }
  }

  /** The end of the stream: one sentinel event on every partition, 90 days after {@code last}. */
  private static void produceEnd(TestServices services, String topic, long last) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(services)) {
      FeatureJobKafkaIT.sendSentinels(producer, topic, PARTITIONS, last);
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(TestServices services) {
    Properties props = services.kafkaProperties();
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    return new KafkaProducer<>(props);
  }
}
