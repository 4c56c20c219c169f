package io.freshet.cli.flink;

/**
 * A job that ended in failure: its restart strategy gave up, or it was cancelled. The message says
 * which job, after how many restarts, and the failure's summary; the CLI prints it alone.
 */
public final class JobFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
