package dev.larder.appengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import dev.larder.store.codec.Envelope;
import dev.larder.store.codec.TaggedSerializer;
import dev.larder.store.StoreEntry;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The App Engine store on App Engine's local memcache service: what the TCK does not check. Two managers
 * from two providers stand for two instances of an application: they share nothing but the service.
 */
class AppEngineStoreTest {

  @RegisterExtension
  final LocalMemcache memcache = new LocalMemcache();

  private final List<CacheManager> managers = new ArrayList<>();
  private final List<ExecutorService> pools = new ArrayList<>();

  @BeforeEach
  void noneYet() {
    managers.clear();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    managers.forEach(CacheManager::close);
  }

  /** A manager of its own provider: another instance of the application, as far as Larder can tell. */
  private CacheManager instance() {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("app:shop"),
        getClass().getClassLoader());
    managers.add(manager);
    return manager;
  }

  private <K, V> LarderCache<K, V> cache(CacheManager manager, String name, AppEngineSettings settings,
      LarderConfiguration<K, V> configuration) {
    configuration.setStoreFactory(AppEngineStoreFactory.of(settings));
    configuration.setStatisticsEnabled(true);
    @SuppressWarnings("unchecked")
    LarderCache<K, V> cache = manager.createCache(name, configuration).unwrap(LarderCache.class);
    return cache;
  }

  private <K, V> LarderCache<K, V> cache(CacheManager manager, String name) {
    return cache(manager, name, AppEngineSettings.defaults(), new LarderConfiguration<>());
  }

  private ExecutorService pool(int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    pools.add(pool);
    return pool;
  }

  @Test
  void twoInstancesShareEntriesAndSeeEachOthersUpdatesAndRemovals() {
    LarderCache<String, String> a = cache(instance(), "pages");
    LarderCache<String, String> b = cache(instance(), "pages");
    a.put("home", "v1");
    assertThat(b.get("home")).isEqualTo("v1");
    assertThat(b.replace("home", "v1", "v2")).isTrue();
    assertThat(a.get("home")).isEqualTo("v2");
    assertThat(a.getAll(Set.of("home", "none"))).isEqualTo(Map.of("home", "v2"));
    assertThat(b.remove("home")).isTrue();
    assertThat(a.containsKey("home")).isFalse();
    assertThat(a.putIfAbsent("home", "v3")).isTrue(); // over the tombstone of the removal
    assertThat(b.get("home")).isEqualTo("v3");
  }

  @Test
  void iterationAndRemoveAllSeeEveryInstancesKeys() {
    LarderCache<Integer, String> a = cache(instance(), "catalogue");
    LarderCache<Integer, String> b = cache(instance(), "catalogue");
    Map<Integer, String> expected = new HashMap<>();
    for (int i = 0; i < 700; i++) { // more than one batch of key slots (500) and of items (100)
      expected.put(i, "item" + i);
      (i % 2 == 0 ? a : b).put(i, "item" + i);
    }
    a.remove(3);
    expected.remove(3);
    b.put(3 + 1, "again"); // an update: one slot still
    expected.put(4, "again");

    Map<Integer, String> seen = new HashMap<>();
    for (Cache.Entry<Integer, String> entry : b) {
      assertThat(seen.put(entry.getKey(), entry.getValue())).as("listed once: " + entry.getKey()).isNull();
    }
    assertThat(seen).isEqualTo(expected);

    Set<Integer> removed = new HashSet<>();
    a.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(new Removals(removed)), null, false, true));
    a.removeAll();
    assertThat(removed).isEqualTo(expected.keySet());
    assertThat(b.iterator().hasNext()).isFalse();
    for (int i = 0; i < 700; i++) {
      assertThat(b.containsKey(i)).isFalse();
    }
  }

  @Test
  void removeAllDropsEvenEntriesWhoseKeySlotMemcacheEvicted() {
    LarderCache<String, String> a = cache(instance(), "evicted");
    a.put("kept", "1");
    a.put("lost", "2");
    // memcache evicts the key slot of "lost" (slots are items like any other): delete it by hand
    List<String> slots = new ArrayList<>();
    memcache.raw().getAll(List.of(slotKeys(a, 1), slotKeys(a, 2))).forEach((slot, itemKey) -> {
      if (((String) itemKey).endsWith("slost")) {
        slots.add(slot);
      }
    });
    assertThat(slots).hasSize(1);
    memcache.raw().delete(slots.get(0));

    Set<String> listed = new HashSet<>();
    a.forEach(entry -> listed.add(entry.getKey()));
    assertThat(listed).containsExactly("kept");
    a.removeAll();
    assertThat(a.get("kept")).isNull();
    assertThat(a.get("lost")).as("not listed, yet removeAll() must not leave it").isNull();

    // memcache evicts the slot counter: the next key created starts the count again, over slot 1
    a.put("first", "1");
    String counter = slotKeys(a, 1).replace("key:1", "keys");
    assertThat(memcache.raw().delete(counter)).isTrue();
    a.put("second", "2");
    a.removeAll();
    assertThat(a.get("first")).as("its slot was overwritten, yet removeAll() must not leave it").isNull();
    assertThat(cache(instance(), "evicted").get("second")).isNull();
  }

  private static String slotKeys(LarderCache<String, String> cache, int slot) {
    AppEngineStore<?, ?> store = cache.unwrap(AppEngineStore.class);
    String itemKey = store.itemKey(TaggedSerializer.INSTANCE.serialize("kept"));
    return itemKey.substring(0, itemKey.lastIndexOf(':') + 1) + "key:" + slot;
  }

  @Test
  void batchOperationsCostAFewServiceCallsWhateverTheirSize() {
    LarderCache<Integer, String> cache = cache(instance(), "batches");
    cache.get(0); // the generation, read once a second, is not the batch's
    Map<Integer, String> entries = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      entries.put(i, "v" + i);
    }
    int before = memcache.calls();
    cache.putAll(entries); // read with CAS ids, two calls for the key index, the adds
    assertThat(memcache.calls() - before).as("calls for putAll of 100 new keys").isLessThanOrEqualTo(4);
    before = memcache.calls();
    assertThat(cache.getAll(entries.keySet())).isEqualTo(entries);
    assertThat(memcache.calls() - before).as("calls for getAll of 100").isEqualTo(1);
    before = memcache.calls();
    cache.putAll(Map.of(1, "w1", 2, "w2"));
    assertThat(memcache.calls() - before).as("calls to update 2: read, CAS write").isEqualTo(2);
    before = memcache.calls();
    cache.removeAll(entries.keySet());
    assertThat(memcache.calls() - before).as("calls for removeAll of 100 keys").isLessThanOrEqualTo(2);
    assertThat(cache(instance(), "batches").getAll(entries.keySet())).isEmpty();
    Set<Integer> listed = new HashSet<>();
    cache.forEach(entry -> listed.add(entry.getKey()));
    assertThat(listed).isEmpty();
    cache.putAll(Map.of(5, "back"));
    assertThat(cache(instance(), "batches").get(5)).isEqualTo("back");
  }

  @Test
  void clearAndDestroyTouchOnlyTheirOwnCache() {
    CacheManager manager = instance();
    LarderCache<String, String> orders = cache(manager, "orders");
    LarderCache<String, String> users = cache(manager, "users");
    memcache.raw().put("someone-else", "theirs");
    orders.put("o1", "x");
    users.put("u1", "y");
    orders.clear();
    assertThat(orders.get("o1")).isNull();
    assertThat(users.get("u1")).isEqualTo("y");
    assertThat(memcache.raw().get("someone-else")).isEqualTo("theirs");

    LarderCache<String, String> other = cache(instance(), "orders");
    other.put("o2", "z");
    assertThat(orders.get("o2")).as("the other instance's write after the clear").isEqualTo("z");
    manager.destroyCache("users");
    assertThat(cache(instance(), "users").get("u1")).isNull();
    assertThat(memcache.raw().get("someone-else")).isEqualTo("theirs");
  }

  @Test
  void anEntryExpiresToTheMillisecondThoughTheServiceKeepsItToTheSecond() {
    dev.larder.FakeTime time = new dev.larder.FakeTime();
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>().setTimeSource(time);
    configuration.setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, 300)));
    LarderCache<String, String> cache = cache(instance(), "short", AppEngineSettings.defaults(), configuration);
    cache.put("k", "v");
    String itemKey = cache.unwrap(AppEngineStore.class).itemKey(TaggedSerializer.INSTANCE.serialize("k"));
    time.advance(299);
    assertThat(cache.get("k")).isEqualTo("v");
    time.advance(1);
    // the service's expiry is whole seconds (and on its own clock): the item is still there
    assertThat(memcache.raw().get(itemKey)).as("still in the service").isNotNull();
    assertThat(cache.get("k")).as("expired to the millisecond").isNull();
  }

  @Test
  void concurrentIncrementsFromTwoInstancesAreNeverLost() throws Exception {
    LarderCache<String, Long> a = cache(instance(), "counters");
    LarderCache<String, Long> b = cache(instance(), "counters");
    int threadsPerInstance = 3;
    int increments = 150;
    ExecutorService pool = pool(threadsPerInstance * 2);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (LarderCache<String, Long> cache : List.of(a, b)) {
      for (int t = 0; t < threadsPerInstance; t++) {
        done.add(pool.submit(() -> {
          memcache.adopt();
          start.await();
          for (int i = 0; i < increments; i++) {
            cache.invoke("hot", (entry, args) -> {
              entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L);
              return null;
            });
          }
          return null;
        }));
      }
    }
    start.countDown();
    for (Future<?> each : done) {
      each.get(60, TimeUnit.SECONDS);
    }
    assertThat(b.get("hot")).isEqualTo((long) threadsPerInstance * 2 * increments);
  }

  @Test
  void oneCallerComputesAcrossInstancesWhileTheOthersWait() throws Exception {
    LarderCache<String, String> a = cache(instance(), "reports");
    LarderCache<String, String> b = cache(instance(), "reports");
    AtomicInteger computations = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = pool(8);
    List<Future<String>> answers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      LarderCache<String, String> cache = t % 2 == 0 ? a : b;
      answers.add(pool.submit(() -> {
        memcache.adopt();
        start.await();
        return cache.get("slow", key -> {
          computations.incrementAndGet();
          try {
            Thread.sleep(300); // a slow computation, long enough for every caller to arrive meanwhile
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return "report";
        }, java.time.Duration.ofMinutes(5));
      }));
    }
    start.countDown();
    for (Future<String> answer : answers) {
      assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("report");
    }
    assertThat(computations).hasValue(1);
  }

  @Test
  void aCallFromAThreadWithoutTheEnvironmentSaysWhatToDoEvenUnderTheMissPolicy() throws Exception {
    LarderCache<String, String> cache = cache(instance(), "rule", AppEngineSettings.defaults().withFailuresAsMisses(true),
        new LarderConfiguration<>());
    cache.put("k", "v");
    Future<Throwable> failure = pool(1).submit(() -> {
      try {
        cache.get("k");
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    assertThat(failure.get(10, TimeUnit.SECONDS)).isInstanceOf(CacheException.class)
        .hasMessageContaining("carries no App Engine API environment")
        .hasMessageContaining("ThreadManager");
  }

  @Test
  void larderOwnThreadsCarryTheCallersEnvironment() throws Exception {
    LarderConfiguration<String, String> configuration = new LarderConfiguration<>();
    configuration.setCacheLoaderFactory(FactoryBuilder.factoryOf(UpperCaseLoader.class));
    LarderCache<String, String> cache = cache(instance(), "carried", AppEngineSettings.defaults(), configuration);
    LarderCache<String, String> other = cache(instance(), "carried");

    // loadAll runs on Larder's thread, which writes what it loaded to the service
    javax.cache.integration.CompletionListenerFuture loaded = new javax.cache.integration.CompletionListenerFuture();
    cache.loadAll(Set.of("a", "b"), false, loaded);
    loaded.get(10, TimeUnit.SECONDS); // throws if the load failed
    assertThat(other.getAll(Set.of("a", "b"))).isEqualTo(Map.of("a", "A", "b", "B"));

    // an asynchronous listener runs on Larder's thread and reads the cache there
    java.util.concurrent.CompletableFuture<String> readInListener = new java.util.concurrent.CompletableFuture<>();
    ReadBack.target = readInListener;
    cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(ReadBack.class), null, false, false));
    ReadBack.cache = cache;
    cache.put("c", "C");
    assertThat(readInListener.get(10, TimeUnit.SECONDS)).isEqualTo("C");
  }

  @Test
  void aValueOverTheItemLimitIsRefusedNamingKeyAndSizeAndNothingIsWritten() {
    LarderCache<String, byte[]> cache = cache(instance(), "big");
    cache.put("blob", new byte[10]);
    assertThatThrownBy(() -> cache.put("blob", new byte[1_100_000]))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("blob")
        .hasMessageContaining("1100")
        .hasMessageContaining("1048576");
    assertThat(cache.get("blob")).hasSize(10);
    cache.put("blob", new byte[1_000_000]); // under the limit: stored, and read back whole
    LarderCache<String, byte[]> elsewhere = cache(instance(), "big");
    assertThat(elsewhere.get("blob")).hasSize(1_000_000);
  }

  @Test
  void aPlantedValueOfAClassOutsideTheAllowListIsRefusedWithTheSettingThatAllowsIt() {
    LarderCache<String, Serializable> cache = cache(instance(), "planted");
    cache.put("k", "fine");
    String itemKey = cache.unwrap(AppEngineStore.class).itemKey(TaggedSerializer.INSTANCE.serialize("k"));
    byte[] value = TaggedSerializer.INSTANCE.serialize(new java.util.concurrent.ConcurrentSkipListSet<>(Set.of(1)));
    memcache.raw().put(itemKey, Envelope.encode(TaggedSerializer.INSTANCE.serialize("k"), value, StoreEntry.NEVER, 7L));
    assertThatThrownBy(() -> cache(instance(), "planted").get("k"))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("java.util.concurrent.ConcurrentSkipListSet")
        .hasMessageContaining(AppEngineSettings.DESERIALIZATION_ALLOW + "=java.util.concurrent.ConcurrentSkipListSet");
  }

  @Test
  void aPlantedGraphNestedTooDeepIsRefusedBeforeItIsBuilt() {
    LarderCache<String, Serializable> cache = cache(instance(), "deep");
    cache.put("k", "fine");
    String itemKey = cache.unwrap(AppEngineStore.class).itemKey(TaggedSerializer.INSTANCE.serialize("k"));
    java.util.ArrayList<Object> nested = new java.util.ArrayList<>();
    java.util.ArrayList<Object> inner = nested;
    for (int depth = 0; depth < 40; depth++) {
      java.util.ArrayList<Object> next = new java.util.ArrayList<>();
      inner.add(next);
      inner = next;
    }
    byte[] value = TaggedSerializer.INSTANCE.serialize(nested);
    memcache.raw().put(itemKey, Envelope.encode(TaggedSerializer.INSTANCE.serialize("k"), value, StoreEntry.NEVER, 9L));
    assertThatThrownBy(() -> cache(instance(), "deep").get("k"))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("nested deeper than 20")
        .hasMessageContaining(AppEngineSettings.SETTINGS + ".deserialization.max.depth");
  }

  @Test
  void aFailingServiceThrowsUnderThrowAndMissesUnderMiss() throws javax.management.JMException {
    LarderCache<String, String> strict = cache(instance(), "strict");
    LarderCache<String, String> lenient = cache(instance(), "lenient",
        AppEngineSettings.defaults().withFailuresAsMisses(true), new LarderConfiguration<>());
    strict.put("k", "before");
    lenient.put("k", "before");
    memcache.fail();
    assertThatThrownBy(() -> strict.get("k"))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("App Engine memcache failed")
        .hasRootCauseInstanceOf(com.google.apphosting.api.ApiProxy.UnknownException.class);
    assertThatThrownBy(() -> strict.put("k", "during")).isInstanceOf(CacheException.class);
    assertThat(lenient.get("k")).as("a miss").isNull();
    lenient.put("k", "during"); // skipped, no exception
    memcache.heal();
    assertThat(strict.get("k")).isEqualTo("before");
    assertThat(lenient.get("k")).as("the skipped write left the old value").isEqualTo("before");
    assertThat(lenient.unwrap(dev.larder.store.FailurePolicyStore.class).failures()).isEqualTo(2);
    javax.management.ObjectName name = dev.larder.management.MBeans.objectName("dev.larder", "AppEngineStore",
        "app:shop", "lenient");
    javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    assertThat(server.getAttribute(name, "Failures")).as("over JMX").isEqualTo(2L);
    assertThat(server.getAttribute(name, "OnFailure")).isEqualTo("miss");
    assertThat(server.getAttribute(dev.larder.management.MBeans.objectName("dev.larder", "AppEngineStore",
        "app:shop", "strict"), "OnFailure")).isEqualTo("throw");
  }

  @Test
  void aHungServiceCostsACallTheTimeoutAndNoMore() throws Exception {
    LarderCache<String, String> strict = cache(instance(), "hung",
        AppEngineSettings.defaults().withTimeoutMillis(200), new LarderConfiguration<>());
    LarderCache<String, String> lenient = cache(instance(), "hung-miss",
        AppEngineSettings.defaults().withTimeoutMillis(200).withFailuresAsMisses(true), new LarderConfiguration<>());
    strict.put("k", "v");
    lenient.put("k", "v");
    memcache.hang();
    long started = System.nanoTime();
    assertThatThrownBy(() -> strict.get("k")).isInstanceOf(CacheException.class)
        .hasMessageContaining("did not answer").hasMessageContaining("200 ms");
    assertThat(lenient.get("k")).isNull();
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(elapsedMillis).as("two calls of 200 ms each, bounded").isBetween(390L, 1500L);
    memcache.heal();
    assertThat(strict.get("k")).isEqualTo("v");
  }

  /** Records the keys of REMOVED events. */
  public static final class Removals implements CacheEntryRemovedListener<Integer, String>, Serializable {
    private static final long serialVersionUID = 1L;
    private final transient Set<Integer> removed;

    Removals(Set<Integer> removed) {
      this.removed = removed;
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
      for (CacheEntryEvent<? extends Integer, ? extends String> event : events) {
        removed.add(event.getKey());
      }
    }
  }

  /** Loads the key in upper case. */
  public static final class UpperCaseLoader implements javax.cache.integration.CacheLoader<String, String> {
    @Override
    public String load(String key) {
      return key.toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      Map<String, String> loaded = new HashMap<>();
      keys.forEach(key -> loaded.put(key, load(key)));
      return loaded;
    }
  }

  /** An asynchronous listener that reads the created key back through the cache, on Larder's thread. */
  public static final class ReadBack implements CacheEntryCreatedListener<String, String> {
    static volatile java.util.concurrent.CompletableFuture<String> target;
    static volatile LarderCache<String, String> cache;

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> event : events) {
        try {
          target.complete(cache.get(event.getKey()));
        } catch (RuntimeException e) {
          target.completeExceptionally(e);
        }
      }
    }
  }
}
