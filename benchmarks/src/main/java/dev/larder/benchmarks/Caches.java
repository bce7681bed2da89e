package dev.larder.benchmarks;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.jcache.configuration.CaffeineConfiguration;
import dev.larder.configuration.LarderConfiguration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.cache2k.Cache2kBuilder;
import org.cache2k.jcache.ExtendedMutableConfiguration;
import org.cache2k.jcache.JCacheConfig;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.jsr107.Eh107Configuration;

/**
 * The caches under test. JCache providers are picked by class name (several are on the class path)
 * and driven through {@code javax.cache} only; provider-specific code is used only to give a peer the
 * capacity it needs (cache2k keeps 1,802 entries under a plain MutableConfiguration) or a bound.
 */
final class Caches {

  static final String LARDER = "larder";
  static final String CAFFEINE = "caffeine";
  static final String EHCACHE = "ehcache";
  static final String CACHE2K = "cache2k";
  static final String RI = "ri";
  /** Raw Caffeine core, not through JCache: the engine Larder and Caffeine JCache run on. */
  static final String CAFFEINE_CORE = "caffeine-core";
  /** A plain ConcurrentHashMap: the limit. */
  static final String CHM = "chm";

  private static final Map<String, String> PROVIDERS = Map.of(
      LARDER, "dev.larder.spi.LarderCachingProvider",
      CAFFEINE, "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider",
      EHCACHE, "org.ehcache.jsr107.EhcacheCachingProvider",
      CACHE2K, "org.cache2k.jcache.provider.JCacheProvider",
      RI, "org.jsr107.ri.spi.RICachingProvider");

  private Caches() {
  }

  /**
   * How a cache is configured: store by value or by reference, and a CreatedExpiryPolicy of
   * {@code expiryMillis} with statistics (1 hour in the benchmarks: nothing expires while measured).
   */
  record Setup(boolean byValue, boolean expiryAndStatistics, long expiryMillis) {
    Setup(boolean byValue, boolean expiryAndStatistics) {
      this(byValue, expiryAndStatistics, TimeUnit.HOURS.toMillis(1));
    }

    static Setup byReference() {
      return new Setup(false, false);
    }
  }

  static CacheManager manager(String name) {
    return Caching.getCachingProvider(PROVIDERS.get(name)).getCacheManager();
  }

