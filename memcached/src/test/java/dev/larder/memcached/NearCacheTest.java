package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.LarderCache;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import javax.cache.processor.EntryProcessor;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The near tier over real memcached servers, with two managers on their own connections standing for
 * two JVMs. The staleness bound is real time here (what is bounded is how late one JVM sees another's
 * write through real servers), so these tests wait on the clock, with bounds of half a second.
 */
class NearCacheTest {

  private static final long STALENESS_MILLIS = 500;
  private final List<CacheManager> managers = new ArrayList<>();
  private final String prefix = "near" + Long.toString(System.nanoTime(), 36);

  @AfterEach
  void close() {
    managers.forEach(CacheManager::close);
  }

  /** A manager of its own; {@code connections} differ so the two get separate clients, as two JVMs. */
  private LarderCache<Integer, String> cache(int connections, String uri) {
    return MemcachedServers.integerCache(managers, MemcachedSettings.servers(MemcachedServers.shared())
        .withPrefix(prefix).withConnectionsPerServer(connections).withNearCache(100, STALENESS_MILLIS), uri, "near");
  }

  @Test
  void anotherJvmsWriteIsSeenWithinTheStalenessBoundAndThisJvmsAtOnce() throws Exception {
    // the same manager name in both, as two JVMs deploying one application have: the same keys
    LarderCache<Integer, String> writer = cache(2, "near-two");
    LarderCache<Integer, String> reader = cache(3, "near-two"); // registered last: the MXBean below is its
    writer.put(1, "v1");
    assertThat(reader.get(1)).isEqualTo("v1"); // now near in the reader
    long written = System.nanoTime();
    writer.put(1, "v2");
    assertThat(writer.get(1)).as("the writer's own write, at once").isEqualTo("v2");

    long sawNewAfter = -1;
    boolean oldAfterNew = false;
    int oldReads = 0;
    while (System.nanoTime() - written < TimeUnit.MILLISECONDS.toNanos(3 * STALENESS_MILLIS)) {
      String value = reader.get(1);
      if (value.equals("v2") && sawNewAfter < 0) {
        sawNewAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
      } else if (value.equals("v1")) {
        oldReads++;
        oldAfterNew |= sawNewAfter >= 0;
      }
      Thread.sleep(5); // polling as an application would read, not spinning on the near tier
    }
    System.out.printf("near: the other manager's write seen after %d ms (bound %d ms), %d stale reads before%n",
        sawNewAfter, STALENESS_MILLIS, oldReads);
    assertThat(oldReads).as("reads of the near value before the bound").isPositive();
    assertThat(sawNewAfter).as("ms until the new value is seen").isBetween(0L, STALENESS_MILLIS + 100);
    assertThat(oldAfterNew).as("an old value after the new one").isFalse();

    ObjectName store = new ObjectName("dev.larder:type=MemcachedStore,CacheManager=near-two,Cache=near");
    assertThat((Long) ManagementFactory.getPlatformMBeanServer().getAttribute(store, "NearHits"))
        .isGreaterThanOrEqualTo(oldReads);
    assertThat((Long) ManagementFactory.getPlatformMBeanServer().getAttribute(store, "NearMisses")).isPositive();
  }

  @Test
  void entryProcessorsAndRemovalsThroughTheNearTierAreExactInOneJvm() {
    LarderCache<Integer, String> cache = cache(2, "near-exact");
    EntryProcessor<Integer, String, Void> increment = (entry, args) -> {
      entry.setValue(Integer.toString(entry.exists() ? Integer.parseInt(entry.getValue()) + 1 : 1));
      return null;
    };
    for (int i = 1; i <= 200; i++) {
      cache.invoke(7, increment);
      assertThat(cache.get(7)).isEqualTo(Integer.toString(i));
    }
    cache.remove(7);
    assertThat(cache.get(7)).isNull();
    cache.put(8, "x");
    assertThat(cache.getAndReplace(8, "y")).isEqualTo("x");
    assertThat(cache.get(8)).isEqualTo("y");
    cache.clear();
    assertThat(cache.get(8)).isNull();
  }

  @Test
  void theNearTierKeepsItsBound() throws Exception {
    LarderCache<Integer, String> cache = cache(2, "near-bound");
    for (int key = 0; key < 1_000; key++) {
      cache.put(key, "v" + key);
      cache.get(key);
    }
    ObjectName store = new ObjectName("dev.larder:type=MemcachedStore,CacheManager=near-bound,Cache=near");
    assertThat((Long) ManagementFactory.getPlatformMBeanServer().getAttribute(store, "NearSize"))
        .isLessThanOrEqualTo(100L);
    for (int key = 0; key < 1_000; key++) {
      assertThat(cache.get(key)).as("evicted near, still in memcached").isEqualTo("v" + key);
    }
  }

  @Test
  void nearEntriesStayServableUpToTheirBoundWhileTheServerIsDownUnderTheMissPolicy() throws Exception {
    try (MemcachedServers.OwnServer server = new MemcachedServers.OwnServer(11391).start()) {
      LarderCache<Integer, String> cache = MemcachedServers.integerCache(managers,
          MemcachedSettings.servers(server.address()).withPrefix(prefix).withTimeoutMillis(300)
              .withFailuresAsMisses(true).withNearCache(100, STALENESS_MILLIS), "near-down", "near");
      cache.put(1, "kept");
      long fetched = System.nanoTime();
      server.kill();
      assertThat(cache.get(1)).as("near, while memcached is gone").isEqualTo("kept");
      long left = STALENESS_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fetched);
      Thread.sleep(Math.max(0, left) + 50); // past the bound, on the real clock the bound is measured by
      assertThat(cache.get(1)).as("past the bound: memcached's answer, a miss").isNull();
    }
  }
}
