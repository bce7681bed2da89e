package dev.larder.benchmarks;

import java.util.Map;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.TreeSet;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/** getAll and putAll of 100 keys (store-by-reference). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class BulkBenchmark {

  static final int BATCH = 100;
  static final int BATCHES = 1 << 10;

  @Param({"larder", "caffeine", "ehcache", "cache2k", "ri", "caffeine-core", "chm"})
  public String cache;

  BenchCache<Integer, Integer> target;
  Set<Integer>[] keySets;
  Map<Integer, Integer>[] entrySets;

  @Setup(Level.Trial)
  @SuppressWarnings("unchecked")
  public void setUp(BenchmarkParams params) {
    if (cache.equals("ri") && params.getBenchmark().endsWith("putAll") && params.getThreads() > 1) {
      // Measured: it deadlocks (jstack: Java-level deadlock in LockManager) even with sorted batches.
      throw new IllegalStateException("Not measured: the RI deadlocks on concurrent putAll of overlapping keys");
    }
    target = Caches.create(cache, "bulk", Integer.class, Integer.class, Caches.Setup.byReference(), ReadWriteBenchmark.KEYS);
    Caches.populate(target, ReadWriteBenchmark.KEYS, i -> i, cache);
    int[] samples = Zipf.samples(ReadWriteBenchmark.KEYS, 0.9, BATCH * BATCHES * 2, 42);
    keySets = new Set[BATCHES];
    entrySets = new Map[BATCHES];
    int next = 0;
    for (int b = 0; b < BATCHES; b++) {
      // Sorted (every batch in one global key order, as a careful caller would do), in Linked, not Tree,
      // collections: the RI and cache2k check for null keys with contains(null), which a TreeSet answers
      // with a NullPointerException.
      Set<Integer> distinct = new TreeSet<>();
      while (distinct.size() < BATCH) {
        distinct.add(samples[next++ % samples.length] ^ (b & 1)); // distinct keys per batch
      }
      Set<Integer> keys = new LinkedHashSet<>(distinct);
      keySets[b] = keys;
      Map<Integer, Integer> entries = new LinkedHashMap<>();
      keys.forEach(key -> entries.put(key, key));
      entrySets[b] = entries;
    }
    Caches.settle();
  }

  @Benchmark
  public Map<Integer, Integer> getAll(ReadWriteBenchmark.Cursor cursor) {
    return target.getAll(keySets[cursor.index++ & (BATCHES - 1)]);
  }

  @Benchmark
  public void putAll(ReadWriteBenchmark.Cursor cursor) {
    target.putAll(entrySets[cursor.index++ & (BATCHES - 1)]);
  }
}
