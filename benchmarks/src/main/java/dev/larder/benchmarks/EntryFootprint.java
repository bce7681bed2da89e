package dev.larder.benchmarks;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * Heap per entry of each in-process cache, beyond the key and value objects (which the caller holds
 * already): 200,000 {@code Integer} → {@code String} entries, measured as the heap in use after full
 * collections, before and after the puts. Fails unless every cache holds every entry (the same value
 * instance: by reference). Run by {@code benchmarks/run.sh}: a table for docs/benchmarks.md.
 */
public final class EntryFootprint {

  private static final int ENTRIES = 200_000;

  private EntryFootprint() {
  }

  @SuppressWarnings("ReferenceEquality") // by reference: each cache must hand back the very instance put
  public static void main(String[] args) {
    Integer[] keys = new Integer[ENTRIES];
    String[] values = new String[ENTRIES];
    for (int i = 0; i < ENTRIES; i++) {
      keys[i] = 1_000 + i;
      values[i] = "v" + i;
    }
    System.out.println("| cache | bytes an entry, beyond key and value |");
    System.out.println("| --- | ---: |");
    for (String name : new String[] {"larder", "caffeine", "ehcache", "cache2k"}) {
      BenchCache<Integer, String> cache = Caches.create(name, "footprint", Integer.class, String.class,
          Caches.Setup.byReference(), ENTRIES);
      long before = heapInUse();
      for (int i = 0; i < ENTRIES; i++) {
        cache.put(keys[i], values[i]);
      }
      long after = heapInUse();
      for (int i = 0; i < ENTRIES; i++) {
        if (cache.get(keys[i]) != values[i]) {
          throw new IllegalStateException(name + " does not hold key " + keys[i] + ": its footprint would be too low");
        }
      }
      System.out.printf("| %s | %.0f |%n", name, (after - before) / (double) ENTRIES);
      Caches.manager(name).destroyCache("footprint");
    }
    System.out.println("| larder, bounded (`maximumSize` 1,000,000) | " + bounded(keys, values) + " |");
  }

  @SuppressWarnings("ReferenceEquality") // by reference: the very instance put
  private static String bounded(Integer[] keys, String[] values) {
    CacheManager manager = Caching.getCachingProvider(dev.larder.spi.LarderCachingProvider.class.getName())
        .getCacheManager();
    MutableConfiguration<Integer, String> configuration =
        new dev.larder.configuration.LarderConfiguration<Integer, String>().setMaximumSize(1_000_000);
    configuration.setTypes(Integer.class, String.class);
    Cache<Integer, String> cache = manager.createCache("footprintBounded", configuration);
    long before = heapInUse();
    for (int i = 0; i < ENTRIES; i++) {
      cache.put(keys[i], values[i]);
    }
    long after = heapInUse();
    for (int i = 0; i < ENTRIES; i++) {
      if (cache.get(keys[i]) != values[i]) {
        throw new IllegalStateException("bounded Larder does not hold key " + keys[i]);
      }
    }
    manager.destroyCache("footprintBounded");
    return String.format("%.0f", (after - before) / (double) ENTRIES);
  }

  private static long heapInUse() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 5; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
