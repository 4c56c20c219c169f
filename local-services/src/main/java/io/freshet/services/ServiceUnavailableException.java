package io.freshet.services;

/**
 * A service that should be running is not reachable: its JVM exited or it stopped answering. The
 * message names the service, its address, its pid and the last lines of its log.
 */
public class ServiceUnavailableException extends LocalServicesException {
  private final Service service;

  public ServiceUnavailableException(Service service, String message, Throwable cause) {
    super(message, cause);
    this.service = service;
  }

  public Service service() {
    return service;
  }
}
