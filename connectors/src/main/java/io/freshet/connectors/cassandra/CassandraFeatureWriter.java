package io.freshet.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.StoreNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one view's updates to its Cassandra table with prepared, idempotent, versioned upserts
 * ({@code USING TIMESTAMP} from valid_from, revision and the writer's epoch, {@code USING TTL} from
 * last_event_time and the view's ttl: see {@link WriteVersion}).
 *
 * <p><b>Coalescing.</b> An update is sent at once while fewer than {@link
 * CassandraOptions#MAX_IN_FLIGHT} writes are in flight; otherwise it waits, newest per entity (a
 * newer update of a waiting entity replaces the older one: the table only ever serves the newest),
 * and each completed write hands its slot to the longest-waiting entity. Live traffic is therefore
 * written update by update, while a backfill that outruns Cassandra writes only the vectors that
 * are current when a slot frees. Updates whose valid_from is older than {@link
 * CassandraOptions#HOLD_OLDER_THAN} (a backfill, a catch-up after downtime) are held, newest per
 * entity, until the next checkpoint (or until too many entities wait), so that a backfill writes
 * about one row per entity and checkpoint. The table ends the same either way.
 *
 * <p><b>Checkpoints do not wait for Cassandra.</b> At a checkpoint the writer releases its held
 * updates to the waiting ones and puts every write it has not finished (waiting, or in flight
 * including retries; the newest per entity) into the checkpoint ({@link #snapshotState}); a writer
 * restored from that checkpoint sends them again first. The writes are idempotent and versioned, so
 * a write sent twice, or one that lands after a newer one of its entity, changes nothing. The task
 * therefore never pauses at a checkpoint for Cassandra, which a cold or slow node made take
 * seconds. With {@link CassandraOptions#DRAIN_ON_CHECKPOINT} the writer instead waits, at every
 * checkpoint, until everything before it is in Cassandra, and checkpoints nothing.
 *
 * <p><b>Error contract.</b>
 *
 * <ul>
 *   <li>At most {@link CassandraOptions#MAX_IN_FLIGHT} writes are in flight and at most {@link
 *       CassandraOptions#MAX_WAITING} entities wait; beyond that {@link #write} blocks the task
 *       thread until a write completes (backpressure).
 *   <li>Retryable errors ({@link CassandraErrors#isRetryable}: timeouts, unavailable, overloaded,
 *       lost connections, no node available) are retried with exponential backoff ({@link
 *       CassandraOptions#RETRY_INITIAL_BACKOFF} doubling up to {@link
 *       CassandraOptions#RETRY_MAX_BACKOFF}), up to {@link CassandraOptions#RETRY_MAX_ATTEMPTS}
 *       attempts. A retry holds its in-flight slot. Retrying is safe because the write is
 *       idempotent.
 *   <li>A fatal error (syntax, invalid query, unauthorized, authentication, unknown) or a retryable
 *       one that ran out of attempts is recorded, and the next {@link #write} or {@link #flush} on
 *       the task thread throws it as a {@link CassandraWriteException} naming the view, the entity
 *       and the attempt count: the job fails and restores from its last checkpoint.
 *   <li>{@link #flush} at end of input (and at every checkpoint with {@link
 *       CassandraOptions#DRAIN_ON_CHECKPOINT}) returns only when every write issued before it
 *       succeeded, else throws. Otherwise a completed checkpoint means that everything before it is
 *       in Cassandra or in the checkpoint, to be sent again on restore.
 *   <li>A view that no longer matches its table (retyped feature) fails the job on start without
 *       restarts ({@link SuppressRestartsException} around a {@link ViewSchemaException} that says
 *       to rename the feature or declare a new view). A removed feature's column stays; every
 *       insert sets it to null, so a row always holds one update, whole.
 *   <li>Updates already past their retention (last_event_time + ttl + expired-retention before now)
 *       are skipped and counted ({@code expiredSkipped}).
 * </ul>
 */
public final class CassandraFeatureWriter
    implements StatefulSinkWriter<FeatureUpdate, FeatureUpdate> {
  private static final Logger LOG = LoggerFactory.getLogger(CassandraFeatureWriter.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final ViewSpec view;

  /** The table's columns of features the view no longer has: every insert sets them to null. */
  private final List<String> removed;

  private final CqlSession session;
  private final boolean ownsSession;

  /** This writer's epoch ({@link WriterEpochs}), in every write timestamp it sets. */
  private final long epoch;

  private final PreparedStatement insert;
  private final int maxInFlight;
  private final Semaphore permits;
  private final int maxAttempts;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final long ttlMillis;
  private final long retentionMillis;
  private final LongSupplier clock;
  private final ScheduledExecutorService retryTimer;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  private final Counter written;
  private final Counter retries;
  private final Counter expiredSkipped;
  private final Counter coalesced;

  /** Milliseconds from sending a write to its success (each attempt). */
  private final Histogram writeLatency;

  /**
   * Wall-clock milliseconds from the valid_from of the last update written to its write's success:
   * the online store's freshness (for live updates, event time to online).
   */
  private volatile long onlineLag;

  /** Updates waiting for a slot: the newest per entity, longest-waiting entity first. */
  private final LinkedHashMap<String, FeatureUpdate> waiting = new LinkedHashMap<>();

  /** Historical updates held until the next flush, newest per entity (task thread only). */
  private final LinkedHashMap<String, FeatureUpdate> held = new LinkedHashMap<>();

  /**
   * The newest update sent per entity whose write (or its retries) has not succeeded yet: what a
   * checkpoint must still hold. Added under the lock of {@link #waiting} in the same step that
   * takes the update from there, removed when its write succeeds.
   */
  private final ConcurrentHashMap<String, FeatureUpdate> inFlight = new ConcurrentHashMap<>();

  private final boolean drainOnCheckpoint;
  private final long closeDrainNanos;
  private final Counter restored;

  private final int maxWaiting;
  private final long holdOlderThanMillis;

  CassandraFeatureWriter(
      ViewSpec view,
      List<String> removed,
      CqlSession session,
      boolean ownsSession,
      String keyspace,
      long epoch,
      Configuration conf,
      MetricGroup metrics,
      LongSupplier clock) {
    this.view = view;
    this.epoch = epoch;
    this.removed = List.copyOf(removed);
    this.session = session;
    this.ownsSession = ownsSession;
    this.maxInFlight = conf.get(CassandraOptions.MAX_IN_FLIGHT);
    this.permits = new Semaphore(maxInFlight);
    this.maxWaiting = conf.get(CassandraOptions.MAX_WAITING);
    this.holdOlderThanMillis = conf.get(CassandraOptions.HOLD_OLDER_THAN).toMillis();
    this.drainOnCheckpoint = conf.get(CassandraOptions.DRAIN_ON_CHECKPOINT);
    this.closeDrainNanos = conf.get(CassandraOptions.REQUEST_TIMEOUT).toNanos();
    this.maxAttempts = conf.get(CassandraOptions.RETRY_MAX_ATTEMPTS);
    this.initialBackoffMillis = conf.get(CassandraOptions.RETRY_INITIAL_BACKOFF).toMillis();
    this.maxBackoffMillis = conf.get(CassandraOptions.RETRY_MAX_BACKOFF).toMillis();
    this.ttlMillis = view.ttl().toMillis();
    this.retentionMillis = conf.get(CassandraOptions.EXPIRED_RETENTION).toMillis();
    this.clock = clock;
    this.insert =
        prepareWhenVisible(
            session,
            insertCql(keyspace, view, this.removed),
            conf.get(CassandraOptions.SCHEMA_TIMEOUT));
    this.retryTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cassandra-retry-" + view.name());
              t.setDaemon(true);
              return t;
            });
    MetricGroup g = metrics.addGroup("view", view.name());
    this.written = g.counter("cassandraWrites");
    this.retries = g.counter("cassandraRetries");
    this.expiredSkipped = g.counter("expiredSkipped");
    this.coalesced = g.counter("cassandraCoalesced");
    this.restored = g.counter("cassandraRestoredWrites");
    g.gauge("cassandraWaiting", this::waitingCount);
    g.gauge("cassandraHeld", held::size);
    g.gauge("cassandraInFlight", () -> maxInFlight - permits.availablePermits());
    this.writeLatency =
        g.histogram("cassandraWriteLatencyMs", new DescriptiveStatisticsHistogram(1_000));
    g.gauge("onlineLagMs", () -> onlineLag);
  }

  /**
   * Opens a session, ensures (subtask 0) or awaits (others) the schema, prepares the insert. The
   * sink calls it per subtask; other modules' tests use it to fill Cassandra exactly as the job
   * does.
   */
  public static CassandraFeatureWriter open(
      SourceSpec source,
      ViewSpec view,
      Configuration conf,
      int subtask,
      MetricGroup metrics,
      LongSupplier clock)
      throws IOException {
    CqlSession session = CassandraSessions.open(conf);
    String keyspace = conf.get(CassandraOptions.KEYSPACE);
    try {
      List<String> removed =
          subtask == 0
              ? ViewTableSchema.ensure(
                  session, keyspace, conf.get(CassandraOptions.KEYSPACE_REPLICATION), source, view)
              : ViewTableSchema.await(
                  session, keyspace, view, conf.get(CassandraOptions.SCHEMA_TIMEOUT));
      long epoch =
          WriterEpochs.next(
              session, keyspace, view.name(), conf.get(CassandraOptions.SCHEMA_TIMEOUT));
      return new CassandraFeatureWriter(
          view, removed, session, true, keyspace, epoch, conf, metrics, clock);
    } catch (ViewSchemaException e) {
      session.close();
      throw new SuppressRestartsException(e);
    } catch (InterruptedException e) {
      session.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the table of view " + view.name(), e);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /**
   * Prepares {@code cql}, waiting while the node still answers that its table does not exist or
   * that a column is undefined: a table just created, or a feature column just added (by this
   * subtask or subtask 0), can be listed in system_schema before the node prepares statements on
   * it, which made a fresh job's first attempt fail and restart (and a restore that adds a feature,
   * LifecycleIT).
   */
  static com.datastax.oss.driver.api.core.cql.PreparedStatement prepareWhenVisible(
      CqlSession session, String cql, java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 50;
    while (true) {
      try {
        return session.prepare(SimpleStatement.newInstance(cql));
      } catch (com.datastax.oss.driver.api.core.servererrors.InvalidQueryException e) {
        String message = String.valueOf(e.getMessage());
        boolean notYetVisible =
            message.contains("does not exist") || message.contains("Undefined column name");
        if (!notYetVisible || System.nanoTime() > deadline) {
          throw e;
        }
        LOG.info("schema not yet visible to prepare ({}); retrying in {} ms", message, pause);
        java.util.concurrent.locks.LockSupport.parkNanos(pause * 1_000_000L);
        pause = Math.min(pause * 2, 1000);
      }
    }
  }

  static String insertCql(String keyspace, ViewSpec view) {
    return insertCql(keyspace, view, List.of());
  }

  /**
   * The insert of a view's row: the fixed columns, the view's features, then the {@code removed}
   * features' columns (bound to null), then the write timestamp and ttl.
   */
  static String insertCql(String keyspace, ViewSpec view, List<String> removed) {
    StringBuilder cols = new StringBuilder();
    StringBuilder marks = new StringBuilder();
    for (StoreColumn c : StoreColumn.ONLINE) {
      cols.append(cols.length() == 0 ? "" : ", ").append(c.column());
      marks.append(marks.length() == 0 ? "?" : ", ?");
    }
    for (FeatureDef f : view.features()) {
      cols.append(", ").append(ViewTableSchema.quote(f.name()));
      marks.append(", ?");
    }
    for (String name : removed) {
      cols.append(", ").append(ViewTableSchema.quote(name));
      marks.append(", ?");
    }
    return "INSERT INTO "
        + ViewTableSchema.quote(keyspace)
        + "."
        + ViewTableSchema.quote(StoreNames.table(view.name()))
        + " ("
        + cols
        + ") VALUES ("
        + marks
        + ") USING TIMESTAMP ? AND TTL ?";
  }

  @Override
  public void write(FeatureUpdate u, Context context) throws IOException, InterruptedException {
    rethrowFailure();
    enqueue(u);
    sendWhatFits();
    while (held.size() + waitingCount() > maxWaiting) {
      if (waitingCount() == 0) {
        release(Math.max(1, maxWaiting / 4));
      }
      if (permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        sendNext();
      }
      rethrowFailure();
    }
  }

  /**
   * Sends again the writes a checkpoint held ({@link #snapshotState}) before anything new: called
   * once, on the task thread, when the writer is restored.
   */
  void restore(Collection<FeatureUpdate> pending) {
    for (FeatureUpdate u : pending) {
      enqueue(u);
      restored.inc();
    }
    if (!pending.isEmpty()) {
      LOG.info(
          "View {}: sending again {} Cassandra writes the checkpoint held",
          view.name(),
          pending.size());
    }
    sendWhatFits();
  }

  /** Uses the free slots. */
  private void sendWhatFits() {
    while (permits.tryAcquire()) {
      if (!sendNext()) {
        break;
      }
    }
  }

  /** Adds an update to the waiting or the held ones, replacing an older one of its entity. */
  private void enqueue(FeatureUpdate u) {
    String entity = u.getEntity().toString();
    // An entity is in at most one of the two maps.
    synchronized (waiting) {
      FeatureUpdate older = waiting.get(entity);
      if (older == null) {
        older = held.get(entity);
      }
      if (older != null) {
        coalesced.inc();
        if (version(u) < version(older)) {
          return; // a replayed, older vector loses to the one already waiting
        }
      }
      // by the update's own written_at, so that a training set can tell which rows were held
      boolean historical =
          holdOlderThanMillis > 0 && u.getValidFrom() < u.getWrittenAt() - holdOlderThanMillis;
      if (historical && !waiting.containsKey(entity)) {
        held.put(entity, u);
      } else {
        held.remove(entity);
        waiting.put(entity, u);
      }
    }
  }

  /** Moves up to n held updates, oldest entity first, to the waiting ones. */
  private void release(int n) {
    var it = held.entrySet().iterator();
    synchronized (waiting) {
      for (int i = 0; i < n && it.hasNext(); i++) {
        var e = it.next();
        waiting.put(e.getKey(), e.getValue());
        it.remove();
      }
    }
  }

  private long version(FeatureUpdate u) {
    return WriteVersion.timestamp(u.getValidFrom(), u.getRevision(), epoch);
  }

  /** Writes completed so far (for tests). */
  long writesCompleted() {
    return written.getCount();
  }

  /** The prepared insert's CQL (for tests). */
  String insertQuery() {
    return insert.getQuery();
  }

  /** Updates replaced by a newer one of the same entity while waiting (for tests). */
  long updatesCoalesced() {
    return coalesced.getCount();
  }

  private int waitingCount() {
    synchronized (waiting) {
      return waiting.size();
    }
  }

  /**
   * With one slot held: sends the longest-waiting entity's update, or frees the slot if none waits
   * (under the same lock as {@link #write}'s insert, so no update is left waiting with a free
   * slot). Returns whether it sent.
   */
  private boolean sendNext() {
    while (true) {
      FeatureUpdate u;
      int ttl;
      synchronized (waiting) {
        var oldest = waiting.entrySet().iterator();
        if (!oldest.hasNext()) {
          permits.release();
          return false;
        }
        var e = oldest.next();
        u = e.getValue();
        oldest.remove();
        ttl =
            WriteVersion.ttlSeconds(
                u.getLastEventTime(), ttlMillis, retentionMillis, clock.getAsLong());
        if (ttl <= 0) {
          expiredSkipped.inc(); // keep the slot for the next one
          continue;
        }
        inFlight.put(e.getKey(), u); // with the removal from waiting: a snapshot sees it in one
      }
      send(bind(u, ttl), u, 1);
      return true;
    }
  }

  BoundStatement bind(FeatureUpdate u, int ttl) {
    List<Object> values = u.getValues();
    List<FeatureDef> features = view.features();
    if (!view.name().contentEquals(u.getView()) || values.size() != features.size()) {
      throw new IllegalArgumentException(
          "update of view '"
              + u.getView()
              + "' with "
              + values.size()
              + " values does not fit view '"
              + view.name()
              + "' with "
              + features.size()
              + " features: the job and the sink were built from different specs");
    }
    BoundStatementBuilder b = insert.boundStatementBuilder();
    int i = 0;
    for (StoreColumn c : StoreColumn.ONLINE) {
      switch (c) {
        case ENTITY -> b.setString(i, u.getEntity().toString());
        case VALID_FROM -> b.setLong(i, u.getValidFrom());
        case LAST_EVENT_TIME -> b.setLong(i, u.getLastEventTime());
        case WRITTEN_AT -> b.setLong(i, u.getWrittenAt());
        case SPEC_VERSION -> b.setString(i, u.getSpecVersion().toString());
        case REVISION -> b.setInt(i, u.getRevision());
        case WARMING_UP -> {
          List<String> warming = u.getWarmingUp();
          if (warming == null || warming.isEmpty()) {
            b.setToNull(i); // clears the list of an earlier, warming vector
          } else {
            b.setList(i, warming, String.class);
          }
        }
        case CORRECTION -> throw new IllegalStateException("correction is not an online column");
      }
      i++;
    }
    for (int f = 0; f < features.size(); f++, i++) {
      Object v = values.get(f);
      if (v == null) {
        b.setToNull(i);
        continue;
      }
      switch (features.get(f).outputType()) {
        case LONG -> b.setLong(i, ((Number) v).longValue());
        case DOUBLE -> b.setDouble(i, ((Number) v).doubleValue());
        case STRING -> b.setString(i, v.toString());
        case BOOLEAN -> b.setBoolean(i, (Boolean) v);
      }
    }
    for (int r = 0; r < removed.size(); r++, i++) {
      b.setToNull(i); // a removed feature: null, not the value of an older update
    }
    b.setLong(i++, version(u));
    b.setInt(i, ttl);
    return b.setIdempotence(true).build();
  }

  private void send(BoundStatement st, FeatureUpdate u, int attempt) {
    long started = System.nanoTime();
    session
        .executeAsync(st)
        .whenComplete(
            (rs, error) -> {
              if (error == null) {
                writeLatency.update((System.nanoTime() - started) / 1_000_000L);
                onlineLag = System.currentTimeMillis() - u.getValidFrom();
                written.inc();
                // unless a newer update of the entity was sent since
                inFlight.computeIfPresent(u.getEntity().toString(), (k, v) -> v == u ? null : v);
                sendNext(); // hands the slot on, or frees it
              } else {
                onError(st, u, attempt, CassandraErrors.unwrap(error));
              }
            });
  }

  private void onError(BoundStatement st, FeatureUpdate u, int attempt, Throwable error) {
    boolean retryable = CassandraErrors.isRetryable(error);
    if (retryable && attempt < maxAttempts && failure.get() == null) {
      retries.inc();
      long backoff = Math.min(maxBackoffMillis, initialBackoffMillis << Math.min(attempt - 1, 20));
      long now = System.nanoTime();
      long last = lastWarn.get();
      if (now - last >= WARN_EVERY_NANOS && lastWarn.compareAndSet(last, now)) {
        LOG.warn(
            "Cassandra write of view {} failed (attempt {} of {}), retrying in {} ms: {}",
            view.name(),
            attempt,
            maxAttempts,
            backoff,
            error.toString());
      }
      try {
        retryTimer.schedule(() -> send(st, u, attempt + 1), backoff, TimeUnit.MILLISECONDS);
        return;
      } catch (RejectedExecutionException closing) {
        // the writer is closing: fall through and record the failure
      }
    }
    failure.compareAndSet(
        null,
        new CassandraWriteException(
            (retryable ? "gave up on" : "fatal error in")
                + " the Cassandra write of view '"
                + view.name()
                + "', entity '"
                + u.getEntity()
                + "' after "
                + attempt
                + (attempt == 1 ? " attempt" : " attempts")
                + ": "
                + error,
            error));
    permits.release();
  }

  /**
   * Called by Flink before each checkpoint and at end of input. Releases the held updates; at end
   * of input (or with {@link CassandraOptions#DRAIN_ON_CHECKPOINT}) then sends every waiting update
   * and waits for every write in flight (and its retries) to finish. Throws the first failure.
   */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    if (endOfInput || drainOnCheckpoint) {
      drain(-1);
      return;
    }
    release(held.size());
    sendWhatFits();
    rethrowFailure(); // the unfinished writes go into the checkpoint (snapshotState)
  }

  /**
   * Sends every waiting and held update and waits for every write in flight (and its retries) to
   * finish, for at most {@code timeoutNanos} (without limit if negative); throws the first failure.
   * Returns whether everything was written.
   */
  private boolean drain(long timeoutNanos) throws IOException, InterruptedException {
    long started = System.nanoTime();
    release(held.size());
    while (waitingCount() > 0) {
      if (timeoutNanos >= 0 && System.nanoTime() - started > timeoutNanos) {
        return false;
      }
      if (permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        sendNext();
      }
      rethrowFailure();
    }
    while (!permits.tryAcquire(maxInFlight, 100, TimeUnit.MILLISECONDS)) {
      if (timeoutNanos >= 0 && System.nanoTime() - started > timeoutNanos) {
        return false;
      }
      rethrowFailure();
    }
    permits.release(maxInFlight);
    rethrowFailure();
    return true;
  }

  /**
   * The writes not finished at this checkpoint, the newest per entity: waiting, held and in flight
   * (with retries). Empty after a drain. Runs on the task thread after {@link #flush}.
   */
  @Override
  public List<FeatureUpdate> snapshotState(long checkpointId) throws IOException {
    rethrowFailure();
    Map<String, FeatureUpdate> pending = new HashMap<>();
    synchronized (waiting) {
      pending.putAll(inFlight);
      for (var maps : List.of(held, waiting)) {
        for (var e : maps.entrySet()) {
          pending.merge(e.getKey(), e.getValue(), (a, b) -> version(b) >= version(a) ? b : a);
        }
      }
    }
    return new ArrayList<>(pending.values());
  }

  /** Writes not finished (waiting, held or in flight), for tests. */
  int unfinishedWrites() throws IOException {
    return snapshotState(-1).size();
  }

  private void rethrowFailure() throws IOException {
    Throwable t = failure.get();
    if (t != null) {
      throw t instanceof IOException io ? io : new IOException(t);
    }
  }

  /**
   * Writes what is still unfinished, for at most the request timeout, then closes. A job stopped
   * with a savepoint (no drain) thus leaves Cassandra with every update it emitted, not only those
   * written before the savepoint (the rest are also in the savepoint, and sent again when the job
   * resumes). After a write failed, or when the task is interrupted, it closes at once: the job
   * restores from its last checkpoint, which holds them.
   */
  @Override
  public void close() {
    if (failure.get() == null) {
      try {
        if (!drain(closeDrainNanos)) {
          LOG.warn(
              "Closing the Cassandra writer of view {} with {} writes unfinished after {} ms; the"
                  + " last checkpoint holds them, or the job replays them",
              view.name(),
              unfinishedWrites(),
              closeDrainNanos / 1_000_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        LOG.warn("Closing the Cassandra writer of view {}: {}", view.name(), e.toString());
      }
    }
    abandon();
  }

  /**
   * Closes without writing what is unfinished, as if the writer's process had died (for tests; the
   * end of {@link #close}).
   */
  void abandon() {
    retryTimer.shutdownNow();
    if (ownsSession) {
      try {
        session.closeAsync().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("Closing the Cassandra session of view {}: {}", view.name(), e.toString());
        session.forceCloseAsync();
      }
    }
  }
}
