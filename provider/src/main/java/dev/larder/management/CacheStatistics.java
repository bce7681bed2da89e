package dev.larder.management;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * The standard counters of one cache, on striped counters so that threads recording at once do not
 * contend (hits and misses, counted at every get, on counters most threads own a slot of). It checks
 * its own switch ({@link #setEnabled}): the cache records without asking.
 */
public final class CacheStatistics implements CacheStatisticsMXBean {

  /** Counted at every get: {@link OwnedCounter}s, which most threads add to without an atomic instruction. */
  private final OwnedCounter hits = new OwnedCounter();
  private final OwnedCounter misses = new OwnedCounter();
  private final LongAdder puts = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder getNanos = new LongAdder();
  /** How many gets {@link #getNanos} covers: single gets are timed one in {@link #SAMPLE}. */
  private final LongAdder timedGets = new LongAdder();
  private final LongAdder putNanos = new LongAdder();
  private final LongAdder removeNanos = new LongAdder();

  private volatile boolean enabled;

  /** Switches recording on or off; what was counted stays (the MXBean's {@code clear} resets it). */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** One in this many single gets is timed; the average of the sample estimates the average get. */
  public static final int SAMPLE = 32;

  /** The start of an operation to time, or 0 for none (recording off). */
  public long startTimer() {
    return enabled ? System.nanoTime() : 0L;
  }

  /**
   * The start of a single get to time, or 0 for none: one get in {@link #SAMPLE} is timed, as two
   * clock reads per get would cost more than the get.
   */
  public long startSampledTimer() {
    return enabled && (ThreadLocalRandom.current().nextInt() & (SAMPLE - 1)) == 0 ? System.nanoTime() : 0L;
  }

  /** A single get, timed from {@code start} unless that is 0 (not sampled). */
  public void recordGet(boolean hit, long start) {
    if (!enabled) {
      return;
    }
    (hit ? hits : misses).increment();
    if (start != 0L) {
      getNanos.add(System.nanoTime() - start);
      timedGets.increment();
    }
  }

  /** The gets of a bulk read, all timed from {@code start} (unless 0). */
  public void recordGets(long hitCount, long missCount, long start) {
    if (!enabled) {
      return;
    }
    hits.add(hitCount);
    misses.add(missCount);
    if (start != 0L) {
      getNanos.add(System.nanoTime() - start);
      timedGets.add(hitCount + missCount);
    }
  }

  /** A hit or a miss with no time of its own: the read part of a write ({@code getAndPut}, ...). */
  public void recordHitOrMiss(boolean hit) {
    if (enabled) {
      (hit ? hits : misses).increment();
    }
  }

  /** Puts, timed together from {@code start} (unless 0). */
  public void recordPuts(long count, long start) {
    if (enabled && count > 0) {
      puts.add(count);
      if (start != 0L) {
        putNanos.add(System.nanoTime() - start);
      }
    }
  }

  /** Removals, timed together from {@code start} (unless 0). */
  public void recordRemovals(long count, long start) {
    if (enabled && count > 0) {
      removals.add(count);
      if (start != 0L) {
        removeNanos.add(System.nanoTime() - start);
      }
    }
  }

  public void recordEviction() {
    if (enabled) {
      evictions.increment();
    }
  }

  @Override
  public void clear() {
    hits.reset();
    misses.reset();
    puts.reset();
    removals.reset();
    evictions.reset();
    getNanos.reset();
    timedGets.reset();
    putNanos.reset();
    removeNanos.reset();
  }

  @Override
  public long getCacheHits() {
    return hits.sum();
  }

  @Override
  public float getCacheHitPercentage() {
    long hitCount = getCacheHits();
    long gets = hitCount + getCacheMisses();
    return gets == 0 ? 0f : (float) hitCount / gets * 100f;
  }

  @Override
  public long getCacheMisses() {
    return misses.sum();
  }

  @Override
  public float getCacheMissPercentage() {
    long missCount = getCacheMisses();
    long gets = missCount + getCacheHits();
    return gets == 0 ? 0f : (float) missCount / gets * 100f;
  }

  @Override
  public long getCacheGets() {
    return getCacheHits() + getCacheMisses();
  }

  @Override
  public long getCachePuts() {
    return puts.sum();
  }

  @Override
  public long getCacheRemovals() {
    return removals.sum();
  }

  @Override
  public long getCacheEvictions() {
    return evictions.sum();
  }

  @Override
  public float getAverageGetTime() {
    return averageMicros(getNanos.sum(), timedGets.sum());
  }

  @Override
  public float getAveragePutTime() {
    return averageMicros(putNanos.sum(), getCachePuts());
  }

  @Override
  public float getAverageRemoveTime() {
    return averageMicros(removeNanos.sum(), getCacheRemovals());
  }

  private static float averageMicros(long totalNanos, long count) {
    return count == 0 ? 0f : (float) totalNanos / count / TimeUnit.MICROSECONDS.toNanos(1);
  }
}
