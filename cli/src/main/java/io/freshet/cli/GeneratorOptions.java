package io.freshet.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.Option;

/**
 * The synthetic payments' size and seed, shared by {@code generate} and {@code demo}: the same
 * flags (and the same defaults) give the same events in both.
 */
final class GeneratorOptions {
  /** The demo's million payments (README), about 2.5 minutes on 2 cores. */
  static final String DEFAULT_EVENTS = "1000000";

  @Option(
      names = "--events",
      defaultValue = DEFAULT_EVENTS,
      description = "Payments to generate (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--entities",
      defaultValue = "20000",
      description = "Customers (default: ${DEFAULT-VALUE}).")
  int entities;

  @Option(
      names = "--days",
      defaultValue = "7",
      description = "Simulated days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  /** The default start: {@code days} before now, truncated to the hour. */
  Instant defaultStart() {
    return Instant.now().minus(Duration.ofDays(days)).truncatedTo(ChronoUnit.HOURS);
  }
}
