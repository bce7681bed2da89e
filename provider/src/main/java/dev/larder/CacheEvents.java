package dev.larder;

import dev.larder.event.EventDispatcher;
import dev.larder.management.CacheStatistics;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreEntry;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of one cache: what an {@link Outcome} reports, published once the store has committed it
 * (right for a store that retries: only the run that won is reported), with store-by-value's copies of
 * the values; and what the store reports on its own (an entry that expired or was evicted there).
 */
final class CacheEvents<K, V> implements StoreContext.StoreListener<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(CacheEvents.class);

  private final EventDispatcher<K, V> dispatcher;
  private final Copies copies;
  private final CacheStatistics statistics;
  private final String cacheName;
  private final KeyOrder order = new KeyOrder();
  /** The cache the events name as their source; set once it exists (the store is built before it). */
  private volatile Cache<K, V> source;

  CacheEvents(EventDispatcher<K, V> dispatcher, Copies copies, CacheStatistics statistics, String cacheName) {
    this.dispatcher = dispatcher;
    this.copies = copies;
    this.statistics = statistics;
    this.cacheName = cacheName;
  }

  void publishedAs(Cache<K, V> cache) {
    this.source = cache;
  }

  boolean anyListener() {
    return dispatcher.hasListeners();
  }

  /**
   * Runs a commit and the publication of its events in the key's order among this JVM's writers of the
   * key, while the cache has listeners ({@link KeyOrder}); else just runs it.
   */
  <T> T inKeyOrder(K key, java.util.function.Supplier<T> commitAndPublish) {
    return anyListener() ? order.inOrder(key, commitAndPublish) : commitAndPublish.get();
  }

  /** {@link #inKeyOrder} for a batch of keys. */
  void inKeyOrderAll(java.util.Collection<K> keys, Runnable commitAndPublish) {
    if (anyListener()) {
      order.inOrderAll(keys, commitAndPublish);
    } else {
      commitAndPublish.run();
    }
  }

  /**
   * Publishes what the outcome recorded: an entry it found past its deadline (EXPIRED), then what it
   * did. A failing synchronous listener's exception surfaces after both have been published.
   */
  void publish(K key, Outcome<V> outcome) {
    if (!dispatcher.hasListeners()) {
      return;
    }
    RuntimeException failure = null;
    if (outcome.expired() != null) {
      try {
        publishExpired(key, outcome.expired());
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (outcome.event() != null) {
      dispatcher.publish(source, outcome.event(), key, copies.out(outcome.value()), copies.out(outcome.old()));
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** An entry found past its deadline and dropped by a read. */
  void publishExpired(K key, StoreEntry<V> entry) {
    if (dispatcher.hasListeners()) {
      dispatcher.publish(source, EventType.EXPIRED, key, null, copies.out(entry.value()));
    }
  }

  @Override
  public void expired(K key, StoreEntry<V> entry) {
    if (!dispatcher.hasListeners()) {
      return;
    }
    try {
      publishExpired(copies.out(key), entry);
    } catch (RuntimeException e) {
      LOG.warn("A listener failed on the expiry of a key of cache " + cacheName, e);
    }
  }

  @Override
  public void evicted(K key, StoreEntry<V> entry) {
    statistics.recordEviction();
  }

  void register(CacheEntryListenerConfiguration<K, V> listener) {
    dispatcher.register(listener);
  }

  boolean deregister(CacheEntryListenerConfiguration<K, V> listener) {
    return dispatcher.deregister(listener);
  }

  /** Closes every listener; none is called afterwards (so the store's late reports go nowhere). */
  void close() {
    dispatcher.close();
  }
}
