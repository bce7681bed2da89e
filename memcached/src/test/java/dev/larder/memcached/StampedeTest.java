package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.cache.CacheManager;
import javax.cache.integration.CacheLoaderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cache-aside without stampedes across JVMs: two independent managers, as two JVMs would have. */
class StampedeTest {

  private final List<CacheManager> managers = new ArrayList<>();
  private String servers;
  private String prefix;
  /** The time of every "JVM" of a test: deadlines move by hand, memcached keeps items on its own clock. */
  private final dev.larder.FakeTime time = new dev.larder.FakeTime();

  @BeforeEach
  void setUp() {
    servers = MemcachedServers.shared();
    prefix = "s" + Long.toString(System.nanoTime(), 36);
  }

  @AfterEach
  void tearDown() {
    managers.forEach(CacheManager::close);
  }

  /** A cache on its own provider, manager and memcached client; all share the servers and the namespace. */
  private LarderCache<String, String> jvm(int timeoutMillis, Duration computeWait, Duration refreshAhead) {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("app:stampede"),
        getClass().getClassLoader());
    managers.add(manager);
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setStoreFactory(MemcachedStoreFactory.of(
            MemcachedSettings.servers(servers).withPrefix(prefix).withTimeoutMillis(timeoutMillis)))
        .setComputeWait(computeWait)
        .setRefreshAhead(refreshAhead)
        .setTimeSource(time);
    configuration.setTypes(String.class, String.class);
    @SuppressWarnings("unchecked")
    LarderCache<String, String> cache = manager.createCache("hot", configuration).unwrap(LarderCache.class);
    return cache;
  }

  @Test
  void fiftyCallersOverTwoJvmsComputeAnExpiredHotKeyOnce() throws Exception {
    LarderCache<String, String> first = jvm(1000, Duration.ofSeconds(5), Duration.ZERO);
    LarderCache<String, String> second = jvm(1001, Duration.ofSeconds(5), Duration.ZERO);
    first.put("report", "old", Duration.ofMillis(50));
    time.advance(50); // expired by Larder's deadline, still held by memcached

    AtomicInteger computations = new AtomicInteger();
    Function<String, String> slow = key -> {
      computations.incrementAndGet();
      sleep(200);
      return "fresh";
    };
    List<Long> waits = callConcurrently(50, i -> (i % 2 == 0 ? first : second).get("report", slow, Duration.ofMinutes(5)),
        value -> assertThat(value).isIn("fresh", "old"));

    assertThat(computations).as("computations of the hot key").hasValue(1);
    assertThat(first.get("report")).isEqualTo("fresh");
    assertThat(waits.stream().mapToLong(Long::longValue).max().orElseThrow())
        .as("the longest wait, ms").isLessThan(2_000);
  }

  @Test
  void aMissingHotKeyIsComputedOnceAndEveryCallerGetsIt() throws Exception {
    LarderCache<String, String> first = jvm(1000, Duration.ofSeconds(5), Duration.ZERO);
    LarderCache<String, String> second = jvm(1001, Duration.ofSeconds(5), Duration.ZERO);
    AtomicInteger computations = new AtomicInteger();
    Function<String, String> slow = key -> {
      computations.incrementAndGet();
      sleep(200);
      return "fresh";
    };
    callConcurrently(50, i -> (i % 2 == 0 ? first : second).get("cold", slow, Duration.ofMinutes(5)),
        value -> assertThat(value).isEqualTo("fresh"));
    assertThat(computations).hasValue(1);
  }

  @Test
  void whenTheWinnerFailsAnotherCallerTakesOverAtOnce() throws Exception {
    LarderCache<String, String> first = jvm(1000, Duration.ofSeconds(5), Duration.ZERO);
    LarderCache<String, String> second = jvm(1001, Duration.ofSeconds(5), Duration.ZERO);
    assertThatThrownBy(() -> first.get("flaky", key -> {
      throw new IllegalStateException("database down");
    }, Duration.ofMinutes(1))).isInstanceOf(CacheLoaderException.class).hasRootCauseMessage("database down");

    long started = System.nanoTime();
    assertThat(second.get("flaky", key -> "recovered", Duration.ofMinutes(1))).isEqualTo("recovered");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(500);
  }

  @Test
  void whenTheWinnerIsGoneItsClaimTimesOutAndOneCallerTakesOver() throws Exception {
    LarderCache<String, String> first = jvm(1000, Duration.ofSeconds(2), Duration.ZERO);
    LarderCache<String, String> second = jvm(1001, Duration.ofSeconds(2), Duration.ZERO);
    // A JVM that won the key and died: its placeholder is there, its value never comes.
    CountDownLatch won = new CountDownLatch(1);
    Thread crashed = new Thread(() -> {
      try {
        first.get("orphan", key -> {
          won.countDown();
          sleep(60_000);
          return "never";
        }, Duration.ofMinutes(1));
      } catch (RuntimeException ignored) {
        // interrupted
      }
    });
    crashed.setDaemon(true);
    crashed.start();
    assertThat(won.await(10, TimeUnit.SECONDS)).as("the crashing caller took memcached's placeholder").isTrue();

    AtomicInteger computations = new AtomicInteger();
    List<Long> waits = callConcurrently(10, i -> second.get("orphan", key -> {
      computations.incrementAndGet();
      return "taken over";
    }, Duration.ofMinutes(1)), value -> assertThat(value).isEqualTo("taken over"));
    crashed.interrupt();

    assertThat(computations).hasValue(1);
    // The claim lasts computeWait (2 s) in memcached's whole seconds, which tick on the server's own clock:
    // it lapses 1 to 2 s after it was set, and the callers started just after that.
    assertThat(waits.stream().mapToLong(Long::longValue).max().orElseThrow()).isBetween(600L, 4_500L);
  }

  @Test
  void aHotKeyIsRefreshedAheadOfItsDeadlineWhileCallersKeepTheCurrentValue() throws Exception {
    LarderCache<String, String> cache = jvm(1000, Duration.ofSeconds(5), Duration.ofSeconds(2));
    AtomicInteger computations = new AtomicInteger();
    Function<String, String> compute = key -> {
      sleep(100);
      return "v" + computations.incrementAndGet();
    };
    assertThat(cache.get("warm", compute, Duration.ofSeconds(3))).isEqualTo("v1");
    time.advance(1_500); // now within 2 s of the deadline

    List<Long> waits = callConcurrently(20, i -> cache.get("warm", compute, Duration.ofSeconds(3)),
        value -> assertThat(value).isIn("v1", "v2"));
    assertThat(computations).as("one refresh").hasValue(2);
    // Only the refreshing caller waited for the computation; the others got the current value at once.
    assertThat(waits.stream().filter(wait -> wait < 80).count()).isGreaterThanOrEqualTo(19);
    time.advance(2_000); // past the first value's deadline: the refreshed one is live
    assertThat(cache.get("warm")).isEqualTo("v2");
  }

  interface Call {
    String call(int index) throws Exception;
  }

  interface Check {
    void check(String value);
  }

  /** Runs the calls at once from a thread each; checks every value; returns each call's wait in ms. */
  private static List<Long> callConcurrently(int callers, Call call, Check check) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<long[]>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int index = i;
        results.add(pool.submit(() -> {
          start.await();
          long began = System.nanoTime();
          check.check(call.call(index));
          return new long[] {TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)};
        }));
      }
      start.countDown();
      List<Long> waits = new ArrayList<>();
      for (Future<long[]> result : results) {
        waits.add(result.get(30, TimeUnit.SECONDS)[0]);
      }
      return waits;
    } finally {
      pool.shutdownNow();
    }
  }

  /** A slow computation: real time, as the other callers (other JVMs in effect) really wait for it. */
  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
