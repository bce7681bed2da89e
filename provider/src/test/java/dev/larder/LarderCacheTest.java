package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.configuration.LarderConfiguration;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoaderException;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the TCK does not check: Larder's own API, bounds, copies, reclamation, concurrency. */
class LarderCacheTest {

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

  /** The cache, on this test's fake time. */
  private <K, V> LarderCache<K, V> larder(String name, MutableConfiguration<K, V> configuration) {
    LarderConfiguration<K, V> onFakeTime = new LarderConfiguration<>(configuration).setTimeSource(time);
    @SuppressWarnings("unchecked")
    LarderCache<K, V> cache = manager.createCache(name, onFakeTime).unwrap(LarderCache.class);
    return cache;
  }

  @Test
  void aLargeLoadAllGoesToTheLoaderInChunksAndLoadsEverything() throws Exception {
    List<Integer> callSizes = new CopyOnWriteArrayList<>();
    javax.cache.integration.CacheLoader<Integer, String> loader = new javax.cache.integration.CacheLoader<>() {
      @Override
      public String load(Integer key) {
        return "v" + key;
      }

      @Override
      public java.util.Map<Integer, String> loadAll(Iterable<? extends Integer> keys) {
        java.util.Map<Integer, String> values = new java.util.HashMap<>();
        keys.forEach(key -> values.put(key, "v" + key));
        callSizes.add(values.size());
        return values;
      }
    };
    LarderConfiguration<Integer, String> configuration = new LarderConfiguration<>();
    configuration.setCacheLoaderFactory(() -> loader);
    Cache<Integer, String> cache = manager.createCache("bulk", configuration);
    java.util.Set<Integer> keys = new java.util.HashSet<>();
    for (int i = 0; i < 2_500; i++) {
      keys.add(i);
    }
    javax.cache.integration.CompletionListenerFuture done = new javax.cache.integration.CompletionListenerFuture();
    cache.loadAll(keys, false, done);
    done.get(30, TimeUnit.SECONDS);

    assertThat(callSizes).containsExactly(1_000, 1_000, 500);
    assertThat(cache.getAll(keys)).hasSize(2_500).containsEntry(2_499, "v2499");
  }

  @Test
  void putWithTimeoutExpiresThatEntryOnly() {
    LarderCache<String, String> cache = larder("timeouts", new MutableConfiguration<String, String>());
    cache.put("short", "lived", Duration.ofMillis(100));
    cache.put("plain", "eternal");

    assertThat(cache.get("short")).isEqualTo("lived");
    time.advance(99);
    assertThat(cache.get("short")).isEqualTo("lived");
    time.advance(1);
    assertThat(cache.get("short")).isNull();
    assertThat(cache.containsKey("short")).isFalse();
    assertThat(cache.get("plain")).isEqualTo("eternal");
  }

  @Test
  void aPlainPutOverAnEntryWithItsOwnTimeoutKeepsThatDeadline() {
    // An eternal policy says "unchanged" on update: the per-entry deadline survives a plain put.
    LarderCache<String, String> cache = larder("keepDeadline", new MutableConfiguration<String, String>());
    cache.put("k", "first", Duration.ofMillis(150));
    assertThat(cache.getAndPut("k", "second")).isEqualTo("first");
    assertThat(cache.get("k")).isEqualTo("second");
    time.advance(150);
    assertThat(cache.get("k")).isNull();
  }

