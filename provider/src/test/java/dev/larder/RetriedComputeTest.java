package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.management.CacheStatistics;
import dev.larder.store.InProcessStore;
import dev.larder.store.Store;
import dev.larder.store.StoreEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A store that retries, as memcached's CAS loop does when another client wrote first: every update runs
 * once against an entry that is about to be overwritten ("stale"), then again against what the key
 * really holds. Only the run the store committed may reach the caller, the listeners and the
 * statistics: the operations record their outcome, and the runner reports the last one.
 */
class RetriedComputeTest {

  private CacheManager manager;
  private final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void openManager() {
    manager = Caching.getCachingProvider().getCacheManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  @Test
  void onlyTheCommittedRunIsReturnedPublishedAndCounted() {
    LarderCache<String, String> cache = retryingCache();
    cache.put("k", "v1");
    assertThat(cache.getAndPut("k", "v2")).isEqualTo("v1");
    assertThat(cache.putIfAbsent("k", "v3")).isFalse();
    assertThat(cache.getAndReplace("k", "v4")).isEqualTo("v2");
    assertThat(cache.replace("k", "v4", "v5")).isTrue();
    String read = cache.invoke("k", (entry, arguments) -> entry.getValue());
    assertThat(read).isEqualTo("v5");
    assertThat(cache.getAndRemove("k")).isEqualTo("v5");
    assertThat(cache.remove("k")).isFalse();
    cache.putAll(Map.of("a", "1"));
    cache.removeAll(Set.of("a"));

    assertThat(events).containsExactly("CREATED k=v1", "UPDATED k=v2 (was v1)", "UPDATED k=v4 (was v2)",
        "UPDATED k=v5 (was v4)", "REMOVED k (was v5)", "CREATED a=1", "REMOVED a (was 1)");
    CacheStatistics statistics = cache.unwrap(StoreCache.class).statistics();
    assertThat(statistics.getCachePuts()).isEqualTo(5);
    assertThat(statistics.getCacheRemovals()).isEqualTo(2);
    // getAndPut, putIfAbsent, getAndReplace, replace(k, old, new), invoke and getAndRemove found the key
    assertThat(statistics.getCacheHits()).isEqualTo(6);
    assertThat(statistics.getCacheMisses()).isZero();
    assertThat(cache.get("k")).isNull();
  }

  private LarderCache<String, String> retryingCache() {
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setStoreFactory(new dev.larder.store.StoreFactory() {
          @Override
          public <K, V> Store<K, V> create(dev.larder.store.StoreContext<K, V> context) {
            // a lost CAS race: each update first runs against an entry about to be overwritten
            @SuppressWarnings("unchecked")
            StoreEntry<V> stale = new StoreEntry<>((V) "stale", StoreEntry.NEVER);
            return new ComputeHookStore<>(InProcessStore.FACTORY.create(context),
                (key, remapping) -> remapping.apply(key, stale));
          }
        });
    configuration.setTypes(String.class, String.class).setStatisticsEnabled(true);
    configuration.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(new Recorder(events)), null, true, true));
    @SuppressWarnings("unchecked")
    LarderCache<String, String> cache = manager.createCache("retried", configuration).unwrap(LarderCache.class);
    return cache;
  }

  static final class Recorder implements CacheEntryCreatedListener<String, String>,
      CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String>, java.io.Serializable {
    private final transient List<String> events;

    Recorder(List<String> events) {
      this.events = events;
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> created) {
      created.forEach(e -> events.add("CREATED " + e.getKey() + "=" + e.getValue()));
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> updated) {
      updated.forEach(e -> events.add("UPDATED " + e.getKey() + "=" + e.getValue() + " (was " + e.getOldValue() + ")"));
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> removed) {
      removed.forEach(e -> events.add("REMOVED " + e.getKey() + " (was " + e.getOldValue() + ")"));
    }
  }
}
