package io.freshet.serving.http;

import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.freshet.serving.FeatureClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one {@link FeatureClient}, connected in the background and retried until it is
 * (every 0.5 s, doubling up to 10 s), so that the server starts, answers {@code /health}, and
 * answers reads with a 503 while Cassandra is down or slow, instead of failing to start or hanging.
 * Once connected, the driver itself reconnects to nodes that go away.
 */
final class OnlineStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineStore.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration MAX_RETRY = Duration.ofSeconds(10);
  private static final SimpleStatement PING =
      SimpleStatement.newInstance("SELECT release_version FROM system.local").setIdempotent(true);

  private final Supplier<FeatureClient> connect;
  private final String description;
  private final ScheduledExecutorService connector =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "freshet-serve-connect");
            t.setDaemon(true);
            return t;
          });

  /** Completes (normally) once connected; never fails. */
  private final CompletableFuture<FeatureClient> client = new CompletableFuture<>();

  private volatile String lastFailure;
  private volatile boolean closed;
  private Duration retry = FIRST_RETRY;

  /**
   * @param connect builds a connected client (blocking), or throws the driver's error
   * @param description where Cassandra is, for messages (e.g. "127.0.0.1:29042, keyspace freshet")
   */
  OnlineStore(Supplier<FeatureClient> connect, String description) {
    this.connect = connect;
    this.description = description;
  }

  void start() {
    connector.execute(this::attempt);
  }

  boolean connected() {
    return client.isDone();
  }

  private void attempt() {
    if (closed) {
      return;
    }
    try {
      FeatureClient c = connect.get();
      if (closed) {
        c.close();
        return;
      }
      lastFailure = null;
      client.complete(c);
      LOG.info("Connected to Cassandra ({})", description);
    } catch (RuntimeException e) {
      lastFailure = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warn(
          "Cannot connect to Cassandra ({}), retrying in {} ms: {}",
          description,
          retry.toMillis(),
          lastFailure);
      if (!closed) {
        connector.schedule(this::attempt, retry.toMillis(), TimeUnit.MILLISECONDS);
        retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
      }
    }
  }

  /**
   * The client; if there is none yet, fails at once with a 503 when the last attempt failed, or
   * after {@code timeout} while the first attempt is still under way.
   */
  CompletableFuture<FeatureClient> client(Duration timeout) {
    if (client.isDone()) {
      return client;
    }
    String failure = lastFailure;
    if (failure != null) {
      return CompletableFuture.failedFuture(
          ApiException.unavailable(
              "Cassandra (" + description + ") is not reachable: " + failure + " (retrying)"));
    }
    return client
        .copy()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    ApiException.unavailable(
                        "not connected to Cassandra ("
                            + description
                            + ") within "
                            + timeout.toMillis()
                            + " ms: still connecting")));
  }

  /** Completes when Cassandra answers a query, or fails with a 503 within {@code timeout}. */
  CompletableFuture<Void> ping(Duration timeout) {
    return client(timeout)
        .thenCompose(c -> c.session().executeAsync(PING).toCompletableFuture())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .<Void>thenApply(rs -> null)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(failure(e, timeout)));
  }

  /**
   * The answer for a failed or timed-out read: an ApiException as it is, a timeout or any driver
   * error a 503 naming it (Cassandra down, overloaded, or not holding the view's table or a
   * feature's column, e.g. a spec newer than the job), anything else a logged 500.
   */
  ApiException failure(Throwable e, Duration timeout) {
    Throwable c = e;
    while (c instanceof CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof ApiException a) {
      return a;
    }
    if (c instanceof TimeoutException || c instanceof DriverTimeoutException) {
      return ApiException.unavailable(
          "Cassandra (" + description + ") did not answer within " + timeout.toMillis() + " ms");
    }
    if (c instanceof DriverException) {
      return ApiException.unavailable(
          "Cassandra (" + description + ") failed the read: " + c.getMessage());
    }
    LOG.error("Unexpected failure of a read", c);
    return new ApiException(500, "internal", "internal error (" + c + "); see the server log");
  }

  @Override
  public void close() {
    closed = true;
    connector.shutdownNow();
    if (client.isDone()) {
      client.join().close();
    }
  }
}
