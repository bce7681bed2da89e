package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Four threads over three memcached servers; one is killed with -9 in the middle and later restarted.
 * Calls for its keys fail within the timeout (throw policy) or cost misses and skipped writes (miss
 * policy); keys on the other two keep working throughout; the client reconnects by itself.
 */
class FaultUnderLoadTest {

  private static final int TIMEOUT_MILLIS = 300;
  private final List<CacheManager> managers = new ArrayList<>();

  @AfterEach
  void close() {
    managers.forEach(CacheManager::close);
  }

  @ParameterizedTest(name = "on.failure = {0}")
  @ValueSource(strings = {"throw", "miss"})
  void aKilledServerCostsOnlyItsOwnKeysWithinTheTimeoutAndComesBack(String policy) throws Exception {
    int base = policy.equals("throw") ? 11351 : 11355;
    try (MemcachedServers.OwnServer first = new MemcachedServers.OwnServer(base).start();
         MemcachedServers.OwnServer second = new MemcachedServers.OwnServer(base + 1).start();
         MemcachedServers.OwnServer victim = new MemcachedServers.OwnServer(base + 2).start()) {
      MemcachedSettings settings = MemcachedSettings.servers(first.address() + "," + second.address() + ","
          + victim.address()).withPrefix("fault").withTimeoutMillis(TIMEOUT_MILLIS)
          .withFailuresAsMisses(policy.equals("miss"));
      LarderCache<Integer, String> cache = cache(settings);
      for (int key = 0; key < 300; key++) {
        cache.put(key, "v" + key);
      }

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicBoolean killed = new AtomicBoolean();
      AtomicLong succeededWhileDown = new AtomicLong();
      AtomicLong failedWhileDown = new AtomicLong();
      LongAccumulator slowestMillis = new LongAccumulator(Math::max, 0);
      Queue<String> foreignFailures = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        workers.add(pool.submit(() -> {
          while (running.get()) {
            int key = ThreadLocalRandom.current().nextInt(300);
            long started = System.nanoTime();
            try {
              if (ThreadLocalRandom.current().nextBoolean()) {
                cache.get(key);
              } else {
                cache.put(key, "v" + key);
              }
              if (killed.get()) {
                succeededWhileDown.incrementAndGet();
              }
            } catch (CacheException e) {
              if (killed.get()) {
                failedWhileDown.incrementAndGet();
              }
              if (!e.getMessage().contains(victim.address())) {
                foreignFailures.add(e.getMessage());
              }
            }
            slowestMillis.accumulate(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
          }
          return null;
        }));
      }
      Thread.sleep(500);
      killed.set(true);
      victim.kill();
      Thread.sleep(2_000);
      long slowestWhileDown = slowestMillis.get();
      // the statistic, as an operator reads it: JMX
      long failuresCounted = (Long) java.lang.management.ManagementFactory.getPlatformMBeanServer().getAttribute(
          new javax.management.ObjectName("dev.larder:type=MemcachedStore,CacheManager=fault." + base + ",Cache=fault"),
          "Failures");

      running.set(false);
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();

      // Back: every key written and read back (under the miss policy a write to a dead server is skipped
      // silently, so only a read-back proves the server is in use again).
      victim.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      boolean allBack = false;
      while (!allBack && System.nanoTime() < deadline) {
        Thread.sleep(200);
        allBack = true;
        try {
          for (int key = 0; key < 300 && allBack; key++) {
            cache.put(key, "back " + key);
            allBack = ("back " + key).equals(cache.get(key));
          }
        } catch (CacheException stillDown) {
          allBack = false;
        }
      }

      System.out.printf("fault (%s): while one of 3 servers was dead: %d calls served, %d failed, slowest call"
              + " %d ms (timeout %d ms), %d failures counted; back after restart: %s%n", policy,
          succeededWhileDown.get(), failedWhileDown.get(), slowestWhileDown, TIMEOUT_MILLIS, failuresCounted, allBack);
      assertThat(foreignFailures).as("errors naming another server").isEmpty();
      assertThat(succeededWhileDown.get()).as("calls for the live servers' keys").isGreaterThan(100);
      assertThat(slowestWhileDown).as("slowest call, ms").isLessThan(TIMEOUT_MILLIS + 1_500);
      if (policy.equals("throw")) {
        assertThat(failedWhileDown.get()).as("calls for the dead server's keys").isPositive();
      } else {
        assertThat(failedWhileDown.get()).as("no call fails under the miss policy").isZero();
        assertThat(failuresCounted).as("failures counted as misses and skipped writes").isPositive();
      }
      assertThat(allBack).as("every key writable again after the restart").isTrue();
      assertThat(cache.get(299)).isEqualTo("back 299");
    }
  }

  private LarderCache<Integer, String> cache(MemcachedSettings settings) {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("fault:" + settings.servers().get(0).getPort()),
        getClass().getClassLoader());
    managers.add(manager);
    LarderConfiguration<Integer, String> configuration = new LarderConfiguration<Integer, String>()
        .setStoreFactory(MemcachedStoreFactory.of(settings));
    configuration.setTypes(Integer.class, String.class);
    @SuppressWarnings("unchecked")
    LarderCache<Integer, String> cache = manager.createCache("fault", configuration).unwrap(LarderCache.class);
    return cache;
  }
}
