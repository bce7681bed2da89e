package dev.larder.management;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * A counter whose slots each belong to one thread: the owner adds to its slot with a plain write (no
 * other thread writes there, so no atomic instruction is needed), and a thread whose slot another owns
 * adds to a {@link LongAdder}. A thread owns the slot its id selects if the slot was free when it first
 * counted; ids are never reused, so a slot of a thread that ended stays taken, and threads that come
 * later and land on it count through the adder as before.
 *
 * <p>Why: with one thread, the uncontended compare-and-set of {@code LongAdder.increment} was 19% of a
 * cache hit with statistics on (async-profiler, {@code ExpiryStatisticsBenchmark}, 1 thread), more
 * than the deadline check and the statistics switch together.
 *
 * <p>{@link #sum} is exact once the adding threads have stopped, and while they run it is a value the
 * counter passed through, as {@link LongAdder#sum} is. {@link #reset} moves a baseline instead of
 * writing to slots it does not own, so no add is lost to it.
 */
final class OwnedCounter {

  /** Slots per counter, a power of two: 64 threads count without atomics, the others as before. */
  private static final int SLOTS = 64;
  /** Longs per slot: 128 bytes, so that two owners never write to one cache line (or its neighbour). */
  private static final int STRIDE = 16;
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  /** Per slot: the owner's thread id (0: free) at {@code i * STRIDE}, its count next to it. */
  private final long[] slots = new long[SLOTS * STRIDE];
  private final LongAdder others = new LongAdder();
  /** What {@link #sum} subtracts: the total at the last {@link #reset}. */
  private volatile long baseline;

  void increment() {
    add(1);
  }

  void add(long count) {
    long id = threadId();
    int owner = (int) (id & (SLOTS - 1)) * STRIDE;
    long current = (long) LONGS.getOpaque(slots, owner);
    if (current == id || (current == 0 && LONGS.compareAndSet(slots, owner, 0L, id))) {
      LONGS.setOpaque(slots, owner + 1, (long) LONGS.getOpaque(slots, owner + 1) + count);
    } else {
      others.add(count);
    }
  }

  long sum() {
    long base = baseline; // first: a total read after it includes everything the baseline counted
    return total() - base;
  }

  void reset() {
    baseline = total();
  }

  private long total() {
    long sum = others.sum();
    for (int owner = 0; owner < slots.length; owner += STRIDE) {
      sum += (long) LONGS.getOpaque(slots, owner + 1);
    }
    return sum;
  }

  @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19; getId() is the same number on 17
  private static long threadId() {
    return Thread.currentThread().getId();
  }
}
