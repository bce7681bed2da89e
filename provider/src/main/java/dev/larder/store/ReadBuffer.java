package dev.larder.store;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Reads a bounded table has served and its policy has not yet seen: a ring of {@link #SLOTS} slots per
 * stripe, a stripe per thread hash, so that a hit takes no lock and rarely contends. Lossy on purpose,
 * as Caffeine's: a read that loses a race for a slot is not recorded, since the policy only needs the
 * pattern of reads, not every one.
 */
final class ReadBuffer<E> {

  static final int SLOTS = 16;
  private static final int STRIPES = Math.min(64, Integer.highestOneBit(Math.max(1, 4 * Runtime.getRuntime().availableProcessors()) - 1) << 1);
  private static final int STRIPE_SHIFT = 32 - Integer.numberOfTrailingZeros(STRIPES);
  /** Longs between two stripes' counters: 128 bytes, so that stripes do not share a cache line. */
  private static final int SPACING = 16;

  private final AtomicReferenceArray<E> slots = new AtomicReferenceArray<>(STRIPES * SLOTS);
  /** Per stripe, at {@code stripe × SPACING}: the next slot to write; one further on, the next to drain. */
  private final AtomicLongArray indexes = new AtomicLongArray(STRIPES * SPACING);

  /** Records the read; false if this thread's stripe is full and should be drained first. */
  boolean offer(E element) {
    int stripe = STRIPES == 1 ? 0 : (Thread.currentThread().hashCode() * 0x9E3779B9) >>> STRIPE_SHIFT;
    int base = stripe * SPACING;
    long tail = indexes.get(base);
    if (tail - indexes.get(base + 1) >= SLOTS) {
      return false;
    }
    if (indexes.compareAndSet(base, tail, tail + 1)) {
      slots.lazySet(stripe * SLOTS + (int) (tail & (SLOTS - 1)), element);
    }
    return true;
  }

  /** Hands every published read to the consumer, in each stripe's order. Called by one thread at a time. */
  void drain(Consumer<? super E> consumer) {
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      int base = stripe * SPACING;
      long head = indexes.get(base + 1);
      long tail = indexes.get(base);
      for (; head < tail; head++) {
        int slot = stripe * SLOTS + (int) (head & (SLOTS - 1));
        E element = slots.get(slot);
        if (element == null) {
          break; // claimed, not yet written: the next drain takes it
        }
        slots.lazySet(slot, null);
        consumer.accept(element);
      }
      indexes.lazySet(base + 1, head);
    }
  }
}
