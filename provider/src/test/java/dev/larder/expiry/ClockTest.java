package dev.larder.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ticking clock on real time, its own instances with short probes (every 20 or 100 ticks instead of
 * 1,000) so that no other test's reads of the system clock interfere. Real time is the subject here: the ticker
 * is a thread that parks for a millisecond, and what is tested is when it stops and starts.
 */
class ClockTest {

  private static final long WAIT_MILLIS = TimeUnit.SECONDS.toMillis(10);

  @Test
  void aClockNobodyReadsStopsTickingAndTheNextReadWakesItWithTheSystemTime() throws InterruptedException {
    Clock clock = new Clock(20, 5, "clock-test-idle");
    try {
      assertThat(clock.millis()).isPositive();
      long giveUp = System.currentTimeMillis() + WAIT_MILLIS;
      while (!(clock.idle() && clock.ticker().getState() == Thread.State.WAITING)) {
        assertThat(System.currentTimeMillis()).as("stopped within 10 s with no reads").isLessThan(giveUp);
        Thread.sleep(1); // waiting for the ticker's probe, 25 ms of real time after the last read
      }
      Thread.sleep(50); // the system time moves on while the ticker is stopped: a stale read would show it
      long before = System.currentTimeMillis();
      long read = clock.millis();
      assertThat(read).as("the system time, not the time the ticker stopped at")
          .isBetween(before, System.currentTimeMillis());
      assertThat(clock.idle()).isFalse();
      assertThat(clock.pauses()).isEqualTo(1);
      while (clock.millis() <= read) {
        assertThat(System.currentTimeMillis()).as("ticking again within 10 s").isLessThan(giveUp + WAIT_MILLIS);
        Thread.onSpinWait(); // reading: the ticker, woken, advances the time without another wake-up
      }
    } finally {
      clock.stop();
    }
  }

  @Test
  void aClockReadAllTheTimeNeverStopsAndStaysWithinMillisecondsOfTheSystemTime() throws InterruptedException {
    // probes 50 ticks long: this thread would have to be descheduled for 50 ms for the ticker to stop
    Clock clock = new Clock(100, 50, "clock-test-busy");
    try {
      long end = System.currentTimeMillis() + 400; // 4 probes
      long reads = 0;
      long worstLag = 0;
      long now;
      while ((now = System.currentTimeMillis()) < end) {
        long read = clock.millis();
        assertThat(read).isPositive();
        worstLag = Math.max(worstLag, now - read);
        reads++;
      }
      assertThat(clock.pauses()).as("stopped while read, in %d reads", reads).isZero();
      // about a millisecond; 100 allows for a ticker descheduled on a loaded 2-core machine
      assertThat(worstLag).as("the most a read was behind the system time, ms").isLessThan(100);
    } finally {
      clock.stop();
    }
  }

  @Test
  void theSystemClockIsTheSystemTime() {
    long before = System.currentTimeMillis();
    long read = Clock.now();
    assertThat(read).isBetween(before - 100, System.currentTimeMillis());
  }
}
