package dev.larder;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.event.EventDispatcher;
import dev.larder.expiry.ExpiryCalculator;
import dev.larder.integration.Integration;
import dev.larder.management.CacheStatistics;
import dev.larder.store.Store;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreFactory;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;

/**
 * Assembles a cache from its configuration, once: the expiry policy, loader and writer (a writer that
 * does nothing where there is none), the copies of store-by-value, the store, the events and
 * statistics, and the layers that use them. The cache itself only routes the JCache calls.
 */
final class CacheFactory {

  private CacheFactory() {
  }

  /** The parts a cache is made of. */
  record Parts<K, V>(Store<K, V> store, Rules<K, V> rules, OperationRunner<K, V> runner, Reads<K, V> reads,
      Loads<K, V> loads, CacheEvents<K, V> events, CacheStatistics statistics, CacheLoader<K, V> loader) {}

  static <K, V> StoreCache<K, V> create(LarderCacheManager manager, String name,
      LarderConfiguration<K, V> configuration, Executor managerExecutor) {
    ClassLoader classLoader = manager.getClassLoader();
    Factory<ExpiryPolicy> expiryFactory = configuration.getExpiryPolicyFactory();
    ExpiryPolicy policy = expiryFactory == null ? null : expiryFactory.create();
    ExpiryCalculator expiry = new ExpiryCalculator(policy == null ? new EternalExpiryPolicy() : policy);

    Factory<CacheLoader<K, V>> loaderFactory = configuration.getCacheLoaderFactory();
    CacheLoader<K, V> loader = loaderFactory == null ? null : loaderFactory.create();
    Function<K, V> readThrough = configuration.isReadThrough() && loader != null ? key -> {
      try {
        return loader.load(key);
      } catch (Exception e) {
        throw Integration.loaderFailure(e);
      }
    } : null;
    Factory<CacheWriter<? super K, ? super V>> writerFactory = configuration.getCacheWriterFactory();
    WriteThrough<K, V> writer = WriteThrough.of(
        configuration.isWriteThrough() && writerFactory != null ? writerFactory.create() : null);
    Copies copies = Copies.of(configuration.isStoreByValue(), configuration.getCopier(), classLoader,
        configuration.getKeyType(), configuration.getValueType());
    Rules<K, V> rules = new Rules<>(expiry, writer, copies,
        new Arguments<>(name, configuration.getKeyType(), configuration.getValueType()), readThrough);

    CacheStatistics statistics = new CacheStatistics();
    CallerContextExecutor executor = new CallerContextExecutor(managerExecutor);
    EventDispatcher<K, V> dispatcher = new EventDispatcher<>(executor);
    for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
      dispatcher.register(listener);
    }
    CacheEvents<K, V> events = new CacheEvents<>(dispatcher, copies, statistics, name);

    StoreFactory storeFactory = configuration.getStoreFactory() != null
        ? configuration.getStoreFactory() : manager.defaultStore();
    Store<K, V> store = storeFactory.create(new StoreContext<>(
        manager.name(), name, configuration.getMaximumSize(), configuration.getMaximumWeight(),
        configuration.getWeigher(), events, classLoader, configuration.getKeyType(),
        configuration.getValueType(), configuration.getTimeSource()));
    executor.carryFor(store);

    OperationRunner<K, V> runner = new OperationRunner<>(store, rules, configuration.getTimeSource(), statistics,
        events);
    Loads<K, V> loads = new Loads<>(store, rules, configuration.getTimeSource(), runner, events, name, executor,
        loader, configuration.getRefreshAhead().toMillis(), configuration.getComputeWait().toMillis());
    Reads<K, V> reads = new Reads<>(store, configuration.getTimeSource(), rules, statistics, events, loads);
    return new StoreCache<>(manager, name, configuration,
        new Parts<>(store, rules, runner, reads, loads, events, statistics, loader));
  }

  /**
   * The manager's executor, handing each task what the store needs of the caller's thread (App Engine's
   * API calls only work with the request's environment): every task Larder runs later (asynchronous
   * listeners, {@code loadAll}) goes through it.
   */
  private static final class CallerContextExecutor implements Executor {
    private final Executor executor;
    private volatile Store<?, ?> store;

    CallerContextExecutor(Executor executor) {
      this.executor = executor;
    }

    /** Set once the store exists, before the cache is handed out (so before any task). */
    void carryFor(Store<?, ?> created) {
      this.store = created;
    }

    @Override
    public void execute(Runnable task) {
      executor.execute(store.carryCallerContext(task));
    }
  }
}
