package io.freshet.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pid files and signals for the server JVMs. A pid is trusted only while {@code
 * /proc/<pid>/cmdline} still carries the marker arguments of that service and state dir, so a
 * recycled pid is never signalled.
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
    List<String> args = arguments(pid);
    return args.contains(ServerDefinition.SERVICE_MARKER + service.id())
        && args.contains(ServerDefinition.STATE_DIR_MARKER + stateDir);
  }

  /** The arguments of a process from /proc, empty when it is gone (or a zombie). */
  static List<String> arguments(long pid) {
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
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        long pid = Long.parseLong(proc.getFileName().toString());
        if (arguments(pid).contains(marker)) {
          pids.add(pid);
        }
      }
    } catch (IOException e) {
      throw new LocalServicesException("Cannot list /proc: " + e.getMessage(), e);
    }
    return pids;
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
