package io.freshet.connectors.cassandra;

import java.io.IOException;

/** A write to the online store failed fatally or ran out of retries; the job must restore. */
public final class CassandraWriteException extends IOException {
  private static final long serialVersionUID = 1L;

  public CassandraWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
