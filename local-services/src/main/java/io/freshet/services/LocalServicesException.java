package io.freshet.services;

/** A local service could not be started, stopped or reached; the message says what to do. */
public class LocalServicesException extends RuntimeException {
  public LocalServicesException(String message) {
    super(message);
  }

  public LocalServicesException(String message, Throwable cause) {
    super(message, cause);
  }
}
