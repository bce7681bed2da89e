package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.CacheManager;
import javax.cache.expiry.CreatedExpiryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bounded soak: mixed operations from several threads, with expiry and (in-process) eviction at work,
 * for {@code larder.soak.seconds} (10 s by default) per store. After a warm-up, the retained heap, the
 * JVM's threads and the memcached servers' connections must stay flat.
 */
class SoakTest {

  private static final int THREADS = 4;
  private static final int KEYS = 50_000;
  private static final long HEAP_GROWTH_LIMIT = 32L << 20;
  private static final List<InetSocketAddress> SERVERS = MemcachedSettings.parseServers(MemcachedServers.shared());

  private final List<CacheManager> managers = new ArrayList<>();

  @AfterEach
  void close() {
    managers.forEach(CacheManager::close);
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"in-process", "memcached"})
  void heapThreadsAndConnectionsStayFlat(String store) throws Exception {
    long seconds = Long.getLong("larder.soak.seconds", 10);
    LarderCache<Integer, byte[]> cache = cache(store);
    LongAdder operations = new LongAdder();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      workers.add(pool.submit(() -> {
        while (running.get()) {
          mixedOperation(cache);
          operations.increment();
        }
        return null;
      }));
    }

    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) / 4); // warm-up: the cache fills, JIT settles
    long heapBefore = retainedHeap();
    int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    Map<String, long[]> connectionsBefore = store.equals("memcached") ? connections() : Map.of();
    long operationsBefore = operations.sum();
    List<Long> heapSamples = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) * 3 / 4;
    while (System.nanoTime() < end) {
      Thread.sleep(Math.max(1, TimeUnit.SECONDS.toMillis(seconds) / 8));
      heapSamples.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20);
      for (Future<?> worker : workers) {
        if (worker.isDone()) {
          worker.get(); // a worker that died says why
        }
      }
    }
    long operationsDuring = operations.sum() - operationsBefore;
    Map<String, long[]> connectionsAfter = store.equals("memcached") ? connections() : Map.of();
    int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
    running.set(false);
    for (Future<?> worker : workers) {
      worker.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long heapAfter = retainedHeap();

    System.out.printf("soak %s: %d operations in %d s after warm-up (%d/s), %d threads; retained heap %d -> %d MB"
            + " (used between: %s MB); JVM threads %d -> %d; connections %s -> %s%n", store, operationsDuring,
        seconds * 3 / 4, operationsDuring / Math.max(1, seconds * 3 / 4), THREADS, heapBefore >> 20, heapAfter >> 20,
        heapSamples, threadsBefore, threadsAfter, describe(connectionsBefore), describe(connectionsAfter));
    assertThat(operationsDuring).as("the soak did work").isGreaterThan(1_000);
    assertThat(heapAfter - heapBefore).as("retained heap growth").isLessThan(HEAP_GROWTH_LIMIT);
    assertThat(threadsAfter).as("JVM threads (room for a pool thread started late)").isLessThanOrEqualTo(threadsBefore + 2);
    for (Map.Entry<String, long[]> server : connectionsBefore.entrySet()) {
      long[] before = server.getValue();
      long[] after = connectionsAfter.get(server.getKey());
      assertThat(after[0]).as("open connections on " + server.getKey()).isEqualTo(before[0]);
      // total_connections counts every connection ever accepted: only our own stats probe is new
      assertThat(after[1] - before[1]).as("new connections on " + server.getKey()).isLessThanOrEqualTo(1);
    }
  }

  /** get, put, put with a timeout, getAll, remove, invoke and get-or-compute over 50,000 keys. */
  private static void mixedOperation(LarderCache<Integer, byte[]> cache) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int key = random.nextInt(KEYS);
    int dice = random.nextInt(100);
    if (dice < 50) {
      cache.get(key);
    } else if (dice < 70) {
      cache.put(key, new byte[100 + random.nextInt(900)]);
    } else if (dice < 80) {
      cache.put(key, new byte[100], Duration.ofMillis(50 + random.nextInt(1_000)));
    } else if (dice < 85) {
      Set<Integer> keys = new TreeSet<>();
      for (int i = 0; i < 10; i++) {
        keys.add(random.nextInt(KEYS));
      }
      cache.getAll(keys);
    } else if (dice < 90) {
      cache.remove(key);
    } else if (dice < 95) {
      cache.invoke(key, (entry, arguments) -> {
        entry.setValue(new byte[entry.exists() ? entry.getValue().length % 1000 + 1 : 1]);
        return null;
      });
    } else {
      cache.get(key, k -> new byte[64], Duration.ofMillis(500));
    }
  }

  private LarderCache<Integer, byte[]> cache(String store) {
    LarderConfiguration<Integer, byte[]> configuration = new LarderConfiguration<>();
    configuration.setTypes(Integer.class, byte[].class);
    configuration.setStatisticsEnabled(true);
    configuration.setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(
        new javax.cache.expiry.Duration(TimeUnit.SECONDS, 2)));
    if (store.equals("memcached")) {
      configuration.setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(MemcachedServers.shared())
          .withPrefix("soak" + Long.toString(System.nanoTime(), 36))));
    } else {
      configuration.setMaximumSize(5_000); // 50,000 keys through 5,000 places: eviction all the time
    }
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("soak:" + store),
        getClass().getClassLoader());
    managers.add(manager);
    @SuppressWarnings("unchecked")
    LarderCache<Integer, byte[]> cache = manager.createCache("soak", configuration).unwrap(LarderCache.class);
    return cache;
  }

  /** Used heap after full collections: what the JVM really retains. */
  private static long retainedHeap() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100); // lets the collector finish before the heap is read
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /**
   * {curr_connections, total_connections} of each shared server, read with one stats probe each (and
   * nothing else: MemcachedServers.shared() would open a connection of its own to check each server).
   */
  private static Map<String, long[]> connections() throws IOException {
    Map<String, long[]> result = new HashMap<>();
    for (InetSocketAddress server : SERVERS) {
      long current = -1;
      long total = -1;
      for (String line : MemcachedServers.command(server.getPort(), "stats", "END")) {
        if (line.startsWith("STAT curr_connections ")) {
          current = Long.parseLong(line.substring("STAT curr_connections ".length()).trim());
        } else if (line.startsWith("STAT total_connections ")) {
          total = Long.parseLong(line.substring("STAT total_connections ".length()).trim());
        }
      }
      result.put(server.getHostString() + ":" + server.getPort(), new long[] {current, total});
    }
    return result;
  }

  private static String describe(Map<String, long[]> connections) {
    StringBuilder text = new StringBuilder("{");
    new TreeSet<>(connections.keySet()).forEach(server -> text.append(server).append('=')
        .append(connections.get(server)[0]).append(" open/").append(connections.get(server)[1]).append(" ever, "));
    return text.append('}').toString();
  }
}
