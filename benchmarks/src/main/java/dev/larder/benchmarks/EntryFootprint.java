package dev.larder.benchmarks;


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
      System.out.printf("| %s | %.0f |%n", name, bytesPerEntry(name, cache, keys, values));
      Caches.manager(name).destroyCache("footprint");
    }
    // Bounded, each through its own configuration, far below the bound: what a cache sized for growth costs
    // now. A sketch sized for the whole bound up front would not show here (allocated before the puts).
    for (String name : new String[] {"larder", "caffeine", "cache2k"}) {
      BenchCache<Integer, String> cache = Caches.bounded(name, "footprintBounded", Integer.class, String.class, 1_000_000);
      System.out.printf("| %s, bounded (`maximumSize` 1,000,000) | %.0f |%n", name, bytesPerEntry(name + ", bounded", cache, keys, values));
      Caches.manager(name).destroyCache("footprintBounded");
    }
  }

  /** The heap the puts of every key took, per entry; fails unless the cache then holds each. */
  @SuppressWarnings("ReferenceEquality") // by reference: the cache must hand back the very instance put
  private static double bytesPerEntry(String name, BenchCache<Integer, String> cache, Integer[] keys, String[] values) {
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
    return (after - before) / (double) ENTRIES;
  }

  private static long heapInUse() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 5; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
