package io.freshet.cli.flink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The progress line's events per second, from REST metrics refreshed as often as it polls. */
class EventRateTest {
  @Test
  void aPollThatSeesTheSameCountAsTheOneBeforeKeepsTheRate() {
    JobProgress.EventRate rate = new JobProgress.EventRate(3);
    assertThat(rate.next(1, 0)).isZero();
    assertThat(rate.next(4, 9_000)).isEqualTo(3_000);
    // the REST API had not refreshed yet: same count, the job did not stop
    assertThat(rate.next(7, 9_000)).isEqualTo(3_000);
    // the refresh holds six seconds of events: averaged over the six seconds, not 6,000/s
    assertThat(rate.next(10, 27_000)).isEqualTo(3_000);
    assertThat(rate.next(13, 36_000)).isEqualTo(3_000);
  }

  @Test
  void aCountThatStandsStillForLongerThanTwoRefreshesIsAStop() {
    JobProgress.EventRate rate = new JobProgress.EventRate(3);
    rate.next(0, 0);
    assertThat(rate.next(3, 6_000)).isEqualTo(2_000);
    assertThat(rate.next(6, 6_000)).isEqualTo(2_000);
    assertThat(rate.next(9, 6_000)).isEqualTo(2_000);
    assertThat(rate.next(12, 6_000)).isZero();
    assertThat(rate.next(15, 7_500)).isEqualTo(125); // 1,500 events over the 12 s it stood
  }

  @Test
  void theFirstChangeIsMeasuredFromTheStartingPoint() {
    JobProgress.EventRate rate = new JobProgress.EventRate(3);
    rate.next(0, 0); // the job's state before the first poll: nothing read at second 0
    assertThat(rate.next(12, 24_000)).isEqualTo(2_000);
  }
}
