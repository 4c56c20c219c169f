package io.freshet.store;

/**
 * The ttl rule, the same in serving and in training sets: a value is expired at time {@code t} when
 * {@code t - last_event_time > ttl}. Serving reports it EXPIRED (at the reader's clock), a training
 * set gives null (at the spine row's time). A value exactly {@code ttl} old is still live.
 */
public final class Expiry {
  private Expiry() {}

  /**
   * Whether a value whose newest event is {@code lastEventTime} is expired at {@code at}.
   *
   * @param lastEventTime the row's {@link StoreColumn#LAST_EVENT_TIME}, epoch milliseconds
   * @param at the time the value is read at, epoch milliseconds
   * @param ttlMillis the view's ttl
   */
  public static boolean expired(long lastEventTime, long at, long ttlMillis) {
    return at - lastEventTime > ttlMillis;
  }
}
