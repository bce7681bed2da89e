package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two non-linearizable histories Lincheck found on memcached (MemcachedLinearizabilityTest), as
 * regular tests: each runs the two operations at once, 500 times, and checks that the answers fit one
 * order or the other.
 */
class ConcurrentConflictsTest {

  private final CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("app:conflicts"),
      getClass().getClassLoader());
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    manager.close();
  }

  private Cache<Integer, Integer> cache(String name) {
    return manager.createCache(name, new LarderConfiguration<Integer, Integer>()
        .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(MemcachedServers.shared())
            .withPrefix("conflicts" + Long.toString(System.nanoTime(), 36))))
        .setTypes(Integer.class, Integer.class));
  }

  @Test
  void twoConcurrentRemovalsOfOneEntryRemoveItOnce() throws Exception {
    Cache<Integer, Integer> cache = cache("removals");
    CyclicBarrier start = new CyclicBarrier(2);
    for (int round = 0; round < 500; round++) {
      cache.put(1, 2);
      Future<Boolean> remove = pool.submit(() -> {
        start.await();
        return cache.remove(1);
      });
      Future<Integer> getAndRemove = pool.submit(() -> {
        start.await();
        return cache.getAndRemove(1);
      });
      boolean removed = remove.get(10, TimeUnit.SECONDS);
      Integer taken = getAndRemove.get(10, TimeUnit.SECONDS);
      assertThat(removed ^ taken != null).as("round " + round + ": remove " + removed + ", getAndRemove " + taken)
          .isTrue();
    }
  }

  @Test
  void getAndPutAndAnIncrementAtOnceSeeEachOther() throws Exception {
    Cache<Integer, Integer> cache = cache("getAndPut");
    CyclicBarrier start = new CyclicBarrier(2);
    for (int round = 0; round < 500; round++) {
      cache.remove(1);
      Future<Integer> put = pool.submit(() -> {
        start.await();
        return cache.getAndPut(1, 3);
      });
      Future<Integer> increment = pool.submit(() -> {
        start.await();
        return cache.invoke(1, (entry, arguments) -> {
          Integer before = entry.exists() ? entry.getValue() : null;
          entry.setValue(before == null ? 0 : before + 1);
          return before;
        });
      });
      Integer putSaw = put.get(10, TimeUnit.SECONDS);
      Integer incrementSaw = increment.get(10, TimeUnit.SECONDS);
      // getAndPut first: it saw nothing and the increment saw 3; the increment first: it saw nothing, getAndPut 0
      assertThat((putSaw == null && Integer.valueOf(3).equals(incrementSaw))
          || (incrementSaw == null && Integer.valueOf(0).equals(putSaw)))
          .as("round " + round + ": getAndPut saw " + putSaw + ", increment saw " + incrementSaw).isTrue();
    }
  }
}
