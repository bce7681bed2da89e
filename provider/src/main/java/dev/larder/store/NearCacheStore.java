package dev.larder.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A near tier in this JVM's memory in front of a remote store, for reads that may be a little stale.
 *
 * <p><b>Exact within this JVM.</b> Every write through this store (put, compute, the batch forms,
 * get-or-compute, clear) goes to the remote store and then replaces or drops the near entry. A read
 * that missed puts what it fetched into the near tier only if no write of the same key started in this
 * JVM meanwhile: the key holds a token while a read or a write is under way, a write replaces any
 * reader's token with its own, and an insert is a compare-and-set against the token it started with. So
 * no read can put back a value older than a write this JVM made.
 *
 * <p><b>Bounded staleness across JVMs.</b> memcached tells nobody about another JVM's write, so a near
 * entry is served only while it is younger than {@code maxStalenessNanos} (counted from when it was
 * fetched) and never past its own deadline; after that the next read fetches it again. Another JVM's
 * write becomes visible here within {@code maxStalenessNanos}.
 *
 * <p>When the remote store fails and its failure policy answers misses, near entries stay servable up
 * to their staleness bound; after it, the reads are the remote store's misses.
 */
public final class NearCacheStore<K, V> implements Store<K, V> {

  /** What the near tier holds for a key: an entry, a read under way, or the writes under way. */
  private sealed interface Slot permits Near, Reading, Writes {
  }

  private record Near<V>(StoreEntry<V> entry, long fetchedAtNanos) implements Slot {
  }

  /** A read that missed and may put what it fetched; compared by identity, as {@code Object} does. */
  private static final class Reading implements Slot {
  }

  /**
   * The writes of one key under way in this JVM (changed only inside the map's atomic compute). The
   * last to finish settles the key; if two overlapped, the remote store may have applied them in either
   * order, so it settles nothing and the next read fetches the key.
   */
  private static final class Writes implements Slot {
    int inFlight = 1;
    boolean overlapped;
  }

  private final Store<K, V> remote;
  private final Cache<K, Slot> near;
  private final ConcurrentMap<K, Slot> slots;
  private final long maxStalenessNanos;
  private final LongSupplier nanoTime;
  private final LongSupplier wallMillis;
  private final LongAdder nearHits = new LongAdder();
  private final LongAdder remoteReads = new LongAdder();

