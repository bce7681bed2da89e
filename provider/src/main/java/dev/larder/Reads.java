package dev.larder;

import dev.larder.expiry.ExpiryCalculator;
import dev.larder.expiry.TimeSource;
import dev.larder.management.CacheStatistics;
import dev.larder.store.Store;
import dev.larder.store.StoreEntry;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The one read path, for {@code get}, {@code get(key, compute, timeout)}, {@code getAll} and the
 * iterator: a live entry is a hit (refreshed ahead of its deadline, or given its access deadline), an
 * expired or absent one a miss (loaded from the {@link Loads.Source}, or, with none, dropped and
 * reported EXPIRED). A hit on a by-reference cache without access expiry allocates nothing.
 */
final class Reads<K, V> {

  private final Store<K, V> store;
  /** The store's read for {@link #get} ({@link Store#reader}): in process, the table itself. */
  private final Store.Reader<K, V> reader;
  private final TimeSource time;
  private final ExpiryCalculator expiry;
  private final Copies copies;
  private final CacheStatistics statistics;
  private final CacheEvents<K, V> events;
  private final Loads<K, V> loads;
  /**
   * Whether a hit may do more than return the value (refresh ahead, access expiry): taken once, so that
   * the common hit is one store read, one deadline check and the value, within the JIT's inlining depth.
   */
  private final boolean hitsDoMore;

  Reads(Store<K, V> store, TimeSource time, Rules<K, V> rules, CacheStatistics statistics,
      CacheEvents<K, V> events, Loads<K, V> loads) {
    this.store = store;
    this.reader = store.reader();
    this.time = time;
    this.expiry = rules.expiry();
    this.copies = rules.copies();
    this.statistics = statistics;
    this.events = events;
    this.loads = loads;
    this.hitsDoMore = loads.refreshesAhead() || expiry.consultsOnAccess();
  }

  /** The key's value, counted as one get (timed in the warm-up, then one in {@link CacheStatistics#SAMPLE}). */
  V get(K key, Loads.Source<K, V> source) {
    long start = statistics.startSampledTimer();
    StoreEntry<V> entry = reader.get(key);
    if (entry != null && isLive(entry)) {
      V value = hitsDoMore ? hit(key, entry, source) : copies.out(entry.value());
      statistics.recordGet(true, start);
      return value;
    }
    // A concurrent caller's computation may serve this one; it is still a miss to this caller.
    V value = miss(key, entry, source);
    statistics.recordGet(false, start);
    return value;
  }

  /** The keys' values, in one read of the store; what it misses is loaded in one call of the loader. */
  Map<K, V> getAll(Set<? extends K> keys, Loads.Source<K, V> source) {
    long start = statistics.startTimer();
    Map<K, StoreEntry<V>> found = store.getAll(keys);
    Map<K, V> result = new HashMap<>(Math.max(4, keys.size() * 2));
    Set<K> missing = new LinkedHashSet<>();
    for (K key : keys) {
      StoreEntry<V> entry = found.get(key);
      if (entry != null && isLive(entry)) {
        result.put(key, hit(key, entry, source));
      } else {
        if (entry != null) {
          expire(key, entry);
        }
        missing.add(key);
      }
    }
    if (source.loads() && !missing.isEmpty()) {
      loads.readThroughAll(missing, result);
    }
    statistics.recordGets(keys.size() - missing.size(), missing.size(), start);
    return result;
  }

  boolean containsKey(K key) {
    StoreEntry<V> entry = store.get(key);
    return entry != null && isLive(entry);
  }

  /** An entry the iterator returns: a hit, with no load. */
  V iterated(K key, StoreEntry<V> entry) {
    V value = hit(key, entry, Loads.Source.none());
    statistics.recordHitOrMiss(true);
    return value;
  }

  /**
   * Whether a hit is the stored value itself: no refresh ahead, no access expiry, no copy. With
   * statistics off, a get is then a store read, this deadline check and either the value or {@link #miss}.
   */
  boolean hitsArePlain() {
    return !hitsDoMore && copies == Copies.BY_REFERENCE;
  }

  boolean isLive(StoreEntry<V> entry) {
    long deadline = entry.expiresAt();
    return deadline == StoreEntry.NEVER || deadline > time.millis(); // no clock read for an eternal entry
  }

  private V hit(K key, StoreEntry<V> entry, Loads.Source<K, V> source) {
    if (loads.shouldRefresh(key, entry.expiresAt(), source)) {
      return loads.refresh(key, source, entry);
    }
    if (expiry.consultsOnAccess()) {
      touch(key, entry);
    }
    return copies.out(entry.value());
  }

  /** A read that found no live entry (null, or the expired {@code entry}); counted by the caller. */
  V miss(K key, StoreEntry<V> entry, Loads.Source<K, V> source) {
    if (source.loads()) {
      return loads.loadOnce(key, source); // reports the expired entry it replaces
    }
    if (entry != null) {
      expire(key, entry);
    }
    return null;
  }

  /**
   * Gives the entry a hit read its access deadline, if the key still holds that entry: a write landing
   * between the read and this keeps its own creation or update deadline.
   */
  private void touch(K key, StoreEntry<V> read) {
    long now = time.millis();
    long deadline = expiry.accessDeadline(now);
    if (deadline == ExpiryCalculator.UNCHANGED || read.isExpiredAt(now)) {
      return;
    }
    store.replaceIfSame(key, read, read.withExpiresAt(deadline));
  }

  /**
   * Removes the expired entry a read found, reporting it as EXPIRED, if the key still holds it (a write
   * since replaced it: nothing to expire).
   */
  private void expire(K key, StoreEntry<V> read) {
    events.inKeyOrder(key, () -> {
      if (store.replaceIfSame(key, read, null)) {
        events.publishExpired(key, read);
      }
      return null;
    });
  }
}
