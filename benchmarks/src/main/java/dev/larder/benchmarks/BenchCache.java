package dev.larder.benchmarks;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import javax.cache.Cache;

/** The operations the benchmarks measure, over a JCache, raw Caffeine, or a plain map. */
interface BenchCache<K, V> {

  V get(K key);

  void put(K key, V value);

  Map<K, V> getAll(Set<K> keys);

  void putAll(Map<K, V> entries);

  static <K, V> BenchCache<K, V> of(Cache<K, V> cache) {
    return new BenchCache<>() {
      @Override
      public V get(K key) {
        return cache.get(key);
      }

      @Override
      public void put(K key, V value) {
        cache.put(key, value);
      }

      @Override
      public Map<K, V> getAll(Set<K> keys) {
        return cache.getAll(keys);
      }

      @Override
      public void putAll(Map<K, V> entries) {
        cache.putAll(entries);
      }
    };
  }

  static <K, V> BenchCache<K, V> of(com.github.benmanes.caffeine.cache.Cache<K, V> cache) {
    return new BenchCache<>() {
      @Override
      public V get(K key) {
        return cache.getIfPresent(key);
      }

      @Override
      public void put(K key, V value) {
        cache.put(key, value);
      }

      @Override
      public Map<K, V> getAll(Set<K> keys) {
        return cache.getAllPresent(keys);
      }

      @Override
      public void putAll(Map<K, V> entries) {
        cache.putAll(entries);
      }
    };
  }

  static <K, V> BenchCache<K, V> of(ConcurrentMap<K, V> map) {
    return new BenchCache<>() {
      @Override
      public V get(K key) {
        return map.get(key);
      }

      @Override
      public void put(K key, V value) {
        map.put(key, value);
      }

      @Override
      public Map<K, V> getAll(Set<K> keys) {
        Map<K, V> found = new java.util.HashMap<>();
        for (K key : keys) {
          V value = map.get(key);
          if (value != null) {
            found.put(key, value);
          }
        }
        return found;
      }

      @Override
      public void putAll(Map<K, V> entries) {
        map.putAll(entries);
      }
    };
  }
}
