package dev.larder.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Caches with a size bound, as the user guide tells every cache to have, each bounded through its own
 * JCache configuration, store-by-reference:
 * <ul>
 *   <li>{@code get}: a hit in a cache bounded to 2^16 entries that holds all of its 2^16 keys (the read
 *       path with the bookkeeping a bound needs: Caffeine's and Larder's read buffers);</li>
 *   <li>{@code getOrPut}: "get; on a miss, put" over 2^18 keys drawn from Zipf(0.9), bounded to 2^14
 *       entries: hits, misses and evictions as an application sees them.</li>
 * </ul>
 * The setup fails the run unless the {@code get} cache holds every key, and unless the {@code getOrPut}
 * cache, after a pass over the trace, holds no more entries than its bound (it really evicts).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class BoundedBenchmark {

  static final int HELD = 1 << 16;
  /**
   * The {@code getOrPut} cache's bound: 2^14 in the runs the docs report. {@code -jvmArgsAppend
   * -Dlarder.benchmark.evictingBound=512} asks what a small cache pays, where Larder's window shadows
   * see one key in 4 (under 2^14, one in 128: each shadow holds 128 entries). A system property, not a
   * JMH parameter, so that the report's rows keep their names.
   */
  static final int EVICTING_BOUND = Integer.getInteger("larder.benchmark.evictingBound", 1 << 14);
  static final int EVICTING_KEYS = 1 << 18;
  static final int SAMPLES = ReadWriteBenchmark.SAMPLES;
  static final int MASK = SAMPLES - 1;

  @Param({"larder", "caffeine", "cache2k", "caffeine-core"})
  public String cache;

  BenchCache<Integer, Integer> full;
  BenchCache<Integer, Integer> evicting;
  Integer[] heldKeys;
  Integer[] evictingKeys;

  @Setup(Level.Trial)
  public void setUp() {
    full = Caches.bounded(cache, "boundedFull", Integer.class, Integer.class, HELD);
    Caches.populate(full, HELD, i -> i, cache);
    heldKeys = Zipf.boxedSamples(HELD, 0.9, SAMPLES, 42);

    evicting = Caches.bounded(cache, "boundedEvicting", Integer.class, Integer.class, EVICTING_BOUND);
    evictingKeys = Zipf.boxedSamples(EVICTING_KEYS, 0.9, SAMPLES, 43);
    for (Integer key : evictingKeys) {
      if (evicting.get(key) == null) {
        evicting.put(key, key);
      }
    }
    int held = 0;
    for (int key = 0; key < EVICTING_KEYS; key++) {
      if (evicting.get(key) != null) {
        held++;
      }
    }
    if (held > EVICTING_BOUND) {
      throw new IllegalStateException(cache + " holds " + held + " entries under a bound of " + EVICTING_BOUND
          + ": the benchmark would not measure eviction");
    }
    Caches.settle();
  }

  @Benchmark
  public Integer get(ReadWriteBenchmark.Cursor cursor) {
    return full.get(heldKeys[cursor.index++ & MASK]);
  }

  @Benchmark
  public Integer getOrPut(ReadWriteBenchmark.Cursor cursor) {
    Integer key = evictingKeys[cursor.index++ & MASK];
    Integer value = evicting.get(key);
    if (value == null) {
      evicting.put(key, key);
      return key;
    }
    return value;
  }
}
