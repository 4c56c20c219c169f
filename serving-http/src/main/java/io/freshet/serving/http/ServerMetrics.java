package io.freshet.serving.http;

import io.freshet.serving.FeatureStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The server's metrics, scraped in Prometheus text format at {@code GET /metrics}:
 *
 * <ul>
 *   <li>{@code freshet_serve_requests_seconds} (histogram, buckets 1 ms to 5 s): every request by
 *       {@code endpoint} (the route, e.g. {@code /v1/views/{view}}, or {@code unmatched}), {@code
 *       method}, {@code status} and {@code view}; a request across views is counted once in each
 *       view it reads, one without a view (or naming an unknown one) under {@code view=""};
 *   <li>{@code freshet_serve_errors_total}: the 4xx and 5xx answers by endpoint, view, status and
 *       {@code error} (the code in the error body, e.g. {@code unknown_feature}, {@code
 *       unavailable});
 *   <li>{@code freshet_serve_vectors_total}: vectors served by view and status (PRESENT, EXPIRED,
 *       MISSING), and {@code freshet_serve_vector_age_seconds} (histogram, buckets 1 min to 30 d)
 *       the age of those found;
 *   <li>{@code freshet_serve_cassandra_connected}: 1 once the server has a Cassandra session;
 *   <li>the JVM's memory, threads, CPU and uptime.
 * </ul>
 *
 * Labels take only route templates, known view names and fixed codes, never request text, so the
 * number of series stays bounded.
 */
final class ServerMetrics {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Latency histogram buckets: fine where a feature read should be, coarse up to timeouts. */
  private static final Duration[] LATENCY_BUCKETS =
      java.util.stream.LongStream.of(1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
          .mapToObj(Duration::ofMillis)
          .toArray(Duration[]::new);

  /** Age histogram buckets (seconds): 1 min to 30 days. */
  private static final double[] AGE_BUCKETS = {
    60, 300, 900, 3600, 6 * 3600, 86_400, 7 * 86_400, 30 * 86_400
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  ServerMetrics(BooleanSupplier cassandraConnected) {
    Gauge.builder(
            "freshet.serve.cassandra.connected", () -> cassandraConnected.getAsBoolean() ? 1 : 0)
        .description("1 once the server has a Cassandra session, else 0")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** One answered request; {@code views} empty for one that read no (known) view. */
  void request(String endpoint, String method, int status, List<String> views, long nanos) {
    for (String view : views.isEmpty() ? List.of("") : views) {
      Timer.builder("freshet.serve.requests")
          .description("HTTP requests answered, by route, method, status and view")
          .tags("endpoint", endpoint, "method", method, "status", Integer.toString(status))
          .tag("view", view)
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .register(registry)
          .record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** One error answer; {@code code} is the error body's {@code error}. */
  void error(String endpoint, List<String> views, int status, String code) {
    for (String view : views.isEmpty() ? List.of("") : views) {
      Counter.builder("freshet.serve.errors")
          .description("Error answers (4xx, 5xx) by route, view, status and error code")
          .tags("endpoint", endpoint, "view", view, "status", Integer.toString(status))
          .tag("error", code)
          .register(registry)
          .increment();
    }
  }

  /** One served vector (an entity in a view). */
  void vector(String view, FeatureStatus status, Duration age) {
    Counter.builder("freshet.serve.vectors")
        .description("Vectors served (one per entity and view), by view and status")
        .tags("view", view, "status", status.name())
        .register(registry)
        .increment();
    if (age != null) {
      DistributionSummary.builder("freshet.serve.vector.age")
          .description("Age of the served vectors found (now - last event time)")
          .baseUnit("seconds")
          .tag("view", view)
          .serviceLevelObjectives(AGE_BUCKETS)
          .register(registry)
          .record(age.toMillis() / 1000.0);
    }
  }

  /** Everything, in Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). */
  String scrape() {
    return registry.scrape();
  }
}
