package io.freshet.connectors.cassandra;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group that keeps the counters and gauges registered under it and its subgroups, by their
 * path ({@code view.risk.expiredSkipped}), so tests can read what a writer counted, and wait for a
 * count: the writer's own increment wakes the waiting test, so nothing polls or sleeps.
 */
final class RecordingMetricGroup extends UnregisteredMetricsGroup {
  private final String prefix;
  private final Map<String, Counter> counters;
  private final Map<String, Gauge<?>> gauges;

  RecordingMetricGroup() {
    this("", new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
  }

  private RecordingMetricGroup(
      String prefix, Map<String, Counter> counters, Map<String, Gauge<?>> gauges) {
    this.prefix = prefix;
    this.counters = counters;
    this.gauges = gauges;
  }

  /** The count of the counter at {@code path}; fails if none was registered there. */
  long count(String path) {
    return registered(path).getCount();
  }

  /**
   * Waits until the counter at {@code path} reaches {@code n}; fails, saying what it waited for, if
   * it has not within {@code patience}.
   */
  void awaitCount(String path, long n, Duration patience) throws InterruptedException {
    Counter c = registered(path);
    if (!(c instanceof WaitableCounter w) || !w.awaitAtLeast(n, patience)) {
      throw new AssertionError(
          "waited "
              + patience.toSeconds()
              + " s for "
              + path
              + " to reach "
              + n
              + ": it is at "
              + c.getCount());
    }
  }

  /** The value of the gauge at {@code path}; fails if none was registered there. */
  Object gauge(String path) {
    Gauge<?> g = gauges.get(path);
    if (g == null) {
      throw new AssertionError("no gauge '" + path + "', only " + gauges.keySet());
    }
    return g.getValue();
  }

  private Counter registered(String path) {
    Counter c = counters.get(path);
    if (c == null) {
      throw new AssertionError("no counter '" + path + "', only " + counters.keySet());
    }
    return c;
  }

  @Override
  public Counter counter(String name) {
    return counter(name, new WaitableCounter());
  }

  @Override
  public <C extends Counter> C counter(String name, C counter) {
    counters.put(prefix + name, counter);
    return counter;
  }

  @Override
  public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
    gauges.put(prefix + name, gauge);
    return gauge;
  }

  @Override
  public MetricGroup addGroup(String name) {
    return new RecordingMetricGroup(prefix + name + ".", counters, gauges);
  }

  @Override
  public MetricGroup addGroup(String key, String value) {
    return new RecordingMetricGroup(prefix + key + "." + value + ".", counters, gauges);
  }

  /** A counter that wakes whoever waits for its count at every change. */
  private static final class WaitableCounter implements Counter {
    private long count;

    @Override
    public synchronized void inc() {
      inc(1);
    }

    @Override
    public synchronized void inc(long n) {
      count += n;
      notifyAll();
    }

    @Override
    public synchronized void dec() {
      dec(1);
    }

    @Override
    public synchronized void dec(long n) {
      count -= n;
      notifyAll();
    }

    @Override
    public synchronized long getCount() {
      return count;
    }

    /** Whether the count reached {@code n} within {@code patience}. */
    synchronized boolean awaitAtLeast(long n, Duration patience) throws InterruptedException {
      long deadline = System.nanoTime() + patience.toNanos();
      while (count < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }
}
