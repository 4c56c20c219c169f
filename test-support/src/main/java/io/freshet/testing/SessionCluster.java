package io.freshet.testing;

import io.freshet.services.FlinkCluster;
import io.freshet.services.LoopbackPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A Flink session cluster of its own JVMs (JobManager and TaskManager, {@link FlinkCluster}) for an
 * IT, configured as {@code freshet cluster start} configures it: the checkout's {@code flink-conf},
 * two free loopback ports (JobManager RPC and REST). The test starts it with {@link #START_TIMEOUT}
 * and stops it in a {@code finally}.
 */
public final class SessionCluster {
  private SessionCluster() {}

  /** How long a start may take on a busy machine (two JVMs, each waiting for the other). */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  /** A cluster, not started, with its state under {@code stateDir} and {@code conf} overrides. */
  public static FlinkCluster create(Path stateDir, Map<String, String> conf) {
    return create(stateDir, conf, 1);
  }

  /** As above, with {@code taskManagers} TaskManager JVMs. */
  public static FlinkCluster create(Path stateDir, Map<String, String> conf, int taskManagers) {
    int[] ports = LoopbackPorts.free(2);
    return new FlinkCluster(
        stateDir, home().resolve("flink-conf"), ports[0], ports[1], conf, taskManagers);
  }

  /** The checkout: the build's {@code freshet.home}, else the parent of the module directory. */
  private static Path home() {
    String home = System.getProperty("freshet.home");
    return (home != null ? Path.of(home) : Path.of("..")).toAbsolutePath().normalize();
  }
}
