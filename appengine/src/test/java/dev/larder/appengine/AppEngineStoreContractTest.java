package dev.larder.appengine;

import com.google.apphosting.api.ApiProxy;
import dev.larder.store.Store;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreContract;
import dev.larder.store.StoreEntry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on App Engine's memcache (its local service), plain and under the miss policy. */
class AppEngineStoreContractTest {

  @RegisterExtension
  final LocalMemcache memcache = new LocalMemcache();

  static <K, V> Store<K, V> open(AppEngineSettings settings, String cacheName, Class<K> keyType, Class<V> valueType) {
    return AppEngineStoreFactory.of(settings).create(new StoreContext<>("contract", cacheName, -1, -1, null,
        new StoreContext.StoreListener<K, V>() {
          @Override
          public void expired(K key, StoreEntry<V> entry) {
          }

          @Override
          public void evicted(K key, StoreEntry<V> entry) {
          }
        }, AppEngineStoreContractTest.class.getClassLoader(), keyType, valueType));
  }

  /** As a thread made by App Engine's ThreadManager: with the request's environment. */
  static Runnable withEnvironment(Runnable task) {
    ApiProxy.Environment environment = ApiProxy.getCurrentEnvironment();
    return () -> {
      ApiProxy.setEnvironmentForCurrentThread(environment);
      try {
        task.run();
      } finally {
        ApiProxy.clearEnvironmentForCurrentThread();
      }
    };
  }

  @Nested
  class Plain extends StoreContract {
    @Override
    protected <K, V> Store<K, V> open(String cacheName, Class<K> keyType, Class<V> valueType) {
      return AppEngineStoreContractTest.open(AppEngineSettings.defaults(), cacheName, keyType, valueType);
    }

    @Override
    protected boolean shared() {
      return true;
    }

    @Override
    protected Runnable onAnotherThread(Runnable task) {
      return withEnvironment(task);
    }
  }

  @Nested
  class UnderTheMissPolicy extends StoreContract {
    @Override
    protected <K, V> Store<K, V> open(String cacheName, Class<K> keyType, Class<V> valueType) {
      return AppEngineStoreContractTest.open(AppEngineSettings.defaults().withFailuresAsMisses(true), cacheName,
          keyType, valueType);
    }

    @Override
    protected boolean shared() {
      return true;
    }

    @Override
    protected Runnable onAnotherThread(Runnable task) {
      return withEnvironment(task);
    }
  }
}