  @Test
  void putWithZeroTimeoutStoresNothingAndNegativeIsRejected() {
    LarderCache<String, String> cache = larder("zero", new MutableConfiguration<String, String>());
    cache.put("k", "v", Duration.ZERO);
    assertThat(cache.containsKey("k")).isFalse();

    assertThatThrownBy(() -> cache.put("k", "v", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> cache.put("k", "v", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void getOrComputeKeepsTheResultForTheTimeout() {
    LarderCache<String, String> cache = larder("compute", new MutableConfiguration<String, String>());
    AtomicInteger calls = new AtomicInteger();

    assertThat(cache.get("k", key -> key + calls.incrementAndGet(), Duration.ofMillis(150))).isEqualTo("k1");
    assertThat(cache.get("k", key -> key + calls.incrementAndGet(), Duration.ofMillis(150))).isEqualTo("k1");
    time.advance(149);
    assertThat(cache.get("k", key -> key + calls.incrementAndGet(), Duration.ofMillis(150))).isEqualTo("k1");
    time.advance(1);
    assertThat(cache.get("k", key -> key + calls.incrementAndGet(), Duration.ofMillis(150))).isEqualTo("k2");
    assertThat(calls).hasValue(2);
  }

  /** "Keep it for five minutes" counts from when the value is computed: a slow computation does not eat into it. */
  @Test
  void getOrComputeCountsTheTimeoutFromTheEndOfTheComputation() {
    LarderCache<String, String> cache = larder("slowCompute", new MutableConfiguration<String, String>());
    AtomicInteger calls = new AtomicInteger();
    java.util.function.Function<String, String> slow = key -> {
      time.advance(400); // the computation takes 400 ms
      return key + calls.incrementAndGet();
    };

    assertThat(cache.get("k", slow, Duration.ofSeconds(1))).isEqualTo("k1");
    time.advance(999);
    assertThat(cache.get("k", slow, Duration.ofSeconds(1))).as("999 ms after it was computed").isEqualTo("k1");
    time.advance(1);
    assertThat(cache.get("k", slow, Duration.ofSeconds(1))).as("1 s after").isEqualTo("k2");
    assertThat(calls).hasValue(2);
    // the timeout is checked on every call, a hit too, not only when a computation runs
    assertThatThrownBy(() -> cache.get("k", slow, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must not be negative");
    assertThatThrownBy(() -> cache.get("k", slow, null)).isInstanceOf(NullPointerException.class);
    assertThat(calls).hasValue(2);
  }

  @Test
  void getOrComputeStoresNothingForNullAndWrapsFailures() {
    LarderCache<String, String> cache = larder("computeNull", new MutableConfiguration<String, String>());
    assertThat(cache.get("k", key -> null, Duration.ofMinutes(1))).isNull();
    assertThat(cache.containsKey("k")).isFalse();

    assertThatThrownBy(() -> cache.get("k", key -> {
      throw new IllegalStateException("backend down");
    }, Duration.ofMinutes(1)))
        .isInstanceOf(CacheLoaderException.class)
        .hasRootCauseMessage("backend down");
    assertThat(cache.containsKey("k")).isFalse();
  }

  @Test
  void concurrentCallersForOneMissingKeyShareOneComputation() throws Exception {
    LarderCache<String, String> cache = larder("singleFlight", new MutableConfiguration<String, String>());
    int threads = 8;
    AtomicInteger computations = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return cache.get("report", key -> {
            computations.incrementAndGet();
            sleep(200);
            return "computed";
          }, Duration.ofMinutes(5));
        }));
      }
      start.countDown();
      for (Future<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("computed");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(computations).hasValue(1);
  }

  @Test
  void aHotKeyIsRefreshedAheadOfItsDeadlineByOneCaller() throws Exception {
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setRefreshAhead(Duration.ofMillis(300));
    LarderCache<String, String> cache = larder("refreshAhead", configuration);
    AtomicInteger computations = new AtomicInteger();
    java.util.function.Function<String, String> compute = key -> {
      sleep(100);
      return "v" + computations.incrementAndGet();
    };
    assertThat(cache.get("k", compute, Duration.ofMillis(500))).isEqualTo("v1");
    time.advance(300); // 200 ms left: inside the window

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Long>> waits = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        waits.add(pool.submit(() -> {
          long started = System.nanoTime();
          assertThat(cache.get("k", compute, Duration.ofMillis(500))).isIn("v1", "v2");
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        }));
      }
      int quick = 0;
      for (Future<Long> wait : waits) {
        quick += wait.get(5, TimeUnit.SECONDS) < 50 ? 1 : 0;
      }
      assertThat(quick).as("callers served the current value at once").isGreaterThanOrEqualTo(7);
    } finally {
      pool.shutdownNow();
    }
    assertThat(computations).hasValue(2);
    time.advance(250); // past v1's deadline
    assertThat(cache.get("k")).isEqualTo("v2");
  }

  @Test
  void getAllAndGetUnderReadThroughRefreshAheadOfTheDeadlineToo() {
    AtomicInteger loads = new AtomicInteger();
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setRefreshAhead(Duration.ofMillis(300));
    configuration.setExpiryPolicyFactory(javax.cache.expiry.CreatedExpiryPolicy.factoryOf(
        new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, 500)));
    configuration.setReadThrough(true).setCacheLoaderFactory(() -> new javax.cache.integration.CacheLoader<>() {
      @Override
      public String load(String key) {
        return key + loads.incrementAndGet();
      }

      @Override
      public java.util.Map<String, String> loadAll(Iterable<? extends String> keys) {
        java.util.Map<String, String> values = new java.util.HashMap<>();
        keys.forEach(key -> values.put(key, load(key)));
        return values;
      }
    });
    LarderCache<String, String> cache = larder("refreshAheadBulk", configuration);
    assertThat(cache.getAll(java.util.Set.of("a"))).containsEntry("a", "a1");
    assertThat(cache.getAll(java.util.Set.of("a"))).as("fresh: a hit").containsEntry("a", "a1");
    time.advance(300); // 200 ms left: inside the window
    assertThat(cache.getAll(java.util.Set.of("a"))).as("refreshed by this caller").containsEntry("a", "a2");
    time.advance(100); // a2, created 100 ms ago, has 400 ms left: outside the window
    assertThat(cache.get("a")).isEqualTo("a2");
    time.advance(150); // a2 has 250 ms left
    assertThat(cache.get("a")).as("refreshed by get").isEqualTo("a3");
    assertThat(loads).hasValue(3);
  }