  /**
   * @param nanoTime the ticker staleness is measured with ({@code System::nanoTime}; a fake in tests)
   * @param wallMillis the clock entries' deadlines are checked against (Larder's {@code Clock::now})
   */
  public NearCacheStore(Store<K, V> remote, long maximumSize, long maxStalenessNanos, LongSupplier nanoTime,
      LongSupplier wallMillis) {
    if (maximumSize <= 0 || maxStalenessNanos <= 0) {
      throw new IllegalArgumentException("A near cache needs a positive maximum size and staleness, was "
          + maximumSize + " entries and " + maxStalenessNanos + " ns");
    }
    this.remote = remote;
    // evictions on the calling thread: the bound holds when a write returns, no pool thread is used
    this.near = Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).build();
    this.slots = near.asMap();
    this.maxStalenessNanos = maxStalenessNanos;
    this.nanoTime = nanoTime;
    this.wallMillis = wallMillis;
  }

  @Override
  public StoreEntry<V> get(K key) {
    Slot slot = slots.get(key);
    StoreEntry<V> served = servable(slot);
    if (served != null) {
      nearHits.increment();
      return served;
    }
    Reading reading = new Reading();
    boolean mine = slot == null ? slots.putIfAbsent(key, reading) == null
        : slot instanceof Near && slots.replace(key, slot, reading);
    StoreEntry<V> fetched;
    try {
      remoteReads.increment();
      fetched = remote.get(key);
    } catch (RuntimeException | Error e) {
      if (mine) {
        slots.remove(key, reading);
      }
      throw e;
    }
    if (mine) {
      settle(key, reading, fetched);
    }
    return fetched;
  }

  @Override
  public Map<K, StoreEntry<V>> getAll(Set<? extends K> keys) {
    Map<K, StoreEntry<V>> found = new HashMap<>(Math.max(4, keys.size() * 2));
    Set<K> missing = new HashSet<>();
    for (K key : keys) {
      StoreEntry<V> served = servable(slots.get(key));
      if (served != null) {
        nearHits.increment();
        found.put(key, served);
      } else {
        missing.add(key);
      }
    }
    if (!missing.isEmpty()) {
      // Not put into the near tier: a batch read has no token per key (the next single read will).
      remoteReads.add(missing.size());
      found.putAll(remote.getAll(missing));
    }
    return found;
  }

  @Override
  public StoreEntry<V> compute(K key, Remapping<K, V> remapping) {
    return write(key, () -> remote.compute(key, remapping), written -> written);
  }

  @Override
  public StoreEntry<V> put(K key, StoreEntry<V> entry) {
    return write(key, () -> remote.put(key, entry), previous -> entry);
  }

  @Override
  public Map<K, StoreEntry<V>> computeAll(Set<? extends K> keys, Remapping<K, V> remapping) {
    Map<K, Writes> writing = new HashMap<>(Math.max(4, keys.size() * 2));
    for (K key : keys) {
      writing.put(key, startWrite(key));
    }
    Map<K, StoreEntry<V>> results;
    try {
      results = remote.computeAll(keys, remapping);
    } catch (RuntimeException | Error e) {
      writing.forEach((key, writes) -> finishWrite(key, writes, null, true));
      throw e;
    }
    writing.forEach((key, writes) -> finishWrite(key, writes, results.get(key), false));
    return results;
  }

  @Override
  public Computed<V> getOrCompute(K key, Function<K, StoreEntry<V>> compute, long refreshAheadMillis,
      long waitMillis) {
    StoreEntry<V> served = servable(slots.get(key));
    long now = wallMillis.getAsLong();
    if (served != null && (refreshAheadMillis <= 0 || served.expiresAt() - now > refreshAheadMillis)) {
      nearHits.increment();
      return new Computed<>(served, false, null);
    }
    // it may write: no read may settle an older value meanwhile
    return write(key, () -> {
      remoteReads.increment();
      return remote.getOrCompute(key, compute, refreshAheadMillis, waitMillis);
    }, Computed::entry);
  }

  @Override
  public Iterator<Map.Entry<K, StoreEntry<V>>> entries() {
    return remote.entries();
  }

  @Override
  public void clear() {
    near.invalidateAll();
    try {
      remote.clear();
    } finally {
      near.invalidateAll(); // reads that raced the clear
    }
  }

  @Override
  public void close() {
    near.invalidateAll();
    remote.close();
  }

  @Override
  public void removedAllListed() {
    try {
      remote.removedAllListed();
    } finally {
      near.invalidateAll(); // whatever the remote store dropped unlisted, this JVM must not serve either
    }
  }

  @Override
  public dev.larder.expiry.TimeSource time() {
    return remote.time();
  }

  @Override
  public Runnable carryCallerContext(Runnable task) {
    return remote.carryCallerContext(task);
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    return remote.unwrap(type);
  }

  /** Reads answered from the near tier. */
  public long nearHits() {
    return nearHits.sum();
  }

  /** Reads that went to the remote store (missed, stale, or racing a write). */
  public long remoteReads() {
    return remoteReads.sum();
  }

  /** Entries and tokens held now (an estimate, as Caffeine's). */
  public long nearSize() {
    return near.estimatedSize();
  }

  public long maxStalenessMillis() {
    return maxStalenessNanos / 1_000_000;
  }

  /** The entry of a slot, if it may be served now: young enough, and not past its own deadline. */
  private StoreEntry<V> servable(Slot slot) {
    if (slot instanceof Near<?> held && nanoTime.getAsLong() - held.fetchedAtNanos() < maxStalenessNanos) {
      @SuppressWarnings("unchecked")
      StoreEntry<V> entry = (StoreEntry<V>) held.entry();
      if (!entry.isExpiredAt(wallMillis.getAsLong())) {
        return entry;
      }
    }
    return null;
  }

  /** Drops the near entry and any read's claim on the key, and counts this write in. */
  private Writes startWrite(K key) {
    Slot slot = slots.compute(key, (k, current) -> {
      if (current instanceof Writes writes) {
        writes.inFlight++;
        writes.overlapped = true;
        return writes;
      }
      return new Writes();
    });
    return (Writes) slot;
  }

  /**
   * One write of the key through to the remote store: {@code written} says what the key holds after
   * it, which the last write of the key to finish puts near.
   */
  private <R> R write(K key, java.util.function.Supplier<R> write, Function<R, StoreEntry<V>> written) {
    Writes writing = startWrite(key);
    R result;
    try {
      result = write.get();
    } catch (RuntimeException | Error e) {
      finishWrite(key, writing, null, true);
      throw e;
    }
    finishWrite(key, writing, written.apply(result), false);
    return result;
  }

  /** The last write of the key to finish puts what the remote store now holds, unless writes overlapped. */
  private void finishWrite(K key, Writes writing, StoreEntry<V> entry, boolean failed) {
    slots.compute(key, (k, current) -> {
      if (current != writing) {
        return current; // cleared meanwhile
      }
      if (failed) {
        writing.overlapped = true;
      }
      if (--writing.inFlight > 0) {
        return writing;
      }
      return writing.overlapped || !fresh(entry) ? null : new Near<>(entry, nanoTime.getAsLong());
    });
  }

  /** A read's result, unless a write of the key started meanwhile (it took the key from the read). */
  private void settle(K key, Reading reading, StoreEntry<V> entry) {
    if (fresh(entry)) {
      slots.replace(key, reading, new Near<>(entry, nanoTime.getAsLong()));
    } else {
      slots.remove(key, reading);
    }
  }

  private boolean fresh(StoreEntry<V> entry) {
    return entry != null && !entry.isExpiredAt(wallMillis.getAsLong());
  }

  @Override
  public String toString() {
    return "NearCacheStore{" + remote + ", max staleness " + maxStalenessMillis() + " ms}";
  }
}
