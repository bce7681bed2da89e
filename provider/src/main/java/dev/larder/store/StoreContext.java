package dev.larder.store;

/**
 * What a store is told about the cache it serves.
 *
 * @param managerName the cache manager's name, a namespace for remote stores that every JVM using the same
 *     name shares: the manager's URI, or for a manager configured by a file, the file's {@code larder.name}
 * @param cacheName the cache's name
 * @param maximumSize the maximum number of entries, or {@code -1} for no bound
 * @param maximumWeight the maximum total weight, or {@code -1} for no bound
 * @param weigher weighs an entry when {@code maximumWeight} is set
 * @param listener told about entries the store drops by itself (expired, evicted)
 * @param keyType the configured key type ({@code Object} if none)
 * @param valueType the configured value type ({@code Object} if none)
 * @param time what deadlines are set and checked against: the cache's time source (a test's fake one)
 */
public record StoreContext<K, V>(
    String managerName,
    String cacheName,
    long maximumSize,
    long maximumWeight,
    Weigher<? super K, ? super V> weigher,
    StoreListener<K, V> listener,
    ClassLoader classLoader,
    Class<K> keyType,
    Class<V> valueType,
    dev.larder.expiry.TimeSource time) {

  /** A context on the system's time. */
  public StoreContext(String managerName, String cacheName, long maximumSize, long maximumWeight,
      Weigher<? super K, ? super V> weigher, StoreListener<K, V> listener, ClassLoader classLoader, Class<K> keyType,
      Class<V> valueType) {
    this(managerName, cacheName, maximumSize, maximumWeight, weigher, listener, classLoader, keyType, valueType,
        dev.larder.expiry.TimeSource.SYSTEM);
  }

  /** Weighs one entry for a weight-bounded store. */
  @FunctionalInterface
  public interface Weigher<K, V> {
    long weigh(K key, V value);
  }

  /** Told about entries a store drops on its own, outside any call from the cache. */
  public interface StoreListener<K, V> {
    /** The entry was reclaimed after its deadline without anybody reading it. */
    void expired(K key, StoreEntry<V> entry);

    /** The entry was evicted to respect the size or weight bound. */
    void evicted(K key, StoreEntry<V> entry);
  }
}
