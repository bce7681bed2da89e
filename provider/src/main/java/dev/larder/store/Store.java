package dev.larder.store;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The one storage interface every backend implements. It knows values, deadlines and atomic per-key
 * updates; all JCache semantics (events, statistics, loaders and writers, expiry policies, copying)
 * live above it, in {@code dev.larder}, once (its {@code Operations}, run by its {@code OperationRunner}).
 *
 * <p>Made to fit a remote store as well as an in-process one:
 * <ul>
 *   <li>{@link #compute} is the only mutation. A remote store implements it as read-with-CAS, apply,
 *       write-with-CAS, retry on conflict: the function may run more than once and must leave the result
 *       of its last run as the only one that counts (the cache layer resets its per-call record on every
 *       run).</li>
 *   <li>{@link #getAll} is one call so that a remote store can answer it in one round trip per server.</li>
 *   <li>{@link #entries} may be expensive; the cache only uses it for iteration and {@code removeAll()}.</li>
 *   <li>A store may return entries whose deadline has passed: the cache layer, not the store, decides
 *       what an expired entry means (an EXPIRED event, a miss).</li>
 * </ul>
 *
 * @param <K> the key type, as stored (already copied for store-by-value)
 * @param <V> the value type, as stored
 */
public interface Store<K, V> extends AutoCloseable {

  /** The entry for the key, possibly already expired, or {@code null}. */
  StoreEntry<V> get(K key);

  /**
   * What the cache's plain get calls instead of {@link #get}: the same read, handed out once so that a
   * store can give the object that does it (the in-process store its table) and a hit is one call from
   * the cache to the table. The default is this store's own {@link #get}; a store that wraps another and
   * does anything in its {@code get} (a near tier, a failure policy) must keep that default.
   */
  default Reader<K, V> reader() {
    return this::get;
  }

  /** The entries present for the given keys (possibly expired); absent keys are left out. */
  Map<K, StoreEntry<V>> getAll(Set<? extends K> keys);

  /**
   * {@link #getAll} one {@link #get} at a time: for a store whose reads are local, and for a fallback
   * that reads key by key what still answers.
   */
  static <K, V> Map<K, StoreEntry<V>> getEach(Store<K, V> store, Set<? extends K> keys) {
    Map<K, StoreEntry<V>> found = new java.util.HashMap<>(Math.max(4, keys.size() * 2));
    for (K key : keys) {
      StoreEntry<V> entry = store.get(key);
      if (entry != null) {
        found.put(key, entry);
      }
    }
    return found;
  }

  /**
   * Atomically replaces the key's entry by what {@code remapping} returns for it: the same instance
   * leaves the entry as it is, {@code null} removes it, another entry is written. Returns the entry the
   * key has afterwards.
   */
  StoreEntry<V> compute(K key, Remapping<K, V> remapping);

  /**
   * Writes the entry whatever the key held, and returns what it held (possibly expired), or null: the
   * blind write the cache uses when nothing needs the old entry before writing. The write is atomic; the
   * entry returned may be what the key held a moment before rather than exactly what the write replaced
   * (memcached reads and writes in one pipelined round trip, and another client's write may land
   * between): the cache uses it for nothing a caller sees ({@code getAndPut} goes through
   * {@link #compute}).
   */
  default StoreEntry<V> put(K key, StoreEntry<V> entry) {
    // The entry the last run replaced (the committed one, on a store that retries).
    final class Overwrite implements Remapping<K, V> {
      StoreEntry<V> previous;

      @Override
      public StoreEntry<V> apply(K k, StoreEntry<V> current) {
        previous = current;
        return entry;
      }
    }
    Overwrite overwrite = new Overwrite();
    compute(key, overwrite);
    return overwrite.previous;
  }

  /**
   * Replaces the key's entry by {@code replacement} ({@code null} removes it) only if the key still holds
   * the write {@code read} came from ({@link StoreEntry#isSameWriteAs}), and says whether it did: what the
   * cache does to the very entry a hit read (access expiry) or found expired. A remote store makes it
   * one write conditional on the version read: memcached one round trip instead of a read and a write.
   */
  default boolean replaceIfSame(K key, StoreEntry<V> read, StoreEntry<V> replacement) {
    java.util.concurrent.atomic.AtomicBoolean replaced = new java.util.concurrent.atomic.AtomicBoolean();
    compute(key, (k, current) -> {
      boolean same = current != null && current.isSameWriteAs(read);
      replaced.set(same); // set on every run: the last one counts
      return same ? replacement : current;
    });
    return replaced.get();
  }

  /**
   * {@link #compute} for each key, with the remapping told which key it is working on. A remote store
   * batches the reads and the writes (one round trip per server each) instead of one compute per key.
   * Each key is atomic on its own; the batch as a whole is not.
   *
   * @return each key's entry afterwards, null values included
   */
  default Map<K, StoreEntry<V>> computeAll(Set<? extends K> keys, Remapping<K, V> remapping) {
    Map<K, StoreEntry<V>> results = new java.util.HashMap<>(Math.max(4, keys.size() * 2));
    for (K key : keys) {
      results.put(key, compute(key, (k, current) -> remapping.apply(key, current)));
    }
    return results;
  }

  /**
   * The key's live entry, or the entry that one caller computes while the others wait for it: the
   * cache-aside read without stampedes. A store shared by several JVMs makes "one caller" hold across
   * them. The default holds within the store's own atomicity ({@link #compute}).
   *
   * @param compute makes the entry (value and deadline) for an absent or expired key; may return null
   * @param refreshAheadMillis when a live entry's deadline is this close, one caller recomputes it while
   *     the others keep getting the current value; 0 for never
   * @param waitMillis how long a caller waits for another's computation before computing itself
   */
  default Computed<V> getOrCompute(K key, java.util.function.Function<K, StoreEntry<V>> compute,
      long refreshAheadMillis, long waitMillis) {
    StoreEntry<V> found = get(key);
    long now = time().millis();
    if (found != null && !found.isExpiredAt(now)
        && (refreshAheadMillis <= 0 || found.expiresAt() - now > refreshAheadMillis)) {
      return new Computed<>(found, false, null);
    }
    boolean refresh = found != null && !found.isExpiredAt(now);
    // What the last run of the update did (the committed one, on a store that retries).
    final class Attempt implements Remapping<K, V> {
      boolean computed;
      StoreEntry<V> replaced;

      @Override
      public StoreEntry<V> apply(K k, StoreEntry<V> current) {
        long at = time().millis();
        computed = false;
        replaced = null;
        boolean live = current != null && !current.isExpiredAt(at);
        if (live && (!refresh || current.expiresAt() - at > refreshAheadMillis)) {
          return current; // another caller computed it meanwhile
        }
        replaced = current;
        StoreEntry<V> entry = compute.apply(k);
        computed = true;
        return entry;
      }
    }
    Attempt attempt = new Attempt();
    StoreEntry<V> entry = compute(key, attempt);
    return new Computed<>(entry, attempt.computed, attempt.replaced);
  }

  /** The time this store judges an entry live by: its context's (the default: the system's). */
  default dev.larder.expiry.TimeSource time() {
    return dev.larder.expiry.TimeSource.SYSTEM;
  }

  /**
   * What {@link #getOrCompute} returned: the entry (null if the computation returned null), whether
   * this caller computed it, and the entry it replaced (possibly expired), if any.
   */
  record Computed<V>(StoreEntry<V> entry, boolean computedHere, StoreEntry<V> replaced) {}

  /** Every entry (possibly expired), weakly consistent with concurrent changes. */
  Iterator<Map.Entry<K, StoreEntry<V>>> entries();

  /**
   * Told by {@code removeAll()} once it has removed every entry {@link #entries()} listed: a store whose
   * listing can miss entries (App Engine's key index may be evicted) drops the ones it could not list.
   * The default does nothing: the other stores list every entry.
   */
  default void removedAllListed() {
  }

  /** Removes every entry of this cache and nothing else; no event, no writer. */
  void clear();

  /** Releases the store's resources; the store is not used afterwards. */
  @Override
  void close();

  /**
   * The task, made to run on one of Larder's own threads with what the store needs of the thread that
   * hands it over, which calls this: App Engine's services only answer threads that carry the request's
   * API environment. Larder wraps every task it runs later (asynchronous listeners, {@code loadAll}) so.
   * The default is the task itself: the other stores need nothing of the caller's thread.
   */
  default Runnable carryCallerContext(Runnable task) {
    return task;
  }

  /** A store-specific view of itself, such as the engine behind it. */
  default <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("The store " + getClass().getName() + " is not a " + type.getName());
  }

  /** The read of {@link Store#get}, as {@link Store#reader} hands it out. */
  @FunctionalInterface
  interface Reader<K, V> {
    /** The entry for the key, possibly already expired, or {@code null}. */
    StoreEntry<V> get(K key);
  }

  /** The atomic per-key update of {@link Store#compute}. */
  @FunctionalInterface
  interface Remapping<K, V> {
    /**
     * The entry to leave under the key.
     *
     * @param current the key's entry, possibly expired, or {@code null}
     */
    StoreEntry<V> apply(K key, StoreEntry<V> current);
  }
}
