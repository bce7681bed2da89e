package dev.larder.expiry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The time deadlines are set and checked against: epoch milliseconds, read from a field that a daemon
 * thread advances every millisecond. A read of {@link System#currentTimeMillis()} costs tens of
 * nanoseconds on virtual machines, more than the rest of a cache hit; this costs a field read.
 * Deadlines may therefore pass up to about a millisecond late.
 *
 * <p>The ticker stops while nobody reads the time: once a second it marks the field, and if no read has
 * cleared the mark 100 ms later, it parks until the next read, which reads the system clock itself and
 * wakes it. Why: ticking for nobody, an idle JVM with one cache took 3.3% of a core, and the machine
 * switched context 1,958 times a second; stopped, 0.3% and 184 (this project's 2-core VM, 10 s of an
 * idle process each). A busy cache keeps it ticking for the price of one write a second; the common
 * read is one field read and a sign test: the expiry + statistics get ran at 1.05× the old clock's
 * rate (median of 8 alternating rounds, 0.89-1.29×), within this machine's noise.
 *
 * <p>The state lives in the one field, so that a read is still one volatile load: a positive value is
 * the time; a negative one is the time, marked by the ticker (a reader clears the mark); 0 means the
 * ticker has stopped.
 */
public final class Clock {

  private static final long IDLE = 0L;
  private static final VarHandle NOW;

  static {
    try {
      NOW = MethodHandles.lookup().findVarHandle(Clock.class, "now", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** After {@link #NOW}: its ticker uses it. */
  private static final Clock SYSTEM = new Clock(1_000, 100, "larder-clock");

  /** The time (positive), the time marked by a probe (negative), or {@link #IDLE}. */
  private volatile long now = systemMillis();
  private volatile boolean stopped;
  /** How many times the ticker stopped for want of reads. */
  private final AtomicInteger pauses = new AtomicInteger();
  private final Thread ticker;

  /**
   * A clock ticking each millisecond on its own daemon thread: every {@code ticksBetweenProbes} ticks it
   * starts a probe, and if no read came in the {@code probeTicks} ticks after, it stops until one does.
   */
  Clock(int ticksBetweenProbes, int probeTicks, String threadName) {
    if (probeTicks < 1 || probeTicks >= ticksBetweenProbes) {
      throw new IllegalArgumentException("a probe of " + probeTicks + " ticks in every " + ticksBetweenProbes);
    }
    ticker = new Thread(() -> tick(ticksBetweenProbes, probeTicks), threadName);
    ticker.setDaemon(true);
    ticker.start();
  }

  /** Epoch milliseconds, at most about a millisecond behind the system clock. */
  public static long now() {
    return SYSTEM.millis();
  }

  long millis() {
    long time = now;
    return time > 0 ? time : markedOrIdle();
  }

  /** A read that found the probe's mark, which it clears, or the ticker stopped, which it wakes. */
  private long markedOrIdle() {
    while (true) {
      long time = now;
      if (time > 0) {
        return time;
      }
      if (time < 0) {
        if (NOW.compareAndSet(this, time, -time)) {
          return -time;
        }
      } else {
        long fresh = systemMillis();
        if (NOW.compareAndSet(this, IDLE, fresh)) { // the time and the wake-up in one write
          LockSupport.unpark(ticker);
          return fresh;
        }
      }
    }
  }

  private void tick(int ticksBetweenProbes, int probeTicks) {
    int tick = 0;
    while (!stopped) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      tick = (tick + 1) % ticksBetweenProbes;
      long time = now;
      if (tick == probeTicks && time < 0 && NOW.compareAndSet(this, time, IDLE)) {
        // the probe's mark is still there: no read since it was made
        pauses.incrementAndGet();
        while (now == IDLE && !stopped) {
          LockSupport.park(this);
        }
        continue; // the read that woke this wrote the time
      }
      advance(tick == 0);
    }
  }

  /**
   * Writes the system time, marked if {@code startProbe} or if a probe's mark is still there; a read that
   * clears the mark meanwhile makes the write try again.
   */
  private void advance(boolean startProbe) {
    while (true) {
      long time = now;
      long fresh = systemMillis();
      if (NOW.compareAndSet(this, time, startProbe || time < 0 ? -fresh : fresh)) {
        return;
      }
    }
  }

  /** Whether the ticker is stopped for want of reads: for tests. */
  boolean idle() {
    return now == IDLE;
  }

  /** How many times the ticker has stopped for want of reads: for tests. */
  int pauses() {
    return pauses.get();
  }

  /** Ends the ticker's thread, for a clock a test made; the system clock ticks for the JVM's life. */
  void stop() throws InterruptedException {
    stopped = true;
    LockSupport.unpark(ticker);
    ticker.join(TimeUnit.SECONDS.toMillis(10));
    if (ticker.isAlive()) {
      throw new IllegalStateException(ticker.getName() + " did not end within 10 s");
    }
  }

  Thread ticker() {
    return ticker;
  }

  /** The system clock, never 0 or less: those values carry the ticker's state. */
  private static long systemMillis() {
    return Math.max(1L, System.currentTimeMillis());
  }
}
