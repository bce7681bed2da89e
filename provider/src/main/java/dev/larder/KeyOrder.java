package dev.larder;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Keeps each key's events in the order the key's writes committed, as JCache requires of synchronous
 * listeners ("fired, for a given key, in the order that events occur") and of asynchronous ones: a
 * commit and the publication of its events run under the key's lock. Events are published after the
 * commit (a store that retries reports only the run that won), so without it two threads writing one
 * key could publish in the other order: Lincheck found an UPDATED delivered before the CREATED it
 * replaced. Used only while the cache has listeners.
 *
 * <p>One lock per hash code, not per key: a batch takes its keys' locks in ascending hash order, so two
 * batches cannot deadlock; distinct keys with one hash code share a lock. Locks are reentrant (a
 * synchronous listener may write the key it hears about) and exist only while in use.
 */
final class KeyOrder {

  private static final class Holder {
    final ReentrantLock lock = new ReentrantLock();
    /** Threads holding or waiting for the lock; changed only inside the map's compute. */
    int users;
  }

  private final ConcurrentHashMap<Integer, Holder> locks = new ConcurrentHashMap<>();

  /** Runs {@code work} holding the key's lock. */
  <T> T inOrder(Object key, Supplier<T> work) {
    int hash = key.hashCode();
    Holder holder = acquire(hash);
    try {
      return work.get();
    } finally {
      release(hash, holder);
    }
  }

  /** Runs {@code work} holding the locks of all the keys, taken in ascending hash order. */
  void inOrderAll(Collection<?> keys, Runnable work) {
    int[] hashes = keys.stream().mapToInt(Object::hashCode).sorted().distinct().toArray();
    Holder[] held = new Holder[hashes.length];
    int taken = 0;
    try {
      for (; taken < hashes.length; taken++) {
        held[taken] = acquire(hashes[taken]);
      }
      work.run();
    } finally {
      for (int i = taken - 1; i >= 0; i--) {
        release(hashes[i], held[i]);
      }
    }
  }

  private Holder acquire(int hash) {
    Holder holder = locks.compute(hash, (h, current) -> {
      Holder next = current == null ? new Holder() : current;
      next.users++;
      return next;
    });
    holder.lock.lock();
    return holder;
  }

  private void release(int hash, Holder holder) {
    holder.lock.unlock();
    locks.computeIfPresent(hash, (h, current) -> --current.users == 0 ? null : current);
  }

  /** How many hash codes have a lock now (for tests: none once every caller is done). */
  int size() {
    return locks.size();
  }
}
