package dev.larder.store;

/**
 * How often each key was asked for lately, approximately: a count-min sketch of 4-bit counters, four per
 * key, halved every {@link #SAMPLE_FACTOR} × capacity increments so that old popularity fades. The
 * admission policy ({@link EvictionPolicy}) compares two keys' estimates. As in Caffeine 3, a key's four
 * counters lie in one 64-byte block (one in each pair of words of it), so an increment or an estimate
 * costs one cache miss, not four.
 *
 * <p>Sized for the hit ratio on small caches, where Caffeine's sketch (16 counters an entry, each raised
 * on every access, halved every 10 × capacity) is the limit: with a capacity of 1,000 and Zipf(0.9) over
 * 100,000 keys, the key at the cache's edge is asked for about once in 10,000 accesses, and its estimate
 * is mostly collisions. Here 64 counters an entry, raised conservatively (only those holding the key's
 * estimate), halved every 40 × capacity: with the window held at 1%, a fixed Zipf trace at capacity
 * 1,000 hits 45.04% against 43.81% with Caffeine's sizing and updates ({@code BoundedTableTest}). The
 * sketch takes at most 2^20 counters (512 KiB) or, past 16,384 entries, Caffeine's 16 an entry.
 *
 * <p>Not thread-safe: used under the bounded table's lock.
 */
final class FrequencySketch {

  /** Counters an entry, up to {@link #MAX_EXTRA_COUNTERS} in all. */
  static final int COUNTERS_PER_ENTRY = 64;
  /** Counters an entry at the least (Caffeine's). */
  static final int MIN_COUNTERS_PER_ENTRY = 16;
  /** The most counters a sketch takes at {@link #COUNTERS_PER_ENTRY}: 2^20, 512 KiB. */
  static final long MAX_EXTRA_COUNTERS = 1L << 20;
  /** Increments, as a multiple of the capacity, after which every counter is halved. */
  static final int SAMPLE_FACTOR = 40;

  private static final long ONE_BITS = 0x1111_1111_1111_1111L;
  private static final long RESET_MASK = 0x7777_7777_7777_7777L;

  private long capacity;
  private long[] table = new long[8];
  /** Blocks of 8 words (64 bytes, a cache line) less one: a key's four counters lie in one block. */
  private int blockMask;
  /** Until sized, a sketch of one block that never halves: it counts nothing that matters yet. */
  private long sampleSize = Long.MAX_VALUE;
  private long additions;

  /** Sizes the sketch for at least {@code entries} entries; a larger sketch starts empty. */
  void ensureCapacity(long entries) {
    if (entries <= capacity) {
      return;
    }
    capacity = Math.max(16, entries);
    long counters = Math.max(MIN_COUNTERS_PER_ENTRY * capacity, Math.min(COUNTERS_PER_ENTRY * capacity, MAX_EXTRA_COUNTERS));
    int words = (int) Math.max(8, Math.min(1 << 30, Long.highestOneBit(counters / 16 - 1) << 1));
    table = new long[words];
    blockMask = (words >>> 3) - 1;
    sampleSize = SAMPLE_FACTOR * capacity;
    additions = 0;
  }

  /** The entries the sketch is sized for. */
  long capacity() {
    return capacity;
  }

  /** A key's hash as the sketch and the read buffer take it: {@code hashCode}, mixed. */
  static int hash(Object key) {
    return spread(key.hashCode());
  }

  /** The estimated number of recent accesses of the key with this {@link #hash}, at most 15. */
  int frequency(int blockHash) {
    int counterHash = rehash(blockHash);
    int block = (blockHash & blockMask) << 3;
    int frequency = 15;
    for (int row = 0; row < 4; row++) {
      int h = counterHash >>> (row << 3);
      int offset = (h >>> 1) & 15;
      frequency = Math.min(frequency, (int) ((table[block + (h & 1) + (row << 1)] >>> (offset << 2)) & 0xf));
    }
    return frequency;
  }

  /**
   * Counts one access of the key with this {@link #hash}, halving every counter once a sample is complete. Conservative
   * update: only the key's counters that hold its current estimate (the minimum) are raised, so a key's
   * accesses inflate other keys' estimates less.
   */
  void increment(int blockHash) {
    int estimate = frequency(blockHash);
    if (estimate == 15) {
      return;
    }
    int counterHash = rehash(blockHash);
    int block = (blockHash & blockMask) << 3;
    for (int row = 0; row < 4; row++) {
      int h = counterHash >>> (row << 3);
      int index = block + (h & 1) + (row << 1);
      int shift = ((h >>> 1) & 15) << 2;
      if (((table[index] >>> shift) & 0xf) == estimate) {
        table[index] += 1L << shift;
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

  /** A second hash of the key, whose four bytes pick its counter in each row of its block. */
  private static int rehash(int x) {
    x *= 0x31848bab;
    x ^= x >>> 14;
    return x;
  }

  /** A key's hash mixed so that neighbouring hashes (Integer keys) land far apart. */
  private static int spread(int x) {
    x = ((x >>> 16) ^ x) * 0x45d9f3b;
    x = ((x >>> 16) ^ x) * 0x45d9f3b;
    return (x >>> 16) ^ x;
  }
}
