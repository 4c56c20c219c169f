package io.freshet.connectors.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.ConnectionInitException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import com.datastax.oss.driver.api.core.servererrors.TruncateException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Which driver errors a write may retry. Retryable: timeouts (client and server side), unavailable,
 * overloaded, bootstrapping, server errors, throttling and lost or busy connections, and "all nodes
 * failed" when every node failed that way. Everything else (syntax, invalid query, unauthorized,
 * authentication, protocol, codec, unknown) is fatal: retrying cannot fix it.
 */
public final class CassandraErrors {
  private CassandraErrors() {}

  public static boolean isRetryable(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof AllNodesFailedException all) {
      List<Throwable> errors = all.getAllErrors().values().stream().flatMap(List::stream).toList();
      // No node tried at all (all down) is retryable; any fatal error among them is not.
      return errors.stream().allMatch(CassandraErrors::isRetryable);
    }
    return e instanceof DriverTimeoutException
        || e instanceof QueryConsistencyException // read/write timeout and failure
        || e instanceof UnavailableException
        || e instanceof OverloadedException
        || e instanceof BootstrappingException
        || e instanceof ServerError
        || e instanceof TruncateException
        || e instanceof RequestThrottlingException
        || e instanceof ClosedConnectionException
        || e instanceof HeartbeatException
        || e instanceof ConnectionInitException
        || e instanceof BusyConnectionException
        || e instanceof java.io.IOException;
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
