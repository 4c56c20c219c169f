package io.freshet.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

// /proc/<pid>/cmdline kept: ProcessHandle.Info reads its first 4 KB; Cassandra's is 11 KB.
/**
 * Pid files, identity checks and signals for the JVMs Freshet starts (Kafka, Cassandra, the Flink
 * cluster). A pid is trusted only while {@code /proc/<pid>/cmdline} still carries the marker
 * arguments of that service and state dir, so a recycled pid is never signalled. Liveness, signals
 * and waiting go through {@link ProcessHandle}.
 *
 * <p>While {@code setsid} executes java, that file reads empty or cut short for a moment: a caller
 * that launched a process watches it through its {@link Process} until it is ready, and only later
 * calls (status, stop) go by the pid file.
 */
public final class ProcessControl {
  private ProcessControl() {}

  static Optional<Long> readPid(Path pidFile) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidFile).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static void writePid(Path pidFile, long pid) throws IOException {
    Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
    Files.writeString(tmp, pid + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, pidFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** True when pid is a live process started by Freshet for this service and state dir. */
  static boolean isOurs(long pid, Service service, Path stateDir) {
    return isOurs(pid, service.id(), stateDir);
  }

  /** True when pid is a live process started by Freshet with this service id and state dir. */
  static boolean isOurs(long pid, String serviceId, Path stateDir) {
    List<String> args = arguments(pid);
    return args.contains(ServerDefinition.SERVICE_MARKER + serviceId)
        && args.contains(ServerDefinition.STATE_DIR_MARKER + stateDir);
  }

  /**
   * The command before the java binary that gives a server its own session, when this machine has
   * setsid: a Ctrl-C in the terminal that started it must not reach a server that outlives the CLI.
   */
  static List<String> ownSession() {
    Path setsid = Path.of("/usr/bin/setsid");
    return Files.isExecutable(setsid) ? List.of(setsid.toString()) : List.of();
  }

  /** The arguments of a process from /proc, empty when it is gone (or a zombie). */
  public static List<String> arguments(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      if (raw.length == 0) {
        return List.of();
      }
      return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Pids of every live process whose command line mentions the state dir: Freshet's server JVMs
   * (and setup tools) for that directory. Used by tests to prove nothing was left behind.
   */
  public static List<Long> processesUsing(Path stateDir) {
    String marker = ServerDefinition.STATE_DIR_MARKER + stateDir.toAbsolutePath().normalize();
    return ProcessHandle.allProcesses()
        .map(ProcessHandle::pid)
        .filter(pid -> arguments(pid).contains(marker))
        .toList();
  }

  /**
   * Sends SIGTERM, waits up to {@code timeout}, then SIGKILL and waits again.
   *
   * @return true if the process needed SIGKILL
   */
  static boolean terminate(long pid, Duration timeout) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return false;
    }
    ProcessHandle p = handle.get();
    p.destroy();
    if (awaitExit(p, timeout)) {
      return false;
    }
    p.destroyForcibly();
    if (!awaitExit(p, Duration.ofSeconds(15))) {
      throw new LocalServicesException("Process " + pid + " did not exit even after SIGKILL");
    }
    return true;
  }

  /** Kills with SIGKILL at once and waits for the exit; for tests that simulate a crash. */
  public static void killHard(long pid, Duration timeout) {
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              p.destroyForcibly();
              if (!awaitExit(p, timeout)) {
                throw new LocalServicesException("Process " + pid + " survived SIGKILL");
              }
            });
  }

  static boolean awaitExit(ProcessHandle p, Duration timeout) {
    try {
      p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !p.isAlive();
    } catch (ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }
}
