package dev.larder;

import java.time.Duration;
import java.util.function.Function;
import javax.cache.Cache;

/**
 * Larder's API beyond the standard, reached with {@code cache.unwrap(LarderCache.class)}: the classic
 * "get it; if absent, compute it and keep it for five minutes" of web-framework caches.
 */
public interface LarderCache<K, V> extends Cache<K, V> {

  /**
   * Puts the value with its own timeout, whatever the cache's expiry policy says: the classic
   * {@code set(key, value, timeout)}. Listeners, writer and statistics see an ordinary put.
   *
   * @param timeout how long the entry lives; zero stores nothing (it would be expired at once)
   * @throws IllegalArgumentException if the timeout is negative
   */
  void put(K key, V value, Duration timeout);

  /**
   * Returns the key's value, or computes it, keeps it for {@code timeout} (counted from when the
   * computation has returned: a slow one does not shorten the time its value is kept) and returns it.
   * Concurrent callers for the same missing key wait for the one computation instead of repeating it. A
   * {@code null} from {@code compute} is returned and nothing is stored. The computation does not go
   * through the cache writer (it is a cached result, not a write) but fires a CREATED event.
   *
   * @throws javax.cache.integration.CacheLoaderException wrapping what {@code compute} threw
   */
  V get(K key, Function<? super K, ? extends V> compute, Duration timeout);
}
