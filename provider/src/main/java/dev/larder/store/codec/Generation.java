package dev.larder.store.codec;

import dev.larder.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache's generation in a remote store: a counter kept in the service, part of every item key, so
 * that {@code clear()} moves it instead of deleting anything (other caches and applications keep their
 * items; the old generation's are never read again and the service reclaims them). This JVM re-reads it
 * every {@value #REFRESH_MILLIS} ms to see another JVM's {@code clear()}.
 *
 * <p>It never goes back: a counter older than the one in use was lost (evicted, or a server came back
 * with what it held before) and made again; it is raised to the one in use, and other JVMs follow. A new
 * counter starts at the current time in milliseconds, past every generation used before.
 */
public final class Generation {

  /** How often this JVM re-reads the generation. */
  public static final long REFRESH_MILLIS = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(Generation.class);

  /** The counter in the service. */
  public interface Counter {
    /** The counter's value, made with {@code initial} if absent. */
    long readOrCreate(long initial);

    /** Sets the counter, found at {@code found}, up to {@code inUse}. */
    void raise(long found, long inUse);
  }

  private final Counter counter;
  private final String name;
  private volatile long generation;
  private volatile long readAt;

  /** @param name the cache's key prefix, for the log */
  public Generation(Counter counter, String name) {
    this.counter = counter;
    this.name = name;
  }

  /**
   * The generation to use now. If the counter cannot be read ({@link StoreUnavailableException}), the
   * last one read (another JVM's {@code clear()} shows later), rather than failing keys whose own server
   * is fine; the failure goes to the caller only if it was never read.
   */
  public long current() {
    long now = System.currentTimeMillis();
    if (now - readAt > REFRESH_MILLIS) {
      try {
        refresh();
      } catch (StoreUnavailableException e) {
        if (readAt == 0) {
          throw e; // never read: no generation to fall back on
        }
        readAt = now;
      }
    }
    return generation;
  }

  /** The generation as last read, without reading. */
  public long lastRead() {
    return generation;
  }

  /** Reads the counter (making it if absent) and takes its value. */
  public void refresh() {
    accept(counter.readOrCreate(initial()));
  }

  /** What a new counter starts at: the current time in ms, and past the generation in use. */
  public long initial() {
    return Math.max(System.currentTimeMillis(), generation + 1);
  }

  /** Takes a value the counter answered (a read, a clear's increment), unless older than the one in use. */
  public void accept(long value) {
    if (value < generation) {
      counter.raise(value, generation);
      LOG.info("Cache " + name + ": the generation counter held " + value + ", older than " + generation
          + " in use here (it was lost and made again); raised it");
    } else {
      generation = value;
    }
    readAt = System.currentTimeMillis();
  }
}
