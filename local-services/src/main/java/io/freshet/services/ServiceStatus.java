package io.freshet.services;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The state of one service as seen by the last start, stop or status call.
 *
 * @param service which server
 * @param state what the call found or did
 * @param pid the server JVM's pid, if one is (or was) known
 * @param host the address clients connect to
 * @param port the client port: Kafka's bootstrap port or Cassandra's CQL port
 * @param logFile the server's log (console output)
 * @param startup how long the server took to become ready, when this call started it
 * @param detail extra words for people, e.g. "release 5.0.9" or "stale pid file removed"
 */
public record ServiceStatus(
    Service service,
    State state,
    OptionalLong pid,
    String host,
    int port,
    Path logFile,
    Optional<Duration> startup,
    String detail) {

  /** What a call found or did. */
  public enum State {
    /** Started by this call and answering requests. */
    STARTED(true, "started"),
    /** Was already running (started earlier, maybe by another process). */
    ALREADY_RUNNING(true, "already running"),
    /** Running (status call). */
    RUNNING(true, "running"),
    /** Stopped by this call. */
    STOPPED(false, "stopped"),
    /** Not running, and no trace of an earlier run. */
    NOT_RUNNING(false, "not running"),
    /** A pid file remains, but its process is gone (crashed or killed). */
    EXITED(false, "exited");

    private final boolean up;
    private final String words;

    State(boolean up, String words) {
      this.up = up;
      this.words = words;
    }

    /** True when the service is running after the call. */
    public boolean isUp() {
      return up;
    }

    public String words() {
      return words;
    }
  }

  /** "127.0.0.1:29092". */
  public String address() {
    return host + ":" + port;
  }

  public boolean isUp() {
    return state.isUp();
  }

  /** One line for people, e.g. "Kafka started 127.0.0.1:29092 pid 1234 (ready in 3.9 s)". */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-20s %-16s %-16s", service.displayName(), state.words(), address()));
    pid.ifPresent(p -> sb.append("  pid ").append(p));
    startup.ifPresent(d -> sb.append(String.format("  ready in %.1f s", d.toMillis() / 1000.0)));
    if (!detail.isEmpty()) {
      sb.append("  (").append(detail).append(")");
    }
    sb.append("  log: ").append(logFile);
    return sb.toString();
  }
}
