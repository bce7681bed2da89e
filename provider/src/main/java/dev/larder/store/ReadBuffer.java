package dev.larder.store;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;

/**
 * The hashes of keys a bounded table has served and its policy's sketch has not yet counted: a ring of
 * {@link #SLOTS} slots per stripe, a stripe per thread hash, so that a hit takes no lock and rarely
 * contends. It holds hashes, not nodes: a reference stored into this long-lived array would cost every
 * hit G1's card-marking barrier and a card for its refinement threads to scan again (profiled: 40% of the
 * samples of a bounded get went to refinement when this buffer held nodes). Lossy on purpose, as
 * Caffeine's: a read that loses a race for a slot is not counted, since the sketch needs the pattern of
 * reads, not every one.
 */
final class ReadBuffer {

  static final int SLOTS = 16;
  private static final int STRIPES = Math.min(64, Integer.highestOneBit(Math.max(1, 4 * Runtime.getRuntime().availableProcessors()) - 1) << 1);
  private static final int STRIPE_SHIFT = 32 - Integer.numberOfTrailingZeros(STRIPES);
  /** Longs between two stripes' counters: 128 bytes, so that stripes do not share a cache line. */
  private static final int SPACING = 16;
  /** Marks a written slot, so that a written hash of 0 is told from a slot claimed but not yet written. */
  private static final long WRITTEN = 1L << 32;

  private final AtomicLongArray slots = new AtomicLongArray(STRIPES * SLOTS);
  /** Per stripe, at {@code stripe × SPACING}: the next slot to write; one further on, the next to drain. */
  private final AtomicLongArray indexes = new AtomicLongArray(STRIPES * SPACING);

  /** Records a read of the key with this hash; false if this thread's stripe is full and should be drained first. */
  boolean offer(int hash) {
    int stripe = STRIPES == 1 ? 0 : (Thread.currentThread().hashCode() * 0x9E3779B9) >>> STRIPE_SHIFT;
    int base = stripe * SPACING;
    long tail = indexes.get(base);
    if (tail - indexes.get(base + 1) >= SLOTS) {
      return false;
    }
    if (indexes.compareAndSet(base, tail, tail + 1)) {
      slots.lazySet(stripe * SLOTS + (int) (tail & (SLOTS - 1)), WRITTEN | (hash & 0xffff_ffffL));
    }
    return true;
  }

  /** Hands every written hash to the consumer, in each stripe's order. Called by one thread at a time. */
  void drain(IntConsumer consumer) {
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      int base = stripe * SPACING;
      long head = indexes.get(base + 1);
      long tail = indexes.get(base);
      for (; head < tail; head++) {
        int slot = stripe * SLOTS + (int) (head & (SLOTS - 1));
        long written = slots.get(slot);
        if (written == 0) {
          break; // claimed, not yet written: the next drain takes it
        }
        slots.lazySet(slot, 0);
        consumer.accept((int) written);
      }
      indexes.lazySet(base + 1, head);
    }
  }
}