  @Test
  void maximumSizeBoundsTheCacheAndCountsEvictions() {
    LarderConfiguration<Integer, Integer> configuration = new LarderConfiguration<Integer, Integer>()
        .setMaximumSize(100);
    configuration.setStatisticsEnabled(true);
    LarderCache<Integer, Integer> cache = larder("bounded", configuration);
    for (int i = 0; i < 1_000; i++) {
      cache.put(i, i);
    }
    cache.unwrap(dev.larder.store.InProcessStore.class).cleanUp();

    int present = 0;
    for (Cache.Entry<Integer, Integer> entry : cache) {
      assertThat(entry.getValue()).isEqualTo(entry.getKey());
      present++;
    }
    assertThat(present).isEqualTo(100);
    assertThat(cache.unwrap(StoreCache.class).statistics().getCacheEvictions()).isEqualTo(1_000 - present);
  }

  @Test
  void maximumWeightBoundsTheTotalWeight() {
    LarderConfiguration<Integer, String> configuration = new LarderConfiguration<Integer, String>()
        .setMaximumWeight(1_000, (key, value) -> value.length());
    LarderCache<Integer, String> cache = larder("weighted", configuration);
    for (int i = 0; i < 100; i++) {
      cache.put(i, "x".repeat(100));
    }
    cache.put(1_000, "y".repeat(50));
    cache.unwrap(dev.larder.store.InProcessStore.class).cleanUp();
    int weight = 0;
    for (Cache.Entry<Integer, String> entry : cache) {
      weight += entry.getValue().length();
    }
    assertThat(weight).isLessThanOrEqualTo(1_000).isGreaterThanOrEqualTo(1_000 - 100);
  }

