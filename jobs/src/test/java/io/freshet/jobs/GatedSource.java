package io.freshet.jobs;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.functions.IndexLookupGeneratorFunction;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A bounded, checkpointed source of given records that the test lets through in steps: it emits
 * records in list order until its hold point, then waits until the test moves the hold point or
 * opens the gate. While it waits its task stays free (its reader reports nothing available instead
 * of blocking), so checkpoints pass it and capture it exactly at the hold point. This replaces
 * sleeps that slow a source "so that the test acts mid-stream": what the test sees no longer
 * depends on how fast the machine is.
 *
 * <p>The gate is one per JVM (the MiniCluster runs in the test's JVM; the source's rate limiter is
 * serialized into the job and reaches back to it): tests that use it must not run concurrently, and
 * each starts with {@link #reset}. The source runs at parallelism 1, so "n records emitted" means
 * records 0 to n-1 of the list.
 */
final class GatedSource {
  private GatedSource() {}

  private static final CompletableFuture<Void> GO = CompletableFuture.completedFuture(null);

  // Guarded by GatedSource.class: the task thread asks, the test thread moves.
  private static long holdAt = Long.MAX_VALUE;
  private static long emitted;
  private static CompletableFuture<Void> moved = new CompletableFuture<>();

  /** The records as a source (uid and name are the caller's) that holds after {@link #reset}. */
  static <T> DataStreamSource<T> of(
      StreamExecutionEnvironment env, List<T> records, TypeInformation<T> type) {
    GeneratorFunction<Long, T> lookup =
        new IndexLookupGeneratorFunction<>(type, env.getConfig(), records);
    return env.fromSource(
            new DataGeneratorSource<>(new Counting<>(lookup), records.size(), new Gate(), type),
            WatermarkStrategy.noWatermarks(),
            "gated source")
        .setParallelism(1);
  }

  /** Forgets what was emitted; the source will emit {@code firstHold} records, then wait. */
  static void reset(long firstHold) {
    synchronized (GatedSource.class) {
      emitted = 0;
    }
    holdAt(firstHold);
  }

  /** Lets the source go on until it has emitted {@code n} records in all (replays included). */
  static void holdAt(long n) {
    CompletableFuture<Void> waiting;
    synchronized (GatedSource.class) {
      holdAt = n;
      waiting = moved;
      moved = new CompletableFuture<>();
    }
    waiting.complete(null); // outside the lock: wakes the source's task through its mailbox
  }

  /** Lets the source emit the rest of its records, now and after any restore. */
  static void open() {
    holdAt(Long.MAX_VALUE);
  }

  /** Records emitted since {@link #reset}, by every attempt of the job. */
  static synchronized long emitted() {
    return emitted;
  }

  private static synchronized CompletionStage<Void> permit() {
    return emitted < holdAt ? GO : moved;
  }

  private static synchronized void countEmitted() {
    emitted++;
  }

  /**
   * Asked by the source's reader before each record (see Flink's RateLimitedSourceReader, which
   * waits on the returned stage without blocking the task). At most one record follows a permit, so
   * the count of emitted records never passes the hold point.
   */
  private static final class Gate implements RateLimiterStrategy {
    private static final long serialVersionUID = 1L;

    @Override
    public RateLimiter createRateLimiter(int parallelism) {
      return GatedSource::permit;
    }
  }

  /** The records by index, counting each one emitted. */
  private static final class Counting<T> implements GeneratorFunction<Long, T> {
    private static final long serialVersionUID = 1L;
    private final GeneratorFunction<Long, T> records;

    Counting(GeneratorFunction<Long, T> records) {
      this.records = records;
    }

    @Override
    public void open(SourceReaderContext context) throws Exception {
      records.open(context);
    }

    @Override
    public T map(Long index) throws Exception {
      T record = records.map(index);
      countEmitted();
      return record;
    }

    @Override
    public void close() throws Exception {
      records.close();
    }
  }
}
