package io.freshet.connectors.cassandra;

/**
 * A view cannot be stored in its Cassandra table as declared (retyped feature, reserved name,
 * missing keyspace). The message says what to change. Not retryable: the job fails without
 * restarting.
 */
public final class ViewSchemaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ViewSchemaException(String message) {
    super(message);
  }
}
