package dev.larder.memcached.protocol;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a server is in service, from the answers and failures of its requests: after
 * {@code failureLimit} timeouts or I/O errors in a row it is down (like mcrouter's "TKO": 3 by
 * default), and only a probe's answer brings it back. A slow server that still answers within the
 * timeout resets the count with each answer and is never marked down. One log line per change of state.
 */
final class ServerHealth implements MemcachedServerMXBean {

  private static final Logger LOG = LoggerFactory.getLogger(ServerHealth.class);

  enum State { UP, DOWN, EJECTED }

  private final String server;
  private final int failureLimit;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicLong timesMarkedDown = new AtomicLong();
  private final AtomicLong reconnections = new AtomicLong();
  private final java.util.function.IntSupplier writesInDoubt;
  private volatile State state = State.UP;
  private volatile long downSinceNanos;
  private volatile long lastChangeMillis;
  /** The monotonic time down and up spans are measured on: {@code System::nanoTime}, a test's fake. */
  private final java.util.function.LongSupplier nanos;
  private volatile long upSinceNanos;
  private volatile String lastFailure = "";

  ServerHealth(String server, int failureLimit, java.util.function.IntSupplier writesInDoubt,
      java.util.function.LongSupplier nanos) {
    this.server = server;
    this.failureLimit = failureLimit;
    this.writesInDoubt = writesInDoubt;
    this.nanos = nanos;
    this.upSinceNanos = nanos.getAsLong() - Long.MAX_VALUE / 2; // never down: up "forever"
  }

  State state() {
    return state;
  }

  boolean inService() {
    return state == State.UP;
  }

  /** An answer came: the run of failures is over. Cheap on the hot path: no write unless one ran. */
  void answered() {
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
  }

  /** Records a failure; returns whether it marked the server down (exactly one caller sees true). */
  boolean failed(String description, boolean timeout) {
    failures.increment();
    if (timeout) {
      timeouts.increment();
    }
    lastFailure = description;
    if (consecutiveFailures.incrementAndGet() >= failureLimit && state == State.UP) {
      synchronized (this) {
        if (state == State.UP) {
          change(State.DOWN, "marked down after " + consecutiveFailures.get() + " failures in a row (last: "
              + description + ")");
          downSinceNanos = nanos.getAsLong();
          timesMarkedDown.incrementAndGet();
          return true;
        }
      }
    }
    return false;
  }

  /** How long it has been down, in nanoseconds (0 if up). */
  long downForNanos() {
    return state == State.UP ? 0 : nanos.getAsLong() - downSinceNanos;
  }

  /** How long since it last came back (a very long time if it never went down). */
  long upForNanos() {
    return nanos.getAsLong() - upSinceNanos;
  }

  /** A probe of a server that is down failed: it stays down (no log line: it is not a change). */
  void probeFailed(String description) {
    lastFailure = description;
  }

  synchronized void eject(String why) {
    if (state == State.DOWN) {
      change(State.EJECTED, why);
    }
  }

  /** A probe was answered (and the writes in doubt deleted): back in service. */
  synchronized void recovered(String how) {
    if (state != State.UP) {
      consecutiveFailures.set(0);
      reconnections.incrementAndGet();
      upSinceNanos = nanos.getAsLong();
      change(State.UP, how);
    }
  }

  private void change(State next, String why) {
    State previous = state;
    state = next;
    lastChangeMillis = System.currentTimeMillis();
    if (next == State.UP) {
      LOG.info("memcached " + server + " is back in service (was " + name(previous) + "): " + why);
    } else {
      LOG.warn("memcached " + server + " is " + name(next) + ": " + why);
    }
  }

  String description() {
    return "memcached " + server + " is marked " + name(state) + " (" + lastFailure + ")";
  }

  private static String name(State state) {
    return state.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String getServer() {
    return server;
  }

  @Override
  public String getState() {
    return name(state);
  }

  @Override
  public int getConsecutiveFailures() {
    return consecutiveFailures.get();
  }

  @Override
  public long getTimeouts() {
    return timeouts.sum();
  }

  @Override
  public long getFailures() {
    return failures.sum();
  }

  @Override
  public long getTimesMarkedDown() {
    return timesMarkedDown.get();
  }

  @Override
  public long getReconnections() {
    return reconnections.get();
  }

  @Override
  public int getWritesInDoubt() {
    return writesInDoubt.getAsInt();
  }

  @Override
  public String getLastStateChange() {
    long at = lastChangeMillis;
    return at == 0 ? "" : Instant.ofEpochMilli(at).toString();
  }

  @Override
  public String getLastFailure() {
    return lastFailure;
  }
}
