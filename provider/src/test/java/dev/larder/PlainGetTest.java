package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.management.CacheStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The get that reads the store directly (by reference, no refresh, no access expiry, statistics off):
 * that it still does everything a get must, and that the statistics switch moves gets on and off it.
 */
class PlainGetTest {

  private CacheManager manager;
  private final FakeTime time = new FakeTime();

  @BeforeEach
  void openManager() {
    manager = Caching.getCachingProvider().getCacheManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  private <K, V> Cache<K, V> create(String name, MutableConfiguration<K, V> configuration) {
    return manager.createCache(name, new LarderConfiguration<>(configuration).setTimeSource(time));
  }

  @Test
  void aHitIsTheStoredObjectAndAnExpiredEntryIsAMissReportedOnce() {
    MutableConfiguration<String, List<String>> configuration = new MutableConfiguration<String, List<String>>()
        .setStoreByValue(false).setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(
            new Duration(TimeUnit.MILLISECONDS, 100)));
    List<String> expired = new CopyOnWriteArrayList<>();
    CacheEntryExpiredListener<String, List<String>> listener = events -> events.forEach(event -> expired.add(event.getKey()));
    Factory<CacheEntryExpiredListener<String, List<String>>> listenerFactory = () -> listener;
    configuration.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
        listenerFactory, null, false, true));
    Cache<String, List<String>> cache = create("plainExpiry", configuration);
    List<String> value = new ArrayList<>(List.of("a"));
    cache.put("k", value);

    assertThat(cache.get("k")).isSameAs(value);
    time.advance(99);
    assertThat(cache.get("k")).isSameAs(value);
    time.advance(1);
    assertThat(cache.get("k")).isNull();
    assertThat(cache.get("k")).isNull();
    assertThat(expired).containsExactly("k");
  }

  @Test
  void aMissIsReadThroughTheLoaderOnce() {
    AtomicInteger loads = new AtomicInteger();
    MutableConfiguration<Integer, String> configuration = new MutableConfiguration<Integer, String>()
        .setStoreByValue(false).setReadThrough(true)
        .setCacheLoaderFactory(() -> new javax.cache.integration.CacheLoader<Integer, String>() {
          @Override
          public String load(Integer key) {
            loads.incrementAndGet();
            return "v" + key;
          }

          @Override
          public java.util.Map<Integer, String> loadAll(Iterable<? extends Integer> keys) {
            throw new UnsupportedOperationException();
          }
        });
    Cache<Integer, String> cache = create("plainLoad", configuration);

    assertThat(cache.get(7)).isEqualTo("v7");
    assertThat(cache.get(7)).isEqualTo("v7");
    assertThat(loads).hasValue(1);
  }

  @Test
  void theGetsMadeWhileStatisticsAreOnAreCountedAndOnlyThose() {
    Cache<Integer, Integer> cache = create("plainStatistics",
        new MutableConfiguration<Integer, Integer>().setStoreByValue(false));
    CacheStatistics statistics = cache.unwrap(StoreCache.class).statistics();
    cache.put(1, 1);
    cache.get(1);
    cache.get(2);

    manager.enableStatistics("plainStatistics", true);
    cache.get(1);
    cache.get(1);
    cache.get(1);
    cache.get(2);
    assertThat(statistics.getCacheHits()).isEqualTo(3);
    assertThat(statistics.getCacheMisses()).isEqualTo(1);

    manager.enableStatistics("plainStatistics", false);
    cache.get(1);
    cache.get(2);
    manager.enableStatistics("plainStatistics", true);
    cache.get(1);
    assertThat(statistics.getCacheHits()).isEqualTo(4);
    assertThat(statistics.getCacheMisses()).isEqualTo(1);
  }

  @Test
  void aHitUnderAccessExpiryStillMovesTheDeadline() {
    Cache<String, String> cache = create("plainAccess", new MutableConfiguration<String, String>()
        .setStoreByValue(false).setExpiryPolicyFactory(AccessedExpiryPolicy.factoryOf(
            new Duration(TimeUnit.MILLISECONDS, 100))));
    cache.put("k", "v");
    time.advance(60);
    assertThat(cache.get("k")).isEqualTo("v");
    time.advance(60);
    assertThat(cache.get("k")).as("touched at 60 ms: lives to 160").isEqualTo("v");
    time.advance(100);
    assertThat(cache.get("k")).isNull();
  }

  @Test
  void aHitByValueIsStillACopy() {
    Cache<String, ArrayList<String>> cache = create("plainByValue", new MutableConfiguration<String, ArrayList<String>>());
    ArrayList<String> value = new ArrayList<>(List.of("a"));
    cache.put("k", value);

    ArrayList<String> read = cache.get("k");
    assertThat(read).isEqualTo(value).isNotSameAs(value);
    read.add("b");
    assertThat(cache.get("k")).containsExactly("a");
  }
}