  @Test
  void boundsAreValidated() {
    assertThatThrownBy(() -> new LarderConfiguration<>().setMaximumSize(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumSize");
    assertThatThrownBy(() -> new LarderConfiguration<>().setMaximumSize(10).setMaximumWeight(10, (k, v) -> 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maximumWeight");
  }

  @Test
  void expiredEntriesAreReclaimedWithoutReads() throws InterruptedException {
    List<CacheEntryEvent<?, ?>> expired = new CopyOnWriteArrayList<>();
    ExpiredRecorder.sink = expired;
    MutableConfiguration<String, String> configuration = new MutableConfiguration<String, String>()
        .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(ExpiredRecorder.class), null, true, true));
    LarderCache<String, String> cache = larder("reclaim", configuration);
    for (int i = 0; i < 10; i++) {
      cache.put("k" + i, "v" + i, Duration.ofMillis(50));
    }
    java.util.concurrent.ConcurrentMap<?, ?> engine = cache.unwrap(java.util.concurrent.ConcurrentMap.class);
    assertThat(engine).hasSize(10);

    time.advance(49);
    cache.unwrap(dev.larder.store.InProcessStore.class).sweep();
    assertThat(expired).as("not yet due").isEmpty();
    // No read, no write: only the store's sweep can reclaim them (the one it schedules may get there first).
    time.advance(1 + dev.larder.store.InProcessStore.RECLAIM_DELAY_MILLIS + dev.larder.store.InProcessStore.SWEEP_MILLIS);
    cache.unwrap(dev.larder.store.InProcessStore.class).sweep();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (expired.size() < 10 && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // a scheduled sweep that took some keys first may still be telling the listener
    }
    assertThat(expired).hasSize(10).allSatisfy(event -> {
      assertThat(event.getEventType()).isEqualTo(EventType.EXPIRED);
      assertThat(event.getOldValue()).isEqualTo("v" + ((String) event.getKey()).substring(1));
    });
    assertThat(engine).isEmpty();
  }

  /** Records EXPIRED events in a static sink (listener factories create their own instance). */
  public static final class ExpiredRecorder implements CacheEntryExpiredListener<String, String>, Serializable {
    static volatile List<CacheEntryEvent<?, ?>> sink;

    @Override
    public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(sink::add);
    }
  }

  @Test
  void invokeNeverSerializesItsProcessorOrArguments() {
    // Spring's @Cacheable(sync = true) passes a Callable that is not Serializable through invoke.
    Cache<String, String> cache = manager.createCache("sync", new MutableConfiguration<String, String>());
    Callable<String> notSerializable = () -> "loaded";
    String value = cache.invoke("k", (entry, arguments) -> {
      if (!entry.exists()) {
        try {
          entry.setValue(((Callable<?>) arguments[0]).call().toString());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return entry.getValue();
    }, notSerializable);
    assertThat(value).isEqualTo("loaded");
    assertThat(cache.get("k")).isEqualTo("loaded");
  }

  @Test
  void concurrentIncrementsThroughInvokeAreNeverLost() throws Exception {
    Cache<String, Integer> cache = manager.createCache("counter", new MutableConfiguration<String, Integer>());
    int threads = 4;
    int increments = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < increments; i++) {
            cache.invoke("hits", (entry, args) -> {
              entry.setValue(entry.exists() ? entry.getValue() + 1 : 1);
              return null;
            });
          }
        }));
      }
      for (Future<?> future : done) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cache.get("hits")).isEqualTo(threads * increments);
  }

  @Test
  void statisticsMXBeanIsRegisteredAndRemovedAtRunTime() throws Exception {
    Cache<String, String> cache = manager.createCache("stats", new MutableConfiguration<String, String>());
    ObjectName name = new ObjectName("javax.cache:type=CacheStatistics,CacheManager="
        + manager.getURI().toString().replace(':', '.') + ",Cache=stats");
    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isFalse();

    manager.enableStatistics("stats", true);
    cache.put("a", "1");
    cache.get("a");
    cache.get("b");
    assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(name, "CacheHits")).isEqualTo(1L);
    assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(name, "CacheMisses")).isEqualTo(1L);

    manager.enableStatistics("stats", false);
    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isFalse();
  }

  @Test
  void closingTheCacheReleasesItFromItsManager() {
    Cache<String, String> cache = manager.createCache("closing", new MutableConfiguration<String, String>());
    cache.close();
    assertThat(cache.isClosed()).isTrue();
    assertThat(manager.getCache("closing")).isNull();
    assertThatThrownBy(() -> cache.get("k")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closing");
    assertThat(manager.createCache("closing", new MutableConfiguration<String, String>())).isNotSameAs(cache);
  }

  @Test
  void uuidKeysAndValuesWork() {
    Cache<UUID, UUID> cache = manager.createCache("uuids", new MutableConfiguration<UUID, UUID>());
    UUID key = UUID.randomUUID();
    cache.put(key, key);
    assertThat(cache.get(key)).isSameAs(key);
  }

  /** A slow computation: real time, as the other callers really wait for it on their own threads. */
  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The get that reads the store from the cache itself (by reference, no refresh, no access expiry,
   * statistics off): that it still does everything a get must, and that the statistics switch moves
   * gets on and off it.
   */
  @org.junit.jupiter.api.Nested
  class PlainGet {

    @Test
    void aHitIsTheStoredObjectAndAnExpiredEntryIsAMissReportedOnce() {
      MutableConfiguration<String, List<String>> configuration = new MutableConfiguration<String, List<String>>()
          .setStoreByValue(false).setExpiryPolicyFactory(javax.cache.expiry.CreatedExpiryPolicy.factoryOf(
              new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, 100)));
      List<String> expired = new CopyOnWriteArrayList<>();
      CacheEntryExpiredListener<String, List<String>> listener = events -> events.forEach(event -> expired.add(event.getKey()));
      javax.cache.configuration.Factory<CacheEntryExpiredListener<String, List<String>>> listenerFactory = () -> listener;
      configuration.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
          listenerFactory, null, false, true));
      Cache<String, List<String>> cache = larder("plainExpiry", configuration);
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
      Cache<Integer, String> cache = larder("plainLoad", configuration);

      assertThat(cache.get(7)).isEqualTo("v7");
      assertThat(cache.get(7)).isEqualTo("v7");
      assertThat(loads).hasValue(1);
    }

    @Test
    void theGetsMadeWhileStatisticsAreOnAreCountedAndOnlyThose() {
      Cache<Integer, Integer> cache = larder("plainStatistics",
          new MutableConfiguration<Integer, Integer>().setStoreByValue(false));
      dev.larder.management.CacheStatistics statistics = cache.unwrap(StoreCache.class).statistics();
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
      Cache<String, String> cache = larder("plainAccess", new MutableConfiguration<String, String>()
          .setStoreByValue(false).setExpiryPolicyFactory(javax.cache.expiry.AccessedExpiryPolicy.factoryOf(
              new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, 100))));
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
      Cache<String, ArrayList<String>> cache = larder("plainByValue", new MutableConfiguration<String, ArrayList<String>>());
      ArrayList<String> value = new ArrayList<>(List.of("a"));
      cache.put("k", value);

      ArrayList<String> read = cache.get("k");
      assertThat(read).isEqualTo(value).isNotSameAs(value);
      read.add("b");
      assertThat(cache.get("k")).containsExactly("a");
    }
  }
}
