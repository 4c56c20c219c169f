package io.freshet.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExpiryTest {

  @Test
  void aValueExactlyTtlOldIsLiveAndOneMillisecondOlderIsExpired() {
    long last = 1_000_000L;
    long ttl = 60_000L;
    assertThat(Expiry.expired(last, last, ttl)).isFalse();
    assertThat(Expiry.expired(last, last + ttl, ttl)).isFalse();
    assertThat(Expiry.expired(last, last + ttl + 1, ttl)).isTrue();
  }

  @Test
  void aReadBeforeTheLastEventIsLive() {
    assertThat(Expiry.expired(5_000L, 1_000L, 0L)).isFalse();
  }
}
