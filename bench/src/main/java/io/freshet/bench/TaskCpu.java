package io.freshet.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time spent by a local job's task threads (named like {@code "features: v (1/2)#0"}), polled
 * while the job runs. Unlike events/s it hardly moves when other processes share the cores, so it
 * compares two builds of the engine on a busy machine; so do the bytes they allocate (the garbage
 * collector's work). Threads that end between two polls lose at most one poll interval of CPU time.
 */
final class TaskCpu implements AutoCloseable {
  private static final Pattern TASK_THREAD = Pattern.compile(".* \\(\\d+/\\d+\\)#\\d+$");
  private static final long POLL_MILLIS = 50;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> allocatedByThread = new HashMap<>();
  private final Map<Long, Long> cpuNanosByThread = new HashMap<>();
  private final Map<Long, String> taskByThread = new HashMap<>();
  private final Thread poller;
  private volatile boolean running = true;

  TaskCpu() {
    poller =
        new Thread(
            () -> {
              while (running) {
                poll();
                try {
                  Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-task-cpu");
    poller.setDaemon(true);
    poller.start();
  }

  private synchronized void poll() {
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && TASK_THREAD.matcher(t.getThreadName()).matches()) {
        long cpu = threads.getThreadCpuTime(t.getThreadId());
        if (cpu > 0) {
          cpuNanosByThread.put(t.getThreadId(), cpu);
          if (threads instanceof com.sun.management.ThreadMXBean sun) {
            allocatedByThread.put(t.getThreadId(), sun.getThreadAllocatedBytes(t.getThreadId()));
          }
          taskByThread.put(t.getThreadId(), t.getThreadName().replaceAll(" \\(\\d+/.*$", ""));
        }
      }
    }
  }

  /** Task threads' CPU time so far, in milliseconds. */
  synchronized long millis() {
    poll();
    long sum = 0;
    for (long nanos : cpuNanosByThread.values()) {
      sum += nanos;
    }
    return sum / 1_000_000;
  }

  /** Bytes the task threads allocated so far (0 where the JVM does not tell). */
  synchronized long allocatedBytes() {
    poll();
    long sum = 0;
    for (long bytes : allocatedByThread.values()) {
      sum += Math.max(0, bytes);
    }
    return sum;
  }

  /** CPU time per task (all its subtasks), in milliseconds, largest first. */
  synchronized Map<String, Long> millisByTask() {
    poll();
    Map<String, Long> byTask = new java.util.TreeMap<>();
    cpuNanosByThread.forEach(
        (id, nanos) -> byTask.merge(taskByThread.get(id), nanos / 1_000_000, Long::sum));
    return byTask;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    poller.interrupt();
    poller.join();
  }
}
