package dev.larder.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
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
 * Gets that hit, puts that overwrite, and 75% get / 25% put, over 2^16 pre-populated keys drawn from a
 * scrambled Zipf distribution. Store-by-reference, no expiry, no statistics: the cost of the cache itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ReadWriteBenchmark {

  static final int KEYS = 1 << 16;
  static final int SAMPLES = 1 << 20;
  static final int MASK = SAMPLES - 1;

  @Param({"larder", "caffeine", "ehcache", "cache2k", "ri", "caffeine-core", "chm"})
  public String cache;

  BenchCache<Integer, Integer> target;
  Integer[] keys;

  @Setup(Level.Trial)
  public void setUp() {
    target = Caches.create(cache, "readWrite", Integer.class, Integer.class, Caches.Setup.byReference(), KEYS);
    Caches.populate(target, KEYS, i -> i, cache);
    keys = Zipf.boxedSamples(KEYS, 0.9, SAMPLES, 42);
    Caches.settle();
  }

  /** Each thread walks the samples from its own random start. */
  @State(Scope.Thread)
  public static class Cursor {
    int index = ThreadLocalRandom.current().nextInt(SAMPLES);
  }

  @Benchmark
  public Integer get(Cursor cursor) {
    return target.get(keys[cursor.index++ & MASK]);
  }

  @Benchmark
  public void put(Cursor cursor) {
    Integer key = keys[cursor.index++ & MASK];
    target.put(key, key);
  }

  @Benchmark
  public Integer mixed(Cursor cursor) {
    int index = cursor.index++;
    Integer key = keys[index & MASK];
    if ((index & 3) == 0) {
      target.put(key, key);
      return key;
    }
    return target.get(key);
  }
}
