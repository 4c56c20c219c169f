package io.freshet.bench;

import java.io.Serializable;

/**
 * Deterministic synthetic payments (schema payment.avsc): event {@code i} of a run is a pure
 * function of (seed, i, events, entities, days), so every benchmark variant, every parallel source
 * subtask and the verifier see exactly the same events without holding them in memory.
 *
 * <p>Shape: event times spread evenly over {@code days} simulated days in index order; one event in
 * ten arrives up to {@link #MAX_DISORDER_MILLIS} earlier than its neighbours (small disorder,
 * within the spec's 2 s watermark bound, so no event is late). Customers are skewed: customer id
 * {@code floor(entities * u^2)} for uniform u, so the busiest 1% of customers make 10% of the
 * payments. Amounts are log-normal (median about 20), 1% of them null.
 */
public final class PaymentGenerator implements Serializable {
  private static final long serialVersionUID = 1L;

  /** 2026-01-05T00:00:00Z: a Monday; the first simulated day. */
  public static final long BASE_TIME_MILLIS = 1_767_571_200_000L;

  /** The largest amount by which an event precedes its position in the stream. */
  public static final long MAX_DISORDER_MILLIS = 1_500;

  private static final String[] COUNTRIES = {"DE", "FR", "NL", "ES", "IT", "PL", "SE", "GB"};

  private final long seed;
  private final long events;
  private final int entities;
  private final long spanMillis;

  public PaymentGenerator(long seed, long events, int entities, int days) {
    if (events <= 0 || entities <= 0 || days <= 0) {
      throw new IllegalArgumentException(
          "events, entities and days must be positive, got "
              + events
              + ", "
              + entities
              + ", "
              + days);
    }
    this.seed = seed;
    this.events = events;
    this.entities = entities;
    this.spanMillis = days * 86_400_000L;
    Math.multiplyExact(events, spanMillis); // event times are computed as i * span / events
  }

  public long events() {
    return events;
  }

  /** One generated payment; {@code amount} and {@code country} may be null. */
  public record Payment(
      long index,
      String paymentId,
      String customerId,
      String merchantId,
      Double amount,
      String currency,
      String country,
      long eventTime) {

    /** The value of a payment.avsc field, by name. */
    public Object field(String name) {
      return switch (name) {
        case "payment_id" -> paymentId;
        case "customer_id" -> customerId;
        case "merchant_id" -> merchantId;
        case "amount" -> amount;
        case "currency" -> currency;
        case "country" -> country;
        case "event_time" -> eventTime;
        default -> throw new IllegalArgumentException("payment.avsc has no field " + name);
      };
    }
  }

  /** Payment number {@code i}, 0 <= i < events. */
  public Payment payment(long i) {
    long h = mix(seed ^ (i * 0x9E3779B97F4A7C15L));
    long ts = eventTime(i, h);
    long h2 = mix(h);
    long h3 = mix(h2);
    long h4 = mix(h3);
    double u = unit(h2);
    int customer = (int) Math.min(entities - 1, (long) (entities * u * u));
    Double amount;
    if (Long.remainderUnsigned(h3, 100) == 0) {
      amount = null;
    } else {
      // Box-Muller from two 26-bit halves of h4
      double u1 = ((h4 >>> 38) + 1) / (double) (1L << 26);
      double u2 = ((h4 >>> 12) & ((1L << 26) - 1)) / (double) (1L << 26);
      double gauss = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      amount = Math.round(Math.exp(3.0 + 1.1 * gauss) * 100) / 100.0;
    }
    String country =
        Long.remainderUnsigned(h3 >>> 8, 100) < 3
            ? null
            : COUNTRIES[(int) Long.remainderUnsigned(h3 >>> 16, COUNTRIES.length)];
    return new Payment(
        i,
        "p" + i,
        customerId(customer),
        "m" + Long.remainderUnsigned(h4 >>> 3, 5_000),
        amount,
        "EUR",
        country,
        ts);
  }

  /** The customer id string of customer number {@code c}. */
  public static String customerId(int c) {
    return "c" + c;
  }

  private long eventTime(long i, long h) {
    long nominal = BASE_TIME_MILLIS + (i * spanMillis) / events;
    if (Long.remainderUnsigned(h, 10) == 0) {
      nominal -= Long.remainderUnsigned(h >>> 8, MAX_DISORDER_MILLIS + 1);
    }
    return nominal;
  }

  private static double unit(long h) {
    return (h >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finaliser: a cheap, well-mixed bijection of longs. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Maps the position {@code n} of a number in the data generator's sequence to an event index so
   * that each of {@code parallelism} source subtasks, which read contiguous blocks of the sequence,
   * emits an interleaved share of the events (k, k + p, k + 2p, ...) and all subtasks advance
   * through event time together. A bijection on [0, events) when events is a multiple of p.
   */
  public static long interleave(long n, long events, int parallelism) {
    long block = events / parallelism;
    return (n % block) * parallelism + n / block;
  }

  /**
   * Whether the (entity, event time) pair is in the verification sample: about 1 in {@code every}.
   */
  public static boolean sampled(String entity, long time, int every) {
    return Long.remainderUnsigned(mix(entity.hashCode() * 0x9E3779B97F4A7C15L + time), every) == 0;
  }
}
