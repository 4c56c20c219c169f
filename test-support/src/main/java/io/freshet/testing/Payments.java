package io.freshet.testing;

import io.freshet.examples.payments.Payment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Random payments of the example's schema for job tests, reproducible from a seed: a clock that
 * stands still one time in three (ties on the millisecond) and otherwise moves up to 170 s, each
 * event up to 2 s before it (out of order), 40 merchants, amounts in cents up to 400 (null one time
 * in 50), four countries (null one time in 30), currency EUR, ids {@code p0, p1, ...}.
 */
public final class Payments {
  private Payments() {}

  private static final List<String> COUNTRIES = List.of("FR", "DE", "NL", "US");

  /** Customers {@code c0..c(n-1)}, equally likely. */
  public static Function<Random, String> uniformCustomers(int n) {
    return rnd -> "c" + rnd.nextInt(n);
  }

  /** Customers {@code c0..c(n-1)}, a few busy and many quiet (folded normal, sd 8). */
  public static Function<Random, String> skewedCustomers(int n) {
    return rnd -> "c" + (int) Math.abs(rnd.nextGaussian() * 8) % n;
  }

  /** {@code n} payments from {@code t0}, in send order, drawn from {@code seed}. */
  public static List<Payment> random(
      long seed, int n, long t0, Function<Random, String> customers) {
    Random rnd = new Random(seed);
    List<Payment> out = new ArrayList<>();
    long clock = t0;
    for (int i = 0; i < n; i++) {
      clock += rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(170_000);
      long ts = clock - rnd.nextInt(2000);
      out.add(
          new Payment(
              "p" + i,
              customers.apply(rnd),
              "m" + rnd.nextInt(40),
              rnd.nextInt(50) == 0 ? null : Math.round(rnd.nextDouble() * 40_000) / 100.0,
              "EUR",
              rnd.nextInt(30) == 0 ? null : COUNTRIES.get(rnd.nextInt(4)),
              Instant.ofEpochMilli(ts)));
    }
    return out;
  }

  /**
   * {@code n} payments from {@code t0} with every field set (no null amount or country), event
   * times at most {@code maxStepMillis} apart and out of order by up to 2 s, drawn from {@code
   * seed}: the input of the history sink's failure tests.
   */
  public static List<Payment> complete(
      long seed, int n, long t0, int maxStepMillis, Function<Random, String> customers) {
    Random rnd = new Random(seed);
    List<Payment> out = new ArrayList<>();
    long clock = t0;
    for (int i = 0; i < n; i++) {
      clock += rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(maxStepMillis);
      out.add(
          new Payment(
              "p" + i,
              customers.apply(rnd),
              "m" + rnd.nextInt(40),
              Math.round(rnd.nextDouble() * 40_000) / 100.0,
              "EUR",
              COUNTRIES.get(rnd.nextInt(4)),
              Instant.ofEpochMilli(clock - rnd.nextInt(2000))));
    }
    return out;
  }

  /** The latest event time of {@code payments}. */
  public static long latest(List<Payment> payments) {
    return payments.stream().mapToLong(p -> p.getEventTime().toEpochMilli()).max().orElseThrow();
  }
}
