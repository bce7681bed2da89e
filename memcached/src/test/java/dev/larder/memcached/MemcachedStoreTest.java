package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.spi.LarderCachingProvider;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/** The memcached store against real memcached processes on loopback. */
class MemcachedStoreTest {

  private final List<CacheManager> managers = new ArrayList<>();
  private String servers;
  private String prefix;

  @BeforeEach
  void setUp(TestInfo test) {
    servers = MemcachedServers.shared();
    // A prefix per run keeps runs apart on the shared servers.
    prefix = "t" + Long.toString(System.nanoTime(), 36);
  }

  @AfterEach
  void tearDown() {
    managers.forEach(CacheManager::close);
  }

  private CacheManager manager(String uri) {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create(uri), getClass().getClassLoader());
    managers.add(manager);
    return manager;
  }

  private <K, V> LarderCache<K, V> cache(CacheManager manager, String name, MemcachedSettings settings) {
    LarderConfiguration<K, V> configuration = new LarderConfiguration<K, V>()
        .setStoreFactory(MemcachedStoreFactory.of(settings));
    configuration.setStatisticsEnabled(true);
    @SuppressWarnings("unchecked")
    LarderCache<K, V> cache = manager.createCache(name, configuration).unwrap(LarderCache.class);
    return cache;
  }

  private <K, V> LarderCache<K, V> cache(String name) {
    return cache(manager("app:one"), name, MemcachedSettings.servers(servers).withPrefix(prefix));
  }

  @Test
  void keysAreSpreadOverEveryServerAndEachKeyLivesWhereTheLocatorSays() throws IOException {
    LarderCache<String, String> cache = cache("spread");
    for (int i = 0; i < 300; i++) {
      cache.put("key" + i, "value" + i);
    }
    MemcachedClient client = cache.unwrap(MemcachedClient.class);
    Map<Integer, Integer> itemsPerPort = new HashMap<>();
    for (var node : client.nodes()) {
      int[] count = {0};
      client.dumpKeys(node, prefix + ":", key -> count[0]++);
      itemsPerPort.put(node.address().getPort(), count[0]);
    }
    // 300 items plus the generation counter, on three servers, each with a fair share.
    assertThat(itemsPerPort.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(301);
    assertThat(itemsPerPort).hasSize(3).allSatisfy((port, count) -> assertThat(count).isGreaterThan(50));
    for (int i = 0; i < 300; i++) {
      assertThat(cache.get("key" + i)).isEqualTo("value" + i);
    }
  }

  @Test
  void getAllAndPutAllTakeOneBatchPerServer() {
    LarderCache<String, String> cache = cache("bulk");
    Map<String, String> entries = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      entries.put("k" + i, "v" + i);
    }
    cache.get("warm-up"); // reads the cache's generation, so the counts below are the bulk calls alone
    MemcachedClient client = cache.unwrap(MemcachedClient.class);

    long before = batches(client);
    cache.putAll(entries);
    // One batch of reads (for events and expiry) and one of writes per server.
    assertThat(batches(client) - before).isEqualTo(2L * client.nodes().size());

    Set<String> keys = new HashSet<>(entries.keySet());
    keys.add("absent");
    before = batches(client);
    assertThat(cache.getAll(keys)).isEqualTo(entries);
    assertThat(batches(client) - before).isEqualTo(client.nodes().size());

    before = batches(client);
    cache.removeAll(keys);
    assertThat(batches(client) - before).isEqualTo(2L * client.nodes().size());
    assertThat(cache.getAll(keys)).isEmpty();
  }

  /**
   * A getAll goes to each server as one classic {@code gets}, which answers only the keys the server
   * holds, in the order asked: each key must still get its own value, its miss, and the CAS token of its
   * own item (a write conditional on what the getAll read lands once, and not after another write).
   */
  @Test
  @Timeout(60)
  void getAllGivesEachKeyItsOwnValueMissAndVersionThoughServersAnswerOnlyWhatTheyHold() {
    LarderCache<String, String> cache = cache("gets");
    Map<String, String> present = new HashMap<>();
    Set<String> keys = new java.util.LinkedHashSet<>();
    for (int i = 0; i < 600; i++) {
      keys.add("k" + i);
      if (i % 3 != 0 && i % 7 != 0) { // runs of misses of one, two and more keys between hits
        present.put("k" + i, "v" + i + "x".repeat(i % 50));
      }
    }
    cache.putAll(present);
    for (int round = 0; round < 3; round++) {
      assertThat(cache.getAll(keys)).as("round %d", round).isEqualTo(present);
    }
    Set<String> onlyMisses = new HashSet<>(List.of("k0", "k3", "k6", "k7"));
    assertThat(cache.getAll(onlyMisses)).isEmpty();

    @SuppressWarnings("unchecked")
    MemcachedStore<String, String> store = cache.unwrap(MemcachedStore.class);
    Map<String, dev.larder.store.StoreEntry<String>> read = store.getAll(Set.of("k1", "k2", "k4"));
    assertThat(read.keySet()).containsExactlyInAnyOrder("k1", "k2", "k4");
    dev.larder.store.StoreEntry<String> k2 = read.get("k2");
    assertThat(k2.version()).as("the CAS token of the gets").isNotEqualTo(dev.larder.store.StoreEntry.NO_VERSION);
    assertThat(k2.value()).isEqualTo(present.get("k2"));
    assertThat(store.replaceIfSame("k2", k2, new dev.larder.store.StoreEntry<>("replaced", k2.expiresAt())))
        .as("a write conditional on the version read in bulk").isTrue();
    assertThat(store.replaceIfSame("k2", k2, new dev.larder.store.StoreEntry<>("again", k2.expiresAt())))
        .as("the same version, now stale").isFalse();
    assertThat(cache.get("k2")).isEqualTo("replaced");
  }

  /**
   * Short strings are deserialized on every read (cheaper than looking up the instance held, measured in
   * {@code TaggedSerializer#readsCheaply}); other values come back as the instance this JVM wrote.
   */
  @Test
  @Timeout(60)
  void shortStringsAreReadAnewAndOtherValuesAreTheInstanceWritten() {
    LarderCache<String, String> cache = cache("anew");
    @SuppressWarnings("unchecked")
    MemcachedStore<String, String> store = cache.unwrap(MemcachedStore.class);
    String shortValue = new String("short");
    String longValue = "l".repeat(600);
    store.put("s", new dev.larder.store.StoreEntry<>(shortValue, dev.larder.store.StoreEntry.NEVER));
    store.put("l", new dev.larder.store.StoreEntry<>(longValue, dev.larder.store.StoreEntry.NEVER));
    for (int read = 0; read < 2; read++) { // the first read checks the bytes, the second finds them checked
      assertThat(store.get("s").value()).isEqualTo(shortValue).isNotSameAs(shortValue);
      assertThat(store.get("l").value()).isSameAs(longValue);
      Map<String, dev.larder.store.StoreEntry<String>> both = store.getAll(Set.of("s", "l"));
      assertThat(both.get("s").value()).isEqualTo(shortValue).isNotSameAs(shortValue);
      assertThat(both.get("l").value()).isSameAs(longValue);
    }
  }

  /** A getAll of 30,000 keys: each server's share is one {@code gets} line of some 300 KB, answered in full. */
  @Test
  @Timeout(60)
  void aGetAllOfThirtyThousandKeysAnswersEachOfThem() {
    LarderCache<String, String> cache = cache("large-gets");
    Map<String, String> present = new HashMap<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 30_000; i++) {
      keys.add("key-" + i);
      if (i % 3 == 1) {
        present.put("key-" + i, "value-" + i);
      }
    }
    cache.putAll(present);
    assertThat(cache.getAll(keys)).hasSize(10_000).isEqualTo(present);
  }

  /**
   * What a getAll writes to a server is one {@code gets} line: counted by the server itself
   * ({@code bytes_read}), a server of its own so nothing else writes to it. The same reads as
   * {@code mg <key> v c} lines would be 8 bytes more a key.
   */
  @Test
  @Timeout(60)
  void getAllWritesEachServerOneClassicGetsLine() throws Exception {
    try (MemcachedServers.OwnServer server = new MemcachedServers.OwnServer(11335).start()) {
      LarderCache<String, String> cache = cache(manager("app:gets-line"), "gets-line",
          MemcachedSettings.servers(server.address()).withPrefix(prefix));
      Set<String> keys = new java.util.LinkedHashSet<>();
      for (int i = 0; i < 40; i++) {
        keys.add("key-" + i);
      }
      cache.put("key-7", "seven");
      MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);
      long line = (long) "gets".length() + "\r\n".length();
      for (String key : keys) {
        line += 1 + store.memcachedKey(dev.larder.store.codec.TaggedSerializer.INSTANCE.serialize(key)).length();
      }
      long before = bytesRead(server.port);
      assertThat(cache.getAll(keys)).isEqualTo(Map.of("key-7", "seven"));
      long stats = "stats\r\n".length(); // the second stats command counts itself
      assertThat(bytesRead(server.port) - before - stats).as("bytes the server read for the getAll").isEqualTo(line);
    }
  }

  private static long bytesRead(int port) throws IOException {
    return MemcachedServers.command(port, "stats", "END").stream().filter(line -> line.startsWith("STAT bytes_read "))
        .mapToLong(line -> Long.parseLong(line.substring("STAT bytes_read ".length()))).findFirst().orElseThrow();
  }

  private static long batches(MemcachedClient client) {
    return client.nodes().stream().mapToLong(node -> node.batchesSent()).sum();
  }

  @Test
  void clearLeavesOtherCachesOtherManagersAndForeignKeysAlone() throws IOException {
    MemcachedSettings settings = MemcachedSettings.servers(servers).withPrefix(prefix);
    LarderCache<String, String> users = cache(manager("app:one"), "users", settings);
    LarderCache<String, String> orders = cache(manager("app:one-b"), "orders", settings);
    LarderCache<String, String> otherUsers = cache(manager("app:two"), "users", settings);
    users.put("alice", "1");
    orders.put("alice", "2");
    otherUsers.put("alice", "3");
    int port = Integer.parseInt(servers.split(",", -1)[0].split(":", -1)[1]);
    String foreignKey = prefix + "-foreign";
    assertThat(MemcachedServers.command(port, "set " + foreignKey + " 0 0 8\r\nnot ours", "STORED")).contains("STORED");

    users.clear();

    assertThat(users.get("alice")).isNull();
    assertThat(users.iterator().hasNext()).isFalse();
    assertThat(orders.get("alice")).isEqualTo("2");
    assertThat(otherUsers.get("alice")).isEqualTo("3");
    assertThat(MemcachedServers.command(port, "get " + foreignKey, "END")).contains("not ours");
    users.put("bob", "4");
    assertThat(users.get("bob")).isEqualTo("4");
  }

  @Test
  void longAndUnprintableKeysAreHashedAndComeBackWhole() {
    LarderCache<Object, String> cache = cache("oddKeys");
    String longKey = "x".repeat(1_000);
    String spaced = "with spaces\tand\ncontrol\u0001 chars and ünïcödé";
    @SuppressWarnings("JavaUtilDate") // a key type applications really use, so it must round-trip
    List<Object> keys = List.of(longKey, spaced, "", 42L, 7, new java.util.Date(0), List.of("a", "b"));
    for (Object key : keys) {
      cache.put(key, "value of " + key.getClass().getSimpleName());
    }
    for (Object key : keys) {
      assertThat(cache.get(key)).isEqualTo("value of " + key.getClass().getSimpleName());
    }
    Set<Object> iterated = new HashSet<>();
    for (Cache.Entry<Object, String> entry : cache) {
      iterated.add(entry.getKey());
    }
    assertThat(iterated).containsExactlyInAnyOrderElementsOf(keys);
  }

  @Test
  void expiryIsToTheMillisecondThoughMemcachedCountsSeconds() {
    dev.larder.FakeTime time = new dev.larder.FakeTime();
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(servers).withPrefix(prefix)))
        .setTimeSource(time);
    @SuppressWarnings("unchecked")
    LarderCache<String, String> cache = manager("app:one").createCache("millis", configuration).unwrap(LarderCache.class);
    cache.put("k", "v", Duration.ofMillis(300));
    time.advance(299);
    assertThat(cache.get("k")).isEqualTo("v");
    time.advance(1);
    assertThat(cache.get("k")).isNull();
  }

  @Test
  void memcachedsTtlIsTheDeadlineInWholeSecondsRoundedUpPlusOneAndAbsolutePastThirtyDays() {
    dev.larder.FakeTime time = new dev.larder.FakeTime();
    dev.larder.store.Store<String, String> opened = MemcachedStoreFactory.of(MemcachedSettings.servers(servers)
        .withPrefix(prefix)).create(new dev.larder.store.StoreContext<>("app:ttl", "ttl", -1, -1, null,
        new dev.larder.store.StoreContext.StoreListener<String, String>() {
          @Override
          public void expired(String key, dev.larder.store.StoreEntry<String> entry) {
          }

          @Override
          public void evicted(String key, dev.larder.store.StoreEntry<String> entry) {
          }
        }, getClass().getClassLoader(), String.class, String.class, time));
    MemcachedStore<String, String> store = (MemcachedStore<String, String>) opened;
    try {
      long now = time.millis();
      long thirtyDays = TimeUnit.DAYS.toMillis(30);
      assertThat(store.ttlSeconds(dev.larder.store.StoreEntry.NEVER)).as("no deadline: no TTL").isZero();
      assertThat(store.ttlSeconds(now + 1)).isEqualTo(2);
      assertThat(store.ttlSeconds(now + 1_000)).isEqualTo(2);
      assertThat(store.ttlSeconds(now + 1_001)).isEqualTo(3);
      assertThat(store.ttlSeconds(now - 5_000)).as("already past: the least memcached keeps").isEqualTo(1);
      assertThat(store.ttlSeconds(now + thirtyDays - 1_000)).as("30 days exactly: still relative")
          .isEqualTo(TimeUnit.DAYS.toSeconds(30));
      assertThat(store.ttlSeconds(now + thirtyDays + 5_000)).as("past 30 days: a Unix time")
          .isEqualTo((now + thirtyDays + 5_000) / 1_000 + 2);
      time.advance(10_000);
      assertThat(store.ttlSeconds(now + 20_000)).as("counted from the cache's time").isEqualTo(11);
    } finally {
      store.close();
    }
  }

  @Test
  void aValueOverTheItemSizeLimitFailsAndWritesNothing() {
    LarderCache<String, byte[]> cache = cache("oversized");
    byte[] big = new byte[2 * 1024 * 1024];
    assertThatThrownBy(() -> cache.put("big", big))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("big")
        .hasMessageContaining("item size limit of 1048576 bytes")
        .hasMessageContaining("127.0.0.1:");
    assertThat(cache.containsKey("big")).isFalse();
    cache.put("small", new byte[1000]);
    assertThat(cache.get("small")).hasSize(1000);
  }

  @Test
  void concurrentIncrementsFromThreadsAndTwoIndependentClientsAreNeverLost() throws Exception {
    // Two managers with their own clients (other timeouts = other connections), as two JVMs would have.
    MemcachedSettings first = MemcachedSettings.servers(servers).withPrefix(prefix);
    MemcachedSettings second = first.withTimeoutMillis(first.timeoutMillis() + 1);
    LarderCache<String, Long> a = cache(manager("app:shared"), "counters", first);
    LarderCache<String, Long> b = cache(new LarderCachingProvider().getCacheManager(URI.create("app:shared"),
        getClass().getClassLoader()), "counters", second);
    managers.add(b.getCacheManager());
    assertThat(a.unwrap(MemcachedClient.class)).isNotSameAs(b.unwrap(MemcachedClient.class));

    int threadsPerClient = 3;
    int increments = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threadsPerClient * 2);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger firstPuts = new AtomicInteger();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (LarderCache<String, Long> cache : List.of(a, b)) {
        for (int t = 0; t < threadsPerClient; t++) {
          done.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < increments; i++) {
              cache.invoke("hot", (entry, args) -> {
                entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L);
                return null;
              });
              if (cache.putIfAbsent("once", Thread.currentThread().getId())) {
                firstPuts.incrementAndGet();
              }
            }
            return null;
          }));
        }
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(a.get("hot")).isEqualTo(2L * threadsPerClient * increments);
    assertThat(b.get("hot")).isEqualTo(2L * threadsPerClient * increments);
    assertThat(firstPuts).as("putIfAbsent succeeded once in all").hasValue(1);
  }

  /**
   * memcached's LRU walk ({@code lru_crawler metadump all}) misses items that move between its HOT, WARM
   * and COLD queues while it runs: with this test's readers it missed keys in most listings. The TCK's
   * {@code CacheExpiryTest.expire_whenModified} failed once that way, under load.
   */
  @Test
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a listing in flight included
  void theIteratorFindsEveryEntryWhileOtherThreadsReadAndRewriteThem() throws Exception {
    LarderCache<String, String> cache = cache("listedUnderLoad");
    int size = 3000;
    Map<String, String> entries = new HashMap<>();
    for (int i = 0; i < size; i++) {
      entries.put("k" + i, "v" + i);
    }
    cache.putAll(entries);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    AtomicBoolean stop = new AtomicBoolean();
    try {
      List<Future<?>> load = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int seed = t;
        load.add(pool.submit(() -> {
          for (int round = seed; !stop.get(); round++) {
            Set<String> window = new HashSet<>();
            Map<String, String> rewrites = new HashMap<>();
            for (int i = 0; i < 100; i++) {
              window.add("k" + (round * 37 + i * 29) % size);
            }
            for (int i = 0; i < 20; i++) {
              String key = "k" + (round * 13 + i) % size;
              rewrites.put(key, entries.get(key));
            }
            cache.getAll(window);
            cache.putAll(rewrites);
          }
          return null;
        }));
      }
      for (int listing = 0; listing < 8; listing++) {
        Set<String> listed = new HashSet<>();
        for (Cache.Entry<String, String> entry : cache) {
          assertThat(entry.getValue()).isEqualTo(entries.get(entry.getKey()));
          listed.add(entry.getKey());
        }
        assertThat(listed).as("listing %d", listing).hasSize(size);
      }
      stop.set(true);
      for (Future<?> future : load) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void concurrentCallersForOneMissingKeyShareOneComputation() throws Exception {
    LarderCache<String, String> cache = cache("singleFlight");
    AtomicInteger computations = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return cache.get("report", key -> {
            computations.incrementAndGet();
            try {
              Thread.sleep(200); // a slow computation the other callers really wait for
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
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
  void aValueComputedAfterItsPlaceholderLapsedIsStillKept() {
    LarderCache<String, String> cache = cache("lapsed");
    AtomicInteger computations = new AtomicInteger();
    // memcached's clock counts whole seconds, so the placeholder of a computation may lapse any moment
    // within its last second: here it goes while the value is being computed.
    String computed = cache.get("report", key -> {
      computations.incrementAndGet();
      deleteFromMemcached(cache, key);
      return "slow result";
    }, Duration.ofMinutes(5));
    assertThat(computed).isEqualTo("slow result");
    assertThat(cache.get("report", key -> {
      computations.incrementAndGet();
      return "computed again";
    }, Duration.ofMinutes(5))).isEqualTo("slow result");
    assertThat(computations).hasValue(1);

    // A value written once the placeholder had gone is not overwritten by the late one.
    cache.get("other", key -> {
      deleteFromMemcached(cache, key);
      cache.put(key, "written meanwhile");
      return "late result";
    }, Duration.ofMinutes(5));
    assertThat(cache.get("other")).isEqualTo("written meanwhile");
  }

  /** Deletes the key's item behind the cache's back, as memcached does when it lapses or is evicted. */
  private static void deleteFromMemcached(LarderCache<String, String> cache, String key) {
    String item = cache.unwrap(MemcachedStore.class)
        .memcachedKey(dev.larder.store.codec.TaggedSerializer.INSTANCE.serialize(key));
    assertThat(cache.unwrap(MemcachedClient.class).execute(item, dev.larder.memcached.protocol.MetaRequest.delete(
        item, dev.larder.memcached.protocol.MetaFlags.NONE)).code()).as("%s deleted", item).isEqualTo("HD");
  }

  @Test
  void withTheMissPolicyADeadServerCostsMissesAndSkippedWritesNotErrors() throws Exception {
    try (MemcachedServers.OwnServer dying = new MemcachedServers.OwnServer(11333).start()) {
      MemcachedSettings settings = MemcachedSettings.servers(servers + "," + dying.address())
          .withPrefix(prefix).withTimeoutMillis(300).withFailuresAsMisses(true);
      LarderCache<String, String> cache = cache(manager("app:policy"), "policy", settings);
      Map<String, String> entries = new HashMap<>();
      for (int i = 0; i < 60; i++) {
        entries.put("k" + i, "v" + i);
      }
      cache.putAll(entries);
      MemcachedClient client = cache.unwrap(MemcachedClient.class);
      MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);

      dying.kill();
      long started = System.nanoTime();
      int served = 0;
      for (int i = 0; i < 60; i++) {
        String value = cache.get("k" + i); // never throws: the dead server's keys are misses
        if (value != null) {
          assertThat(value).isEqualTo("v" + i);
          served++;
        }
      }
      assertThat(served).as("keys still served by the three live servers").isBetween(20, 59);
      assertThat(cache.getAll(entries.keySet())).hasSize(served);
      cache.put("k-new", "written or skipped"); // a skipped write, not an error
      assertThat(cache.get("k-computed", key -> "computed", Duration.ofMinutes(1))).isEqualTo("computed");
      assertThat(store.metrics().getFailures()).isPositive();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("all of it, ms").isLessThan(10_000);
      assertThat(client.nodes()).hasSize(4);
    }
  }

  @Test
  void withTheDefaultPolicyADeadServerIsAnErrorNamingIt() throws Exception {
    try (MemcachedServers.OwnServer dying = new MemcachedServers.OwnServer(11334).start()) {
      LarderCache<String, String> cache = cache(manager("app:strict"), "strict",
          MemcachedSettings.servers(dying.address()).withPrefix(prefix).withTimeoutMillis(300));
      cache.put("k", "v");
      dying.kill();
      assertThatThrownBy(() -> cache.put("k", "w")).isInstanceOf(CacheException.class)
          .hasMessageContaining("127.0.0.1:11334");
    }
  }

  @Test
  void closingAManagerDuringAnOutageIsPromptAndLeavesNoThreadBehind() throws Exception {
    java.util.function.Supplier<Long> larderThreads = () -> Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(thread -> thread.getName().startsWith("larder-memcached") || thread.getName().startsWith("larder-app:outage"))
        .count();
    long before = larderThreads.get();
    try (MemcachedServers.OwnServer server = new MemcachedServers.OwnServer(11332).start()) {
      CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("app:outage"),
          getClass().getClassLoader());
      LarderCache<String, String> cache = cache(manager, "outage",
          MemcachedSettings.servers(server.address()).withPrefix(prefix).withTimeoutMillis(500));
      cache.put("k", "v");
      cache.loadAll(java.util.Set.of("k"), false, null); // starts the manager's executor
      assertThat(larderThreads.get()).isGreaterThan(before);

      server.kill();
      assertThatThrownBy(() -> cache.get("k")).isInstanceOf(CacheException.class);
      long started = System.nanoTime();
      manager.close();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("close, ms").isLessThan(3_000);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (larderThreads.get() > before && System.nanoTime() < deadline) {
      Thread.sleep(50); // threads end on their own after close: poll, bounded
    }
    assertThat(larderThreads.get()).as("Larder threads left running").isEqualTo(before);
  }

  @Test
  void aServerKilledAndRestartedCostsErrorsThenWorksAgain() throws Exception {
    try (MemcachedServers.OwnServer server = new MemcachedServers.OwnServer(11331).start()) {
      MemcachedSettings settings = MemcachedSettings.servers(server.address()).withPrefix(prefix).withTimeoutMillis(500);
      LarderCache<String, String> cache = cache(manager("app:fault"), "fault", settings);
      cache.put("k", "v");
      assertThat(cache.get("k")).isEqualTo("v");

      server.kill();
      long started = System.nanoTime();
      assertThatThrownBy(() -> cache.get("k"))
          .isInstanceOf(CacheException.class)
          .hasMessageContaining("127.0.0.1:11331");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2_000);

      server.start();
      // The client reconnects by itself once its back-off has passed (at most 5 s).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String value = "unset";
      while (System.nanoTime() < deadline) {
        try {
          value = cache.get("k");
          break;
        } catch (CacheException stillDown) {
          Thread.sleep(100); // the restarted server comes back on real time: poll, bounded
        }
      }
      assertThat(value).as("a restarted memcached is empty").isNull();
      cache.put("k", "again");
      assertThat(cache.get("k")).isEqualTo("again");
    }
  }
}
