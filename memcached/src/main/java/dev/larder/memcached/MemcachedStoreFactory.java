package dev.larder.memcached;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.larder.store.FailurePolicyStore;
import dev.larder.store.NearCacheStore;
import dev.larder.store.Store;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreFactory;
import dev.larder.store.codec.Serializer;
import dev.larder.store.codec.TaggedSerializer;
import java.util.Objects;

/**
 * Makes memcached stores. In code:
 * <pre>{@code
 * new LarderConfiguration<String, Page>()
 *     .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers("10.0.0.1:11211,10.0.0.2:11211")));
 * }</pre>
 * or with no code, {@code -Dlarder.store=memcached -Dlarder.memcached.servers=...}.
 *
 * <p>memcached bounds its memory itself: a cache's maximum size or weight does not apply to it.
 */
public final class MemcachedStoreFactory implements StoreFactory {

  private static final Logger LOG = LoggerFactory.getLogger(MemcachedStoreFactory.class);

  private final MemcachedSettings settings;
  private final Serializer serializer;

  private MemcachedStoreFactory(MemcachedSettings settings, Serializer serializer) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.serializer = Objects.requireNonNull(serializer, "serializer");
  }

  public static MemcachedStoreFactory of(MemcachedSettings settings) {
    return new MemcachedStoreFactory(settings, TaggedSerializer.INSTANCE);
  }

  /** The same servers, with another serializer for keys and values. */
  public MemcachedStoreFactory withSerializer(Serializer newSerializer) {
    return new MemcachedStoreFactory(settings, newSerializer);
  }

  public MemcachedSettings settings() {
    return settings;
  }

  @Override
  public <K, V> Store<K, V> create(StoreContext<K, V> context) {
    if (context.maximumSize() >= 0 || context.maximumWeight() >= 0) {
      LOG.warn("Cache " + context.cacheName() + ": memcached bounds its memory itself"
          + " (memcached -m); maximumSize and maximumWeight do not apply to the memcached store");
    }
    SharedClients.Lease lease = SharedClients.acquire(settings);
    try {
      MemcachedStore<K, V> store = new MemcachedStore<>(lease, serializer, settings, context);
      store.metrics().register();
      Store<K, V> remote = store;
      if (settings.failuresAsMisses()) {
        FailurePolicyStore<K, V> policy = new FailurePolicyStore<>(store, store.toString());
        store.metrics().reportFailures(policy::failures);
        remote = policy;
      }
      if (settings.nearMaximumSize() == 0) {
        return remote;
      }
      NearCacheStore<K, V> near = new NearCacheStore<>(remote, settings.nearMaximumSize(),
          java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(settings.nearMaxStalenessMillis()), context.time()::nanos,
          context.time()::millis);
      store.metrics().reportNear(near);
      return near;
    } catch (RuntimeException e) {
      lease.release();
      throw e;
    }
  }
}
