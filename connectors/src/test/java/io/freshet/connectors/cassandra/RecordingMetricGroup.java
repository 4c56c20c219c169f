package io.freshet.connectors.cassandra;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group that keeps the counters registered under it and its subgroups, by their path
 * ({@code view.risk.expiredSkipped}), so tests can read what a writer counted.
 */
final class RecordingMetricGroup extends UnregisteredMetricsGroup {
  private final String prefix;
  private final Map<String, Counter> counters;

  RecordingMetricGroup() {
    this("", new ConcurrentHashMap<>());
  }

  private RecordingMetricGroup(String prefix, Map<String, Counter> counters) {
    this.prefix = prefix;
    this.counters = counters;
  }

  /** The count of the counter at {@code path}; fails if none was registered there. */
  long count(String path) {
    Counter c = counters.get(path);
    if (c == null) {
      throw new AssertionError("no counter '" + path + "', only " + counters.keySet());
    }
    return c.getCount();
  }

  @Override
  public Counter counter(String name) {
    return counter(name, new SimpleCounter());
  }

  @Override
  public <C extends Counter> C counter(String name, C counter) {
    counters.put(prefix + name, counter);
    return counter;
  }

  @Override
  public MetricGroup addGroup(String name) {
    return new RecordingMetricGroup(prefix + name + ".", counters);
  }

  @Override
  public MetricGroup addGroup(String key, String value) {
    return new RecordingMetricGroup(prefix + key + "." + value + ".", counters);
  }
}
