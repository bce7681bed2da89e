package dev.larder.appengine;

import dev.larder.store.FailurePolicyStore;
import dev.larder.store.Store;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreFactory;
import dev.larder.store.codec.Serializer;
import dev.larder.store.codec.TaggedSerializer;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes App Engine memcache stores. In code:
 * <pre>{@code
 * new LarderConfiguration<String, Page>()
 *     .setStoreFactory(AppEngineStoreFactory.of(AppEngineSettings.defaults()));
 * }</pre>
 * or with no code, {@code -Dlarder.store=appengine} (or {@code larder.store = appengine} in a
 * configuration file).
 *
 * <p>The service bounds its memory itself and may evict any item at any time: a cache's maximum size
 * or weight does not apply to it.
 */
public final class AppEngineStoreFactory implements StoreFactory {

  private static final Logger LOG = LoggerFactory.getLogger(AppEngineStoreFactory.class);

  private final AppEngineSettings settings;
  private final Serializer serializer;

  private AppEngineStoreFactory(AppEngineSettings settings, Serializer serializer) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.serializer = Objects.requireNonNull(serializer, "serializer");
  }

  public static AppEngineStoreFactory of(AppEngineSettings settings) {
    return new AppEngineStoreFactory(settings, TaggedSerializer.INSTANCE);
  }

  /** The same settings, with another serializer for keys and values. */
  public AppEngineStoreFactory withSerializer(Serializer newSerializer) {
    return new AppEngineStoreFactory(settings, newSerializer);
  }

  public AppEngineSettings settings() {
    return settings;
  }

  @Override
  public <K, V> Store<K, V> create(StoreContext<K, V> context) {
    if (context.maximumSize() >= 0 || context.maximumWeight() >= 0) {
      LOG.warn("Cache " + context.cacheName() + ": App Engine memcache bounds its memory itself;"
          + " maximumSize and maximumWeight do not apply to the App Engine store");
    }
    AppEngineStore<K, V> store = new AppEngineStore<>(new ServiceCalls(settings), serializer, settings, context);
    if (!settings.failuresAsMisses()) {
      return store.register(() -> 0);
    }
    FailurePolicyStore<K, V> policy = new FailurePolicyStore<>(store, store.toString());
    store.register(policy::failures);
    return policy;
  }
}
