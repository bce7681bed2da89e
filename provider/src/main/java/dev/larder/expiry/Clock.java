package dev.larder.expiry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The time deadlines are set and checked against: epoch milliseconds, read from a field that a daemon
 * thread advances every millisecond. A read of {@link System#currentTimeMillis()} costs tens of
 * nanoseconds on virtual machines, more than the rest of a cache hit; this costs a field read.
 * Deadlines may therefore pass up to about a millisecond late.
 */
public final class Clock {

  private static volatile long now = System.currentTimeMillis();

  static {
    Thread ticker = new Thread(() -> {
      while (true) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        now = System.currentTimeMillis();
      }
    }, "larder-clock");
    ticker.setDaemon(true);
    ticker.start();
  }

  private Clock() {
  }

  /** Epoch milliseconds, at most about a millisecond behind the system clock. */
  public static long now() {
    return now;
  }
}
