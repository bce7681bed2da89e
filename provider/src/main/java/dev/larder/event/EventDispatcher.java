package dev.larder.event;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.EventType;

/**
 * Delivers a cache's events to its registered listeners: synchronous ones on the caller's thread before
 * the operation returns, asynchronous ones on the executor, each key's events in the order they happened.
 * When nobody listens, {@link #hasListeners} is false and the cache skips event work entirely.
 */
public final class EventDispatcher<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  private final Executor executor;
  private volatile List<ListenerRegistration<K, V>> registrations = List.of();

  public EventDispatcher(Executor executor) {
    this.executor = executor;
  }

  public boolean hasListeners() {
    return !registrations.isEmpty();
  }

  /** Whether any listener wants events of this type (so the caller can skip copying values). */
  public boolean wants(EventType type) {
    for (ListenerRegistration<K, V> registration : registrations) {
      if (registration.wants(type)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Registers a listener.
   *
   * @throws IllegalArgumentException if this configuration is already registered
   */
  public synchronized void register(CacheEntryListenerConfiguration<K, V> configuration) {
    for (ListenerRegistration<K, V> registration : registrations) {
      if (registration.configuration.equals(configuration)) {
        throw new IllegalArgumentException("This CacheEntryListenerConfiguration is already registered");
      }
    }
    List<ListenerRegistration<K, V>> next = new ArrayList<>(registrations);
    next.add(new ListenerRegistration<>(configuration));
    registrations = List.copyOf(next);
  }

  /** Deregisters a listener and closes it; returns whether the configuration was registered. */
  public synchronized boolean deregister(CacheEntryListenerConfiguration<K, V> configuration) {
    List<ListenerRegistration<K, V>> next = new ArrayList<>(registrations);
    for (ListenerRegistration<K, V> registration : registrations) {
      if (registration.configuration.equals(configuration)) {
        next.remove(registration);
        registrations = List.copyOf(next);
        registration.close();
        return true;
      }
    }
    return false;
  }

  /**
   * Publishes one event. Exceptions from synchronous listeners surface here, after every listener has
   * had the event: a {@link CacheEntryListenerException} as it is, any other runtime exception wrapped
   * in one; an {@link Error} is never wrapped.
   *
   * @param value the new value (CREATED, UPDATED)
   * @param oldValue the previous value (UPDATED, REMOVED, EXPIRED)
   */
  public void publish(Cache<K, V> source, EventType type, K key, V value, V oldValue) {
    RuntimeException failure = null;
    for (ListenerRegistration<K, V> registration : registrations) {
      if (!registration.wants(type)) {
        continue;
      }
      CacheEntryEvent<K, V> event = registration.event(source, type, key, value, oldValue);
      if (registration.synchronous) {
        try {
          if (registration.accepts(event)) {
            registration.deliver(event);
          }
        } catch (CacheEntryListenerException e) {
          failure = failure == null ? e : failure;
        } catch (RuntimeException e) {
          failure = failure == null ? new CacheEntryListenerException(e) : failure;
        }
      } else {
        deliverAsync(registration, key, event);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the clean-up stage itself cannot fail: it removes a map entry
  private void deliverAsync(ListenerRegistration<K, V> registration, K key, CacheEntryEvent<K, V> event) {
    Runnable task = () -> {
      try {
        if (registration.accepts(event)) {
          registration.deliver(event);
        }
      } catch (RuntimeException e) {
        LOG.warn("An asynchronous cache entry listener failed on " + event, e);
      }
    };
    CompletableFuture<Void>[] mine = newFutureHolder();
    registration.pending.compute(key, (k, tail) -> {
      CompletableFuture<Void> next = tail == null
          ? CompletableFuture.runAsync(task, executor)
          : tail.thenRunAsync(task, executor);
      mine[0] = next;
      return next;
    });
    mine[0].whenComplete((ignored, error) -> registration.pending.remove(key, mine[0]));
  }

  @SuppressWarnings("unchecked")
  private static CompletableFuture<Void>[] newFutureHolder() {
    return new CompletableFuture[1];
  }

  /** Closes every listener and filter that is {@code Closeable}; no event is delivered afterwards. */
  public synchronized void close() {
    for (ListenerRegistration<K, V> registration : registrations) {
      registration.close();
    }
    registrations = List.of();
  }

  /** Waits (bounded) for the asynchronous deliveries under way; for orderly shutdown and tests. */
  public void awaitQuiescence(long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    for (ListenerRegistration<K, V> registration : registrations) {
      for (CompletableFuture<Void> future : registration.pending.values()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return;
        }
        try {
          future.get(left, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the caller asked to stop waiting: keep its interrupt
          return;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          // a listener failure was already logged; a timeout ends the wait
        }
      }
    }
  }
}
