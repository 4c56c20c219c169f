package io.freshet.cli.generate;

import io.freshet.examples.payments.Payment;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Synthetic card payments for the payments example (examples/payments/payments.yaml), in the order
 * they arrive at Kafka. Deterministic: the same {@link Settings} give the same events, byte for
 * byte.
 *
 * <p>What makes them realistic enough to exercise the engine:
 *
 * <ul>
 *   <li>Skew: customer {@code floor(K * u^3)} for uniform u, so the busiest 1% of customers make
 *       about a fifth of the payments and most customers pay rarely.
 *   <li>Bursts: now and then a customer makes 5-25 payments within a few minutes, larger than their
 *       usual amounts, often abroad and at new merchants (the fraud pattern; {@link Event#fraud()}
 *       marks them, and the labels spine is built from that).
 *   <li>Out of order: one payment in ten arrives up to 1.5 s after later ones (within the spec's 2
 *       s {@code max_out_of_orderness}); a fraction {@link Settings#lateFraction} arrives 10 s to 5
 *       min late (within {@code allowed_lateness}: a correction), and a fraction {@link
 *       Settings#tooLateFraction} 20-60 min late (beyond it: a TOO_LATE dead letter).
 *   <li>Malformed records, a fraction {@link Settings#malformedFraction}: bytes that are not Avro,
 *       an empty customer id, an impossible event time.
 * </ul>
 *
 * Events are held as primitive arrays (about 60 bytes per event), so 1M events need about 60 MB.
 */
public final class PaymentsGenerator implements Iterable<PaymentsGenerator.Event> {
  static final List<String> COUNTRIES =
      List.of("FR", "DE", "NL", "ES", "IT", "BE", "PT", "IE", "GB", "US", "CH", "PL");
  static final List<String> CURRENCIES =
      List.of("EUR", "EUR", "EUR", "EUR", "EUR", "EUR", "EUR", "EUR", "GBP", "USD", "CHF", "PLN");

  /** What a generated record is. */
  public enum Kind {
    /** A valid payment. */
    PAYMENT,
    /** Bytes that are not an Avro payment (NOT_AVRO in the dead letters); Kafka only. */
    NOT_AVRO,
    /** A payment with an empty customer id (NULL_KEY). */
    EMPTY_CUSTOMER,
    /** A payment at 1970-01-01T00:00:00.005Z (BAD_EVENT_TIME). */
    BAD_EVENT_TIME
  }

  /**
   * One generated record in arrival order.
   *
   * @param payment the payment (null for {@link Kind#NOT_AVRO})
   * @param delayMillis how much later than its event time it arrives (0 in order, up to 1.5 s out
   *     of order, more when late)
   * @param fraud whether the payment belongs to a burst
   */
  public record Event(int index, Kind kind, Payment payment, long delayMillis, boolean fraud) {
    public boolean valid() {
      return kind == Kind.PAYMENT;
    }

    /** Arrives later than allowed_lateness (10 min) after the watermark: a TOO_LATE dead letter. */
    public boolean tooLate() {
      return delayMillis > Duration.ofMinutes(12).toMillis();
    }
  }

  /**
   * @param events number of records (malformed included)
   * @param entities number of customers
   * @param days simulated days the event times span
   * @param seed the random seed: same settings, same events
   * @param start event time of the first payment
   */
  public record Settings(
      long events,
      int entities,
      int days,
      long seed,
      Instant start,
      double lateFraction,
      double tooLateFraction,
      double malformedFraction) {
    public Settings {
      if (events < 1 || events > 30_000_000) {
        throw new IllegalArgumentException("events must be 1..30,000,000, got " + events);
      }
      if (entities < 1) {
        throw new IllegalArgumentException("entities must be at least 1, got " + entities);
      }
      if (days < 1) {
        throw new IllegalArgumentException("days must be at least 1, got " + days);
      }
      for (double f : new double[] {lateFraction, tooLateFraction, malformedFraction}) {
        if (f < 0 || f > 0.5) {
          throw new IllegalArgumentException("fractions must be in [0, 0.5], got " + f);
        }
      }
    }

    /** The defaults of {@code freshet generate}: 0.5% late, 0.05% too late, 0.05% malformed. */
    public static Settings of(long events, int entities, int days, long seed, Instant start) {
      return new Settings(events, entities, days, seed, start, 0.005, 0.0005, 0.0005);
    }

    public Settings withLateFractions(double late, double tooLate) {
      return new Settings(events, entities, days, seed, start, late, tooLate, malformedFraction);
    }

    public Settings withMalformedFraction(double malformed) {
      return new Settings(
          events, entities, days, seed, start, lateFraction, tooLateFraction, malformed);
    }
  }

  private final Settings settings;
  private final int n;
  private final long[] eventTime;
  private final long[] delay;
  private final int[] customer;
  private final int[] merchant;
  private final int[] amountCents; // -1: null
  private final byte[] country; // -1: null
  private final byte[] kind;
  private final boolean[] fraud;
  private final int[] order; // arrival order -> index

  public PaymentsGenerator(Settings settings) {
    this.settings = settings;
    this.n = Math.toIntExact(settings.events());
    eventTime = new long[n];
    delay = new long[n];
    customer = new int[n];
    merchant = new int[n];
    amountCents = new int[n];
    country = new byte[n];
    kind = new byte[n];
    fraud = new boolean[n];
    generate();
    order = arrivalOrder();
  }

  public Settings settings() {
    return settings;
  }

  public int size() {
    return n;
  }

  /** The customer id of customer number i. */
  public static String customerId(int i) {
    return "c" + i;
  }

  private void generate() {
    SplittableRandom rnd = new SplittableRandom(settings.seed());
    int k = settings.entities();
    long span = Duration.ofDays(settings.days()).toMillis();
    long t0 = settings.start().toEpochMilli();
    double step = (double) span / n;
    int burstLeft = 0;
    int burstCustomer = 0;
    long burstTime = 0;
    for (int i = 0; i < n; i++) {
      long nominal = t0 + (long) (i * step);
      if (burstLeft == 0 && rnd.nextDouble() < 0.0015) {
        burstLeft = 5 + rnd.nextInt(21);
        burstCustomer = (int) Math.min(k - 1, (long) (k * Math.pow(rnd.nextDouble(), 3)));
        burstTime = nominal;
      }
      boolean inBurst = burstLeft > 0 && rnd.nextInt(3) == 0;
      int c;
      long ts;
      if (inBurst) {
        burstLeft--;
        c = burstCustomer;
        burstTime += 2_000 + rnd.nextInt(25_000);
        ts = Math.max(nominal, burstTime);
        burstTime = ts;
      } else {
        c = (int) Math.min(k - 1, (long) (k * Math.pow(rnd.nextDouble(), 3)));
        ts = nominal + rnd.nextInt((int) Math.max(1, Math.min(step, 60_000)));
      }
      customer[i] = c;
      eventTime[i] = Math.min(ts, t0 + span - 1);
      fraud[i] = inBurst;
      // Customers shop mostly at their own handful of merchants, in their home country.
      SplittableRandom own = new SplittableRandom(settings.seed() ^ (c * 0x9E3779B97F4A7C15L));
      int home = own.nextInt(COUNTRIES.size());
      int favourite = own.nextInt(2000);
      double median = 8 + own.nextDouble() * 60;
      if (inBurst) {
        merchant[i] = rnd.nextInt(5000);
        country[i] = (byte) (rnd.nextInt(3) == 0 ? home : rnd.nextInt(COUNTRIES.size()));
        amountCents[i] = cents(median * 6 * Math.exp(rnd.nextGaussian() * 0.6));
      } else {
        merchant[i] = rnd.nextInt(10) < 7 ? (favourite + rnd.nextInt(8)) % 5000 : rnd.nextInt(5000);
        country[i] = (byte) (rnd.nextInt(100) < 92 ? home : rnd.nextInt(COUNTRIES.size()));
        amountCents[i] = cents(median * Math.exp(rnd.nextGaussian() * 0.9));
      }
      if (rnd.nextInt(100) == 0) {
        amountCents[i] = -1;
      }
      if (rnd.nextInt(100) < 2) {
        country[i] = -1;
      }
      double d = rnd.nextDouble();
      if (d < settings.tooLateFraction()) {
        delay[i] =
            Duration.ofMinutes(20).toMillis() + rnd.nextLong(Duration.ofMinutes(40).toMillis());
      } else if (d < settings.tooLateFraction() + settings.lateFraction()) {
        delay[i] = 10_000 + rnd.nextLong(Duration.ofMinutes(5).toMillis());
      } else if (d < 0.1) {
        delay[i] = rnd.nextInt(1_500);
      }
      double m = rnd.nextDouble();
      if (m < settings.malformedFraction()) {
        kind[i] = (byte) (1 + rnd.nextInt(3));
        delay[i] = 0;
        fraud[i] = false;
      }
    }
  }

  private static int cents(double amount) {
    return (int) Math.max(1, Math.min(10_000_000, Math.round(amount * 100)));
  }

  /** Indices sorted by arrival time (event time + delay), ties by index. */
  private int[] arrivalOrder() {
    long t0 = settings.start().toEpochMilli();
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      long arrival = eventTime[i] - t0 + delay[i];
      keys[i] = (arrival << 25) | i;
    }
    Arrays.sort(keys);
    int[] out = new int[n];
    for (int j = 0; j < n; j++) {
      out[j] = (int) (keys[j] & ((1 << 25) - 1));
    }
    return out;
  }

  /** The i-th record in generation order (not arrival order). */
  public Event event(int i) {
    Kind k = Kind.values()[kind[i]];
    if (k == Kind.NOT_AVRO) {
      return new Event(i, k, null, 0, false);
    }
    String c = k == Kind.EMPTY_CUSTOMER ? "" : customerId(customer[i]);
    long ts = k == Kind.BAD_EVENT_TIME ? 5L : eventTime[i];
    int ci = country[i];
    Payment p =
        new Payment(
            "p" + settings.seed() + "-" + i,
            c,
            "m" + merchant[i],
            amountCents[i] < 0 ? null : amountCents[i] / 100.0,
            ci < 0 ? "EUR" : CURRENCIES.get(ci),
            ci < 0 ? null : COUNTRIES.get(ci),
            Instant.ofEpochMilli(ts));
    return new Event(i, k, p, delay[i], fraud[i]);
  }

  /** Records in arrival order. */
  @Override
  public Iterator<Event> iterator() {
    return new Iterator<>() {
      private int j;

      @Override
      public boolean hasNext() {
        return j < n;
      }

      @Override
      public Event next() {
        if (j >= n) {
          throw new NoSuchElementException();
        }
        return event(order[j++]);
      }
    };
  }

  /** Bytes that are not an Avro payment (a truncated varint). */
  public static byte[] notAvro(int index) {
    return new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) (index & 0x7f)};
  }
}
