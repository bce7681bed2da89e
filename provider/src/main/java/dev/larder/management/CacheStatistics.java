package dev.larder.management;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
  /** Hits and misses that are the read part of a write: no get time covers them. */
  private final LongAdder untimedReads = new LongAdder();
  /** Gets timed one by one or in bulk, every one of them: the warm-up's single gets and bulk reads. */
  private final LongAdder exactGetNanos = new LongAdder();
  private final LongAdder exactGets = new LongAdder();
  /** Single gets timed one in {@link #SAMPLE} after the warm-up: their mean stands for the others. */
  private final LongAdder sampledGetNanos = new LongAdder();
  private final LongAdder sampledGets = new LongAdder();
  /**
   * Single gets timed so far in the warm-up, which times every one of the first {@link #WARM_UP}.
   * After it the field is only read (a plain load on x86), so it costs the hit path no contended
   * cache line; the atomic add is paid only by the warm-up's gets, which read the clock twice anyway.
   */
  private volatile int warmUpGets;
  private static final VarHandle WARM_UP_GETS;

  static {
    try {
      WARM_UP_GETS = MethodHandles.lookup().findVarHandle(CacheStatistics.class, "warmUpGets", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
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

  /**
   * After the warm-up, one in this many single gets is timed, as two clock reads (20-25 ns each on
   * this KVM machine) and two adds cost more than a hit: timing one in 32, the expiry + statistics
   * get ran at 0.93 of the rate timing one in 1,024 did (A/B, 1 thread, median of 5 rounds). The
   * sample's mean estimates the untimed gets' time; over a million gets it has about a thousand.
   */
  public static final int SAMPLE = 1024;
  /** Single gets timed one and all before sampling starts, so a young cache reports its real average. */
  public static final int WARM_UP = 1024;

  /** The start of an operation to time, or 0 for none (recording off). */
  public long startTimer() {
    return enabled ? System.nanoTime() : 0L;
  }

  /**
   * The start of a single get to time, or 0 for none: every get in the warm-up, then one in
   * {@link #SAMPLE}, drawn at random so that the sample is not in step with the caller's pattern.
   */
  public long startSampledTimer() {
    if (!enabled) {
      return 0L;
    }
    return warmUpGets < WARM_UP || (ThreadLocalRandom.current().nextInt() & (SAMPLE - 1)) == 0
        ? System.nanoTime() : 0L;
  }

  /** A single get, timed from {@code start} unless that is 0 (not sampled). */
  public void recordGet(boolean hit, long start) {
    if (!enabled) {
      return;
    }
    (hit ? hits : misses).increment();
    if (start != 0L) {
      recordTimedGet(System.nanoTime() - start);
    }
  }

  /**
   * A get counts in the warm-up if the warm-up has not ended by the time it finished; a get started
   * in it and finished after it counts in the sample, whose mean it is as good a part of.
   */
  private void recordTimedGet(long nanos) {
    if (warmUpGets < WARM_UP) {
      WARM_UP_GETS.getAndAdd(this, 1);
      exactGetNanos.add(nanos);
      exactGets.increment();
    } else {
      sampledGetNanos.add(nanos);
      sampledGets.increment();
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
      exactGetNanos.add(System.nanoTime() - start);
      exactGets.add(hitCount + missCount);
    }
  }

  /** A hit or a miss with no time of its own: the read part of a write ({@code getAndPut}, ...). */
  public void recordHitOrMiss(boolean hit) {
    if (enabled) {
      (hit ? hits : misses).increment();
      untimedReads.increment();
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
    untimedReads.reset();
    exactGetNanos.reset();
    exactGets.reset();
    sampledGetNanos.reset();
    sampledGets.reset();
    warmUpGets = 0; // the averages start again: so does the warm-up
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

  /**
   * The exact gets' time plus, for each get that was not timed, the sample's mean: the sum of all
   * gets' times estimated, over all the gets. With no sample yet, the exact gets' mean stands in.
   */
  @Override
  public float getAverageGetTime() {
    long exactCount = exactGets.sum();
    long exactNanos = exactGetNanos.sum();
    long sampledCount = sampledGets.sum();
    double untimedMean = sampledCount == 0 ? (exactCount == 0 ? 0 : (double) exactNanos / exactCount)
        : (double) sampledGetNanos.sum() / sampledCount;
    long gets = Math.max(exactCount + sampledCount, getCacheGets() - untimedReads.sum());
    return averageMicros(Math.round(exactNanos + untimedMean * (gets - exactCount)), gets);
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
