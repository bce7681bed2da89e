package dev.larder.store;

/**
 * How often each key was asked for lately, approximately: a count-min sketch of 4-bit counters, four per
 * key, halved every {@link #SAMPLE_FACTOR} × capacity increments so that old popularity fades. The
 * admission policy ({@link EvictionPolicy}) compares two keys' estimates.
 *
 * <p>Sized for the hit ratio on small caches, where Caffeine's sketch (16 counters an entry, halved
 * every 10 × capacity) is the limit: with a capacity of 1,000 and Zipf(0.9) over 100,000 keys, the key
 * at the cache's edge is asked about once in 10,000 accesses, and its estimate is mostly collisions.
 * Simulated on the {@code HitRatio} traces: 16 counters and 10× gave 45.1% (Zipf) and 35.9% (with scans);
 * 64 counters and 40× gave 46.4% and 36.9% (cache2k 45.9% and 36.7%). The extra counters are capped at
 * {@link #MAX_EXTRA_COUNTERS} (512 KiB), past which a sketch has Caffeine's 16 counters an entry.
 *
 * <p>Not thread-safe: used under the bounded table's lock.
 */
final class FrequencySketch {

  /** Counters an entry up to {@link #MAX_EXTRA_COUNTERS}. */
  static final int COUNTERS_PER_ENTRY = 64;
  /** Counters an entry at the least (Caffeine's). */
  static final int MIN_COUNTERS_PER_ENTRY = 16;
  /** The most counters a sketch takes beyond the minimum: 2^20, 512 KiB. */
  static final long MAX_EXTRA_COUNTERS = 1L << 20;
  /** Increments, as a multiple of the capacity, after which every counter is halved. */
  static final int SAMPLE_FACTOR = 40;

  private static final long[] SEEDS = {0xc3a5c85c97cb3127L, 0xb492b66fbe98f273L, 0x9ae16a3b2f90404fL,
      0xcbf29ce484222325L};
  private static final long ONE_BITS = 0x1111_1111_1111_1111L;
  private static final long RESET_MASK = 0x7777_7777_7777_7777L;

  private long capacity;
  private long[] table = new long[1];
  private int tableMask;
  private long sampleSize = 1;
  private long additions;

  /** Sizes the sketch for at least {@code entries} entries; a larger sketch starts empty. */
  void ensureCapacity(long entries) {
    if (entries <= capacity) {
      return;
    }
    capacity = Math.max(16, entries);
    long counters = Math.max(MIN_COUNTERS_PER_ENTRY * capacity, Math.min(COUNTERS_PER_ENTRY * capacity, MAX_EXTRA_COUNTERS));
    int words = (int) Math.min(1 << 30, Long.highestOneBit(counters / 16 - 1) << 1);
    table = new long[words];
    tableMask = words - 1;
    sampleSize = SAMPLE_FACTOR * capacity;
    additions = 0;
  }

  /** The entries the sketch is sized for. */
  long capacity() {
    return capacity;
  }

  /** The estimated number of recent accesses of the key, at most 15. */
  int frequency(Object key) {
    int hash = spread(key.hashCode());
    int start = (hash & 3) << 2;
    int frequency = 15;
    for (int row = 0; row < 4; row++) {
      int offset = (start + row) << 2;
      frequency = Math.min(frequency, (int) ((table[index(hash, row)] >>> offset) & 0xf));
    }
    return frequency;
  }

  /**
   * Counts one access of the key, halving every counter once a sample is complete. Conservative
   * update: only the key's counters that hold its current estimate (the minimum) are raised, so a key's
   * accesses inflate other keys' estimates less.
   */
  void increment(Object key) {
    int hash = spread(key.hashCode());
    int start = (hash & 3) << 2;
    int estimate = 15;
    for (int row = 0; row < 4; row++) {
      int offset = (start + row) << 2;
      estimate = Math.min(estimate, (int) ((table[index(hash, row)] >>> offset) & 0xf));
    }
    if (estimate == 15) {
      return;
    }
    for (int row = 0; row < 4; row++) {
      int index = index(hash, row);
      int offset = (start + row) << 2;
      if (((table[index] >>> offset) & 0xf) == estimate) {
        table[index] += 1L << offset;
      }
    }
    if (++additions >= sampleSize) {
      reset();
    }
  }

  private void reset() {
    long odd = 0;
    for (int i = 0; i < table.length; i++) {
      odd += Long.bitCount(table[i] & ONE_BITS);
      table[i] = (table[i] >>> 1) & RESET_MASK;
    }
    additions = (additions - (odd >>> 2)) >>> 1;
  }

  private int index(int hash, int row) {
    long h = (hash + SEEDS[row]) * SEEDS[row];
    h += h >>> 32;
    return (int) h & tableMask;
  }

  /** A key's hash mixed so that neighbouring hashes (Integer keys) land far apart. */
  static int spread(int x) {
    x = ((x >>> 16) ^ x) * 0x45d9f3b;
    x = ((x >>> 16) ^ x) * 0x45d9f3b;
    return (x >>> 16) ^ x;
  }
}
