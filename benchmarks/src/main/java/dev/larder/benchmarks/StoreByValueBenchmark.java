package dev.larder.benchmarks;

import java.io.Serializable;
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

/** Gets that hit in a store-by-value cache (the JCache default) holding a small mutable value. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class StoreByValueBenchmark {

  /** A small mutable value, as a session or a DTO would be. */
  public static final class Profile implements Serializable {
    private static final long serialVersionUID = 1L;
    int id;
    String name;
    long visits;

    Profile(int id) {
      this.id = id;
      this.name = "user" + id;
    }
  }

  @Param({"larder", "caffeine", "ehcache", "cache2k", "ri"})
  public String cache;

  Integer[] keys;

  @Setup(Level.Trial)
  public void setUp() {
    keys = Zipf.boxedSamples(ReadWriteBenchmark.KEYS, 0.9, ReadWriteBenchmark.SAMPLES, 42);
  }

  /** The cache of mutable values; a state of its own, so that the immutable row's fork holds only its own. */
  @State(Scope.Benchmark)
  public static class Mutable {
    BenchCache<Integer, Profile> cache;

    @Setup(Level.Trial)
    public void setUp(StoreByValueBenchmark benchmark) {
      cache = Caches.create(benchmark.cache, "byValue", Integer.class, Profile.class,
          new Caches.Setup(true, false), ReadWriteBenchmark.KEYS);
      Caches.populate(cache, ReadWriteBenchmark.KEYS, Profile::new, benchmark.cache);
      Caches.requireCopies(cache, benchmark.cache);
      Caches.settle();
    }
  }

  @Benchmark
  public Profile get(Mutable mutable, ReadWriteBenchmark.Cursor cursor) {
    return mutable.cache.get(keys[cursor.index++ & ReadWriteBenchmark.MASK]);
  }

  /**
   * A store-by-value cache of immutable values ({@code Integer}): a copy of an immutable value is the value
   * itself, so a cache that knows it skips the copy (compared with {@link ReadWriteBenchmark#get}).
   */
  @State(Scope.Benchmark)
  public static class Immutable {
    BenchCache<Integer, Integer> cache;

    @Setup(Level.Trial)
    public void setUp(StoreByValueBenchmark benchmark) {
      cache = Caches.create(benchmark.cache, "byValueImmutable", Integer.class, Integer.class,
          new Caches.Setup(true, false), ReadWriteBenchmark.KEYS);
      Caches.populate(cache, ReadWriteBenchmark.KEYS, i -> i, benchmark.cache);
      Caches.settle();
    }
  }

  @Benchmark
  public Integer getImmutable(Immutable immutable, ReadWriteBenchmark.Cursor cursor) {
    return immutable.cache.get(keys[cursor.index++ & ReadWriteBenchmark.MASK]);
  }
}
