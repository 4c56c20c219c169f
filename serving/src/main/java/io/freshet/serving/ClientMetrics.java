package io.freshet.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The serving client's metrics, per view, in a Micrometer registry (any backend: Prometheus, JMX,
 * StatsD, ...): what serving code needs to see that the features it reads are stale or missing.
 *
 * <ul>
 *   <li>{@code freshet.client.reads} (timer; tags {@code view}, {@code outcome} = success or
 *       error): one per entity read, its latency;
 *   <li>{@code freshet.client.features} (counter; tags {@code view}, {@code status} = PRESENT,
 *       EXPIRED, WARMING_UP or MISSING): feature values served, by status;
 *   <li>{@code freshet.client.vector.age} (distribution summary in seconds, p50/p95/p99; tag {@code
 *       view}): the age of each vector found (now minus its last event);
 *   <li>{@code freshet.client.request_feature.failures} (counter; tags {@code view}, {@code
 *       feature}): request-time features that gave null because their evaluation failed (e.g. a
 *       division by zero).
 * </ul>
 */
final class ClientMetrics {
  /** No registry: nothing recorded, nothing allocated per read. */
  static final ClientMetrics NONE = new ClientMetrics(null);

  private final MeterRegistry registry;
  private final Map<String, PerView> views = new ConcurrentHashMap<>();

  ClientMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records one read of {@code view}: its latency and what it returned (null on error). */
  void read(String view, long nanos, FeatureVector vector) {
    if (registry == null) {
      return;
    }
    PerView m = views.computeIfAbsent(view, PerView::new);
    if (vector == null) {
      m.errors.record(nanos, TimeUnit.NANOSECONDS);
      return;
    }
    m.successes.record(nanos, TimeUnit.NANOSECONDS);
    for (FeatureValue f : vector.features()) {
      m.byStatus.get(f.status()).increment();
    }
    if (vector.found()) {
      m.age.record(vector.age().toMillis() / 1000.0);
    }
  }

  /** Counts a request-time feature whose evaluation failed. */
  void requestFeatureFailed(String view, String feature) {
    if (registry == null) {
      return;
    }
    Counter.builder("freshet.client.request_feature.failures")
        .description("request-time features that gave null because their evaluation failed")
        .tag("view", view)
        .tag("feature", feature)
        .register(registry)
        .increment();
  }

  private final class PerView {
    final Timer successes;
    final Timer errors;
    final Map<FeatureStatus, Counter> byStatus = new EnumMap<>(FeatureStatus.class);
    final DistributionSummary age;

    PerView(String view) {
      successes = timer(view, "success");
      errors = timer(view, "error");
      for (FeatureStatus s : FeatureStatus.values()) {
        byStatus.put(
            s,
            Counter.builder("freshet.client.features")
                .description("feature values served, by status")
                .tag("view", view)
                .tag("status", s.name())
                .register(registry));
      }
      age =
          DistributionSummary.builder("freshet.client.vector.age")
              .description("age of the vectors read (now minus their last event)")
              .baseUnit("seconds")
              .tag("view", view)
              .publishPercentiles(0.5, 0.95, 0.99)
              .register(registry);
    }

    private Timer timer(String view, String outcome) {
      return Timer.builder("freshet.client.reads")
          .description("entity reads from the online store")
          .tag("view", view)
          .tag("outcome", outcome)
          .publishPercentiles(0.5, 0.99)
          .register(registry);
    }
  }
}
