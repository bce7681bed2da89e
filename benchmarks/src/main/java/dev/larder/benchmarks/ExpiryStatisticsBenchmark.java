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

/** Gets that hit, with the common production setting: a CreatedExpiryPolicy (1 h) and statistics on. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ExpiryStatisticsBenchmark {

  @Param({"larder", "caffeine", "ehcache", "cache2k", "ri"})
  public String cache;

  BenchCache<Integer, Integer> target;
  Integer[] keys;

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    Caches.requireExpires(cache);
    target = Caches.create(cache, "expiryStatistics", Integer.class, Integer.class,
        new Caches.Setup(false, true), ReadWriteBenchmark.KEYS);
    Caches.populate(target, ReadWriteBenchmark.KEYS, i -> i, cache);
    keys = Zipf.boxedSamples(ReadWriteBenchmark.KEYS, 0.9, ReadWriteBenchmark.SAMPLES, 42);
    Caches.settle();
  }

  @Benchmark
  public Integer get(ReadWriteBenchmark.Cursor cursor) {
    return target.get(keys[cursor.index++ & ReadWriteBenchmark.MASK]);
  }
}
