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

  BenchCache<Integer, Profile> target;
  Integer[] keys;

  @Setup(Level.Trial)
  public void setUp() {
    target = Caches.create(cache, "byValue", Integer.class, Profile.class,
        new Caches.Setup(true, false), ReadWriteBenchmark.KEYS);
    Caches.populate(target, ReadWriteBenchmark.KEYS, Profile::new, cache);
    Caches.requireCopies(target, cache);
    keys = Zipf.boxedSamples(ReadWriteBenchmark.KEYS, 0.9, ReadWriteBenchmark.SAMPLES, 42);
  }

  @Benchmark
  public Profile get(ReadWriteBenchmark.Cursor cursor) {
    return target.get(keys[cursor.index++ & ReadWriteBenchmark.MASK]);
  }
}
