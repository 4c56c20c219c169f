package io.freshet.cli;

/**
 * An expected failure of a command (wrong input, a refusal that protects the stores): its message
 * says what to do, and the CLI prints the message alone (the stack trace only with --verbose).
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
