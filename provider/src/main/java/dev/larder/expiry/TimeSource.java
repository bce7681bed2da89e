package dev.larder.expiry;

/**
 * The time a cache sets and checks deadlines against, in epoch milliseconds: {@link #SYSTEM} (the
 * ticking {@link Clock}) unless a test gives a cache another, through
 * {@code LarderConfiguration.setTimeSource}, to move time by hand instead of sleeping.
 */
@FunctionalInterface
public interface TimeSource {

  /**
   * The ticking clock: the system's time, read from a field a daemon thread advances each millisecond
   * while the clock is read (see {@link Clock}).
   */
  TimeSource SYSTEM = Clock::now;

  /** Epoch milliseconds now. */
  long millis();

  /**
   * A monotonic reading in nanoseconds, for intervals that must not follow the wall clock's jumps (a near
   * tier's staleness bound): {@link System#nanoTime()} unless a test's time source moves it too.
   */
  default long nanos() {
    return System.nanoTime();
  }
}