  /** An unbounded cache (cache2k: with room for all {@code entries}). */
  static <K, V> BenchCache<K, V> create(String name, String cacheName, Class<K> keyType, Class<V> valueType,
      Setup setup, int entries) {
    if (name.equals(CAFFEINE_CORE)) {
      Caffeine<Object, Object> builder = Caffeine.newBuilder();
      if (setup.expiryAndStatistics()) {
        builder.expireAfterWrite(setup.expiryMillis(), TimeUnit.MILLISECONDS).recordStats();
      }
      return BenchCache.of(builder.<K, V>build());
    }
    if (name.equals(CHM)) {
      return BenchCache.of(new ConcurrentHashMap<K, V>());
    }
    if (!PROVIDERS.containsKey(name)) {
      throw new IllegalArgumentException("Unknown cache " + name);
    }
    MutableConfiguration<K, V> configuration = name.equals(CACHE2K)
        ? ExtendedMutableConfiguration.of(cache2k(keyType, valueType, setup, entries))
        : new MutableConfiguration<>();
    configuration.setTypes(keyType, valueType).setStoreByValue(setup.byValue());
    if (setup.expiryAndStatistics()) {
      configuration.setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(
          new Duration(TimeUnit.MILLISECONDS, setup.expiryMillis())));
      configuration.setStatisticsEnabled(true);
    }
    CacheManager manager = manager(name);
    manager.destroyCache(cacheName);
    return BenchCache.of(manager.createCache(cacheName, configuration));
  }

  /**
   * cache2k's own configuration, needed for the capacity (it keeps 1,802 entries under a plain
   * MutableConfiguration). Once it has one, cache2k stops copying for store-by-value and its expiry is no
   * longer sharp unless told: both are asked for here, so that it does the work the others do
   * ({@link #requireCopies} checks the copies).
   */
  private static <K, V> Cache2kBuilder<K, V> cache2k(Class<K> keyType, Class<V> valueType, Setup setup, int entries) {
    Cache2kBuilder<K, V> builder = Cache2kBuilder.of(keyType, valueType).entryCapacity(Math.max(entries * 2L, 1_000))
        .with(JCacheConfig.class, jcache -> jcache.copyAlwaysIfRequested(true));
    return setup.expiryAndStatistics() ? builder.sharpExpiry(true) : builder;
  }

  /**
   * Fails the run unless the peer, set up as the expiry rows set it up, really expires an entry when
   * its policy says: a peer whose expiry is lazy or off would measure a plain get. The wait is real
   * time: each peer's expiry runs on its own clock, which the benchmark cannot move.
   */
  static void requireExpires(String name) throws InterruptedException {
    BenchCache<Integer, Integer> probe = create(name, "expiryProbe", Integer.class, Integer.class,
        new Setup(false, true, 200), 10);
    probe.put(1, 1);
    if (probe.get(1) == null) {
      throw new IllegalStateException(name + " lost an entry at once: the expiry rows would measure misses");
    }
    Thread.sleep(400); // twice the 200 ms policy, on the peer's own clock
    if (probe.get(1) != null) {
      throw new IllegalStateException(name + " still returns an entry 400 ms after a 200 ms expiry:"
          + " the expiry rows would not measure expiry");
    }
  }

  /**
   * Fails the run unless a store-by-value cache really copies: what the caller changes after a put, or
   * in what a get returned, must not reach the cache, and two gets return two copies. A peer that shares
   * the instance would measure a by-reference get.
   */
  static void requireCopies(BenchCache<Integer, StoreByValueBenchmark.Profile> cache, String name) {
    StoreByValueBenchmark.Profile original = new StoreByValueBenchmark.Profile(-1);
    cache.put(-1, original);
    original.name = "changed after put";
    StoreByValueBenchmark.Profile first = cache.get(-1);
    StoreByValueBenchmark.Profile second = cache.get(-1);
    if (first == original || first.name.equals("changed after put")) {
      throw new IllegalStateException(name + " does not copy on put: the benchmark would not measure store-by-value");
    }
    first.name = "changed after get";
    if (first == second || cache.get(-1).name.equals("changed after get")) {
      throw new IllegalStateException(name + " does not copy on get: the benchmark would not measure store-by-value");
    }
  }

  /**
   * A cache bounded to {@code maximumSize} entries, store-by-reference, for the hit-ratio runs. Each
   * provider's own configuration class is the only way to bound it; the RI cannot be bounded.
   */
  static <K, V> BenchCache<K, V> bounded(String name, String cacheName, Class<K> keyType, Class<V> valueType,
      long maximumSize) {
    switch (name) {
      case CAFFEINE_CORE -> {
        return BenchCache.of(Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).<K, V>build());
      }
      case LARDER -> {
        LarderConfiguration<K, V> configuration = new LarderConfiguration<K, V>().setMaximumSize(maximumSize);
        configuration.setTypes(keyType, valueType).setStoreByValue(false);
        return create(manager(name), cacheName, configuration);
      }
      case CAFFEINE -> {
        CaffeineConfiguration<K, V> configuration = new CaffeineConfiguration<>();
        configuration.setTypes(keyType, valueType);
        configuration.setStoreByValue(false);
        configuration.setMaximumSize(OptionalLong.of(maximumSize));
        configuration.setExecutorFactory(() -> Runnable::run);
        return create(manager(name), cacheName, configuration);
      }
      case CACHE2K -> {
        MutableConfiguration<K, V> configuration =
            ExtendedMutableConfiguration.of(Cache2kBuilder.of(keyType, valueType).entryCapacity(maximumSize));
        configuration.setStoreByValue(false);
        return create(manager(name), cacheName, configuration);
      }
      case EHCACHE -> {
        return create(manager(name), cacheName, Eh107Configuration.fromEhcacheCacheConfiguration(
            CacheConfigurationBuilder.newCacheConfigurationBuilder(keyType, valueType, ResourcePoolsBuilder.heap(maximumSize))));
      }
      default -> {
        throw new IllegalArgumentException(name + " cannot be bounded through its JCache configuration");
      }
    }
  }

  private static <K, V> BenchCache<K, V> create(CacheManager manager, String cacheName,
      javax.cache.configuration.Configuration<K, V> configuration) {
    manager.destroyCache(cacheName);
    return BenchCache.of(manager.createCache(cacheName, configuration));
  }

  /**
   * Puts {@code keys} entries (key i, value {@code value.apply(i)}) and fails the run if the cache does
   * not then hold every one of them (a silently bounded peer would measure misses).
   */
  static <V> void populate(BenchCache<Integer, V> cache, int keys, java.util.function.IntFunction<V> value, String name) {
    Set<Integer> all = new java.util.HashSet<>();
    for (int i = 0; i < keys; i++) {
      cache.put(i, value.apply(i));
      all.add(i);
    }
    requireAllPresent(cache, all, name);
  }

  /**
   * Compacts the heap once the setup is done, so that every peer is measured on its live objects laid
   * out in the order it allocated them, not interleaved with the garbage of its own puts and scattered by
   * whichever young collections the setup happened to trigger (G1 evacuates with parallel threads, so
   * the layout differs from fork to fork). Measured on {@code ReadWriteBenchmark.get}, 6 rounds, 1 thread:
   * without it raw Caffeine ranged 36–74 ops/µs and a lookup with one wrapper more 23–43 from fork to fork,
   * with it 32–68 (4 of 6 rounds within 33–36) and 25–35.
   */
  static void settle() {
    System.gc();
  }

  /** Fails the run if a cache does not hold everything it was given (a silently bounded peer). */
  static <K> void requireAllPresent(BenchCache<K, ?> cache, Set<K> keys, String name) {
    for (K key : keys) {
      if (cache.get(key) == null) {
        throw new IllegalStateException(name + " lost key " + key + " of " + keys.size()
            + ": the benchmark would measure misses");
      }
    }
  }
}
