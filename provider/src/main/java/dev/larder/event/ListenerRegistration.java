package dev.larder.event;

import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;

/** One registered listener: its configuration, the instances its factories made, its event order. */
final class ListenerRegistration<K, V> {

  final CacheEntryListenerConfiguration<K, V> configuration;
  final CacheEntryListener<? super K, ? super V> listener;
  private final CacheEntryEventFilter<? super K, ? super V> filter;
  final boolean synchronous;
  final boolean oldValueRequired;
  private final boolean created;
  private final boolean updated;
  private final boolean removed;
  private final boolean expired;
  /** The tail of each key's chain of asynchronous deliveries, so one key's events arrive in order. */
  final ConcurrentMap<Object, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

  ListenerRegistration(CacheEntryListenerConfiguration<K, V> configuration) {
    this.configuration = configuration;
    Factory<CacheEntryListener<? super K, ? super V>> listenerFactory = configuration.getCacheEntryListenerFactory();
    if (listenerFactory == null) {
      throw new IllegalArgumentException("The CacheEntryListenerConfiguration has no listener factory");
    }
    this.listener = listenerFactory.create();
    Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory = configuration.getCacheEntryEventFilterFactory();
    this.filter = filterFactory == null ? null : filterFactory.create();
    this.synchronous = configuration.isSynchronous();
    this.oldValueRequired = configuration.isOldValueRequired();
    this.created = listener instanceof CacheEntryCreatedListener;
    this.updated = listener instanceof CacheEntryUpdatedListener;
    this.removed = listener instanceof CacheEntryRemovedListener;
    this.expired = listener instanceof CacheEntryExpiredListener;
  }

  boolean wants(EventType type) {
    return switch (type) {
      case CREATED -> created;
      case UPDATED -> updated;
      case REMOVED -> removed;
      case EXPIRED -> expired;
    };
  }

  /** The event as this listener may see it: old values only when it asked for them. */
  CacheEntryEvent<K, V> event(Cache<K, V> source, EventType type, K key, V value, V oldValue) {
    return switch (type) {
      case CREATED -> new LarderCacheEntryEvent<>(source, type, key, value, null, false);
      case UPDATED -> oldValueRequired
          ? new LarderCacheEntryEvent<>(source, type, key, value, oldValue, true)
          : new LarderCacheEntryEvent<>(source, type, key, value, null, false);
      case REMOVED, EXPIRED -> oldValueRequired
          ? new LarderCacheEntryEvent<>(source, type, key, oldValue, oldValue, true)
          : new LarderCacheEntryEvent<>(source, type, key, null, null, false);
    };
  }

  boolean accepts(CacheEntryEvent<K, V> event) {
    return filter == null || filter.evaluate(event);
  }

  @SuppressWarnings("unchecked")
  void deliver(CacheEntryEvent<K, V> event) {
    Iterable<CacheEntryEvent<? extends K, ? extends V>> events = List.of(event);
    switch (event.getEventType()) {
      case CREATED -> ((CacheEntryCreatedListener<K, V>) listener).onCreated(events);
      case UPDATED -> ((CacheEntryUpdatedListener<K, V>) listener).onUpdated(events);
      case REMOVED -> ((CacheEntryRemovedListener<K, V>) listener).onRemoved(events);
      case EXPIRED -> ((CacheEntryExpiredListener<K, V>) listener).onExpired(events);
    }
  }

  void close() {
    closeQuietly(listener);
    closeQuietly(filter);
  }

  static void closeQuietly(Object resource) {
    if (resource instanceof AutoCloseable closeable) { // Closeable included
      try {
        closeable.close();
      } catch (Exception e) {
        LoggerFactory.getLogger(ListenerRegistration.class).warn("Closing " + resource.getClass().getName() + " failed", e);
      }
    }
  }
}
