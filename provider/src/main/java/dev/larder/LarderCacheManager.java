package dev.larder;

import dev.larder.configuration.ConfigurationFile;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import dev.larder.store.StoreFactory;
import dev.larder.store.Stores;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.spi.CachingProvider;

/** Larder's {@link CacheManager}: the caches of one (URI, class loader) of one provider. */
public final class LarderCacheManager implements CacheManager {

  private final LarderCachingProvider provider;
  private final URI uri;
  private final WeakReference<ClassLoader> classLoader;
  private final Properties properties;
  private final ConcurrentMap<String, StoreCache<?, ?>> caches = new ConcurrentHashMap<>();
  /** Runs asynchronous listeners and {@code loadAll}: daemon threads, made on demand, ended on close. */
  private final ExecutorService executor;
  private volatile boolean closed;
  /** The store of caches whose configuration names none; resolved on first use. */
  private volatile StoreFactory defaultStore;
  /** The configuration file the URI names, or {@code null}. */
  private final ConfigurationFile file;

  public LarderCacheManager(LarderCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties) {
    this(provider, uri, classLoader, properties, null);
  }

  /** A manager configured by {@code file} (may be {@code null}): its caches are created here and now. */
  public LarderCacheManager(LarderCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties,
      ConfigurationFile file) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.uri = Objects.requireNonNull(uri, "uri");
    this.classLoader = new WeakReference<>(Objects.requireNonNull(classLoader, "classLoader"));
    this.properties = properties == null ? new Properties() : properties;
    this.file = file;
    this.executor = Executors.newCachedThreadPool(daemonThreads("larder-" + uri));
    if (file != null) {
      try {
        createDeclaredCaches(file);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }
  }

  private void createDeclaredCaches(ConfigurationFile file) {
    defaultStore(); // a wrong store setting fails here, at the manager, not at the first cache
    file.caches().forEach((name, configuration) -> {
      Properties own = file.storeSettings(name);
      if (!own.isEmpty()) {
        Properties settings = storeSettings();
        settings.putAll(own);
        configuration.setStoreFactory(storeFactory(settings));
      }
      createCache(name, configuration);
    });
  }

  /**
   * The name remote stores share this manager's caches under: the URI, or for a manager configured by a
   * file, the file's {@code larder.name} (by default its file name), so the same file deployed at different
   * paths in different JVMs still names the same caches.
   */
  String name() {
    return file == null ? uri.toString() : file.name();
  }

  @Override
  public CachingProvider getCachingProvider() {
    return provider;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public ClassLoader getClassLoader() {
    return classLoader.get();
  }

  @Override
  public Properties getProperties() {
    return properties;
  }

  @Override
  public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(configuration, "configuration");
    LarderConfiguration<K, V> copy = LarderConfiguration.copyOf(configuration);
    if (file != null && !(configuration instanceof LarderConfiguration)) {
      // e.g. Hibernate's missing_cache_strategy=create gets the file's bound
      file.withDefaults(copy, Stores.IN_PROCESS.equals(
          storeSettings().getProperty(Stores.STORE_PROPERTY, Stores.IN_PROCESS).trim()));
    }
    validate(cacheName, copy);
    StoreCache<?, ?>[] created = new StoreCache<?, ?>[1];
    caches.computeIfAbsent(cacheName, name -> created[0] = CacheFactory.create(this, name, copy, executor));
    if (created[0] == null) {
      throw new CacheException("A cache named " + cacheName + " already exists in " + uri);
    }
    @SuppressWarnings("unchecked")
    Cache<K, V> cache = (Cache<K, V>) created[0];
    return cache;
  }

  private static void validate(String cacheName, CompleteConfiguration<?, ?> configuration) {
    if (configuration.isReadThrough() && configuration.getCacheLoaderFactory() == null) {
      throw new IllegalArgumentException("Cache " + cacheName
          + ": readThrough is set but there is no CacheLoader factory (setCacheLoaderFactory)");
    }
    if (configuration.isWriteThrough() && configuration.getCacheWriterFactory() == null) {
      throw new IllegalArgumentException("Cache " + cacheName
          + ": writeThrough is set but there is no CacheWriter factory (setCacheWriterFactory)");
    }
  }

  @Override
  public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(valueType, "valueType");
    StoreCache<?, ?> cache = caches.get(cacheName);
    if (cache == null) {
      return null;
    }
    CompleteConfiguration<?, ?> configuration = cache.getConfiguration(CompleteConfiguration.class);
    if (configuration.getKeyType() != keyType || configuration.getValueType() != valueType) {
      throw new ClassCastException("Cache " + cacheName + " is configured for " + configuration.getKeyType().getName()
          + " -> " + configuration.getValueType().getName() + ", not " + keyType.getName() + " -> " + valueType.getName());
    }
    @SuppressWarnings("unchecked")
    Cache<K, V> typed = (Cache<K, V>) cache;
    return typed;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> getCache(String cacheName) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    return (Cache<K, V>) caches.get(cacheName);
  }

  @Override
  public Iterable<String> getCacheNames() {
    requireOpen();
    return Collections.unmodifiableSet(new LinkedHashSet<>(caches.keySet()));
  }

  @Override
  public void destroyCache(String cacheName) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    StoreCache<?, ?> cache = caches.remove(cacheName);
    if (cache != null) {
      cache.clear();
      cache.shutdown();
    }
  }

  @Override
  public void enableManagement(String cacheName, boolean enabled) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    StoreCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.setManagementEnabled(enabled);
    }
  }

  @Override
  public void enableStatistics(String cacheName, boolean enabled) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    StoreCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.setStatisticsEnabled(enabled);
    }
  }

  /**
   * The store factory for caches that name none: {@code larder.store} and its settings, from the manager's
   * properties, else the system properties, else the configuration file.
   */
  StoreFactory defaultStore() {
    StoreFactory factory = defaultStore;
    if (factory == null) {
      synchronized (this) {
        factory = defaultStore;
        if (factory == null) {
          factory = storeFactory(storeSettings());
          defaultStore = factory;
        }
      }
    }
    return factory;
  }

  private Properties storeSettings() {
    Properties settings = file == null ? new Properties() : file.storeSettings();
    settings.putAll(System.getProperties());
    settings.putAll(properties);
    return settings;
  }

  private StoreFactory storeFactory(Properties settings) {
    try {
      return Stores.defaultFactory(settings, getClassLoader());
    } catch (IllegalArgumentException e) {
      if (file == null) {
        throw e;
      }
      throw new CacheException("Larder configuration " + file.source() + ": " + e.getMessage(), e);
    }
  }

  /** Called by {@link Cache#close()}: the cache leaves this manager and releases its resources. */
  void release(StoreCache<?, ?> cache) {
    caches.remove(cache.getName(), cache);
    cache.shutdown();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    provider.release(this);
    for (StoreCache<?, ?> cache : caches.values()) {
      cache.shutdown();
    }
    caches.clear();
    executor.shutdown();
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("A Larder cache manager is not a " + type.getName());
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("The cache manager " + uri + " is closed");
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public String toString() {
    return "LarderCacheManager{" + uri + '}';
  }
}
