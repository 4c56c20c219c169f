package io.freshet.cli.flink;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP during a local run: the first one stops the job with a
 * savepoint while the JVM keeps running, and the run then ends the way a bounded run does (its
 * summary, the savepoint, exit code 128 + the signal's number); a second one exits at once.
 *
 * <p>Why not a shutdown hook: the JVM starts every hook at once when it begins to exit, and
 * Iceberg's worker pools (Guava's exiting executors) shut down in theirs. The savepoint's Iceberg
 * commit, made in the committer's notifyCheckpointComplete, was then refused ({@code
 * RejectedExecutionException}): the job failed while stopping, the history missed what the job had
 * written since its last checkpoint, and the run said "no savepoint". The shutdown hook stays for
 * what signals cannot catch.
 */
final class StopOnSignal implements AutoCloseable {
  private static final String[] NAMES = {"INT", "TERM", "HUP"};

  private final Supplier<String> stop;
  private final PrintWriter progress;
  private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
  private volatile int received;
  private Thread stopping;
  private volatile String savepoint;

  /**
   * Installs the handlers.
   *
   * @param stop stops the job with a savepoint and returns its path, or null (having said why)
   */
  StopOnSignal(Supplier<String> stop, PrintWriter progress) {
    this.stop = stop;
    this.progress = progress;
    for (String name : NAMES) {
      try {
        Signal signal = new Signal(name);
        previous.put(signal, Signal.handle(signal, this::handle));
      } catch (IllegalArgumentException unavailable) {
        // reserved by the JVM (e.g. -Xrs) or unknown on this platform: the shutdown hook remains
      }
    }
  }

  private synchronized void handle(Signal signal) {
    if (received != 0) {
      progress.println();
      progress.println("SIG" + signal.getName() + " again: exiting without waiting for the stop");
      progress.flush();
      System.exit(128 + signal.getNumber());
    }
    progress.println();
    progress.println(
        "SIG"
            + signal.getName()
            + ": stopping the job with a savepoint (again to exit without waiting)");
    progress.flush();
    stopping = new Thread(() -> savepoint = stop.get(), "freshet-run-stop");
    stopping.start();
    received = signal.getNumber();
  }

  /** The number of the first signal received, 0 if none was. */
  int signal() {
    return received;
  }

  /**
   * Waits (up to {@code timeout}) for the stop a signal started, and returns its savepoint: null if
   * no signal came, the stop failed or it is still under way.
   */
  String awaitSavepoint(long timeout, TimeUnit unit) throws InterruptedException {
    Thread t;
    synchronized (this) {
      t = stopping;
    }
    if (t != null) {
      t.join(unit.toMillis(timeout));
    }
    return savepoint;
  }

  /** Gives the signals back to the handlers they had. */
  @Override
  public void close() {
    previous.forEach(Signal::handle);
  }
}
