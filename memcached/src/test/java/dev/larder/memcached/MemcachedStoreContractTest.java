package dev.larder.memcached;

import dev.larder.store.Store;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreContract;
import dev.larder.store.StoreEntry;
import org.junit.jupiter.api.Nested;

/** The store contract on memcached (3 servers on loopback), plain, behind the near tier, and under the miss policy. */
class MemcachedStoreContractTest {

  /** A key prefix of this run's: the servers are shared between runs. */
  private static final String PREFIX = "contract" + Long.toString(System.nanoTime(), 36);

  static <K, V> Store<K, V> open(MemcachedSettings settings, String cacheName, Class<K> keyType, Class<V> valueType) {
    return MemcachedStoreFactory.of(settings).create(new StoreContext<>("contract", cacheName, -1, -1, null,
        new StoreContext.StoreListener<K, V>() {
          @Override
          public void expired(K key, StoreEntry<V> entry) {
          }

          @Override
          public void evicted(K key, StoreEntry<V> entry) {
          }
        }, MemcachedStoreContractTest.class.getClassLoader(), keyType, valueType));
  }

  @Nested
  class Plain extends StoreContract {
    @Override
    protected <K, V> Store<K, V> open(String cacheName, Class<K> keyType, Class<V> valueType) {
      return MemcachedStoreContractTest.open(MemcachedSettings.servers(MemcachedServers.shared()).withPrefix(PREFIX),
          cacheName, keyType, valueType);
    }

    @Override
    protected boolean shared() {
      return true;
    }
  }

  @Nested
  class BehindTheNearTier extends StoreContract {
    /** The near tier's ticker, advanced by the test: its staleness bound (1 ms) passes when told to. */
    private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

    @Override
    protected <K, V> Store<K, V> open(String cacheName, Class<K> keyType, Class<V> valueType) {
      Store<K, V> remote = MemcachedStoreContractTest.open(MemcachedSettings.servers(MemcachedServers.shared())
          .withPrefix(PREFIX + "near"), cacheName, keyType, valueType);
      return new dev.larder.store.NearCacheStore<>(remote, 1000, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1),
          nanos::get, dev.larder.expiry.Clock::now);
    }

    @Override
    protected void letStalenessPass() {
      nanos.addAndGet(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2));
    }

    @Override
    protected boolean shared() {
      return true;
    }
  }

  @Nested
  class UnderTheMissPolicy extends StoreContract {
    @Override
    protected <K, V> Store<K, V> open(String cacheName, Class<K> keyType, Class<V> valueType) {
      return MemcachedStoreContractTest.open(MemcachedSettings.servers(MemcachedServers.shared())
          .withPrefix(PREFIX + "miss").withFailuresAsMisses(true), cacheName, keyType, valueType);
    }

    @Override
    protected boolean shared() {
      return true;
    }
  }
}
