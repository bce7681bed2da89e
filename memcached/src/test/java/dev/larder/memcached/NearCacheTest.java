package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.FakeTime;
import dev.larder.LarderCache;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
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

  /** The time both "JVMs" run on: the staleness bound is moved across by hand. */
  private final FakeTime time = new FakeTime();

  /** A manager of its own; {@code connections} differ so the two get separate clients, as two JVMs. */
  private LarderCache<Integer, String> cache(int connections, String uri) {
    return MemcachedServers.integerCache(managers, MemcachedSettings.servers(MemcachedServers.shared())
        .withPrefix(prefix).withConnectionsPerServer(connections).withNearCache(100, STALENESS_MILLIS), uri, "near",
        time);
  }

  @Test
  void anotherJvmsWriteIsSeenWithinTheStalenessBoundAndThisJvmsAtOnce() throws Exception {
    // the same manager name in both, as two JVMs deploying one application have: the same keys
    LarderCache<Integer, String> writer = cache(2, "near-two");
    LarderCache<Integer, String> reader = cache(3, "near-two"); // registered last: the MXBean below is its
    writer.put(1, "v1");
    assertThat(reader.get(1)).isEqualTo("v1"); // now near in the reader, fetched at this time
    writer.put(1, "v2");
    assertThat(writer.get(1)).as("the writer's own write, at once").isEqualTo("v2");

    int oldReads = 0;
    for (long elapsed = 0; elapsed < STALENESS_MILLIS; elapsed += 50) {
      assertThat(reader.get(1)).as("%d ms after the fetch, within the bound: the near value", elapsed).isEqualTo("v1");
      oldReads++;
      time.advance(50);
    }
    // the bound has passed: memcached's value, from now on
    for (int read = 0; read < 5; read++) {
      assertThat(reader.get(1)).as("at the bound and after: the new value").isEqualTo("v2");
      time.advance(50);
    }

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
              .withFailuresAsMisses(true).withNearCache(100, STALENESS_MILLIS), "near-down", "near", time);
      cache.put(1, "kept");
      server.kill();
      time.advance(STALENESS_MILLIS - 1);
      assertThat(cache.get(1)).as("near, while memcached is gone, within the bound").isEqualTo("kept");
      time.advance(1);
      assertThat(cache.get(1)).as("at the bound: memcached's answer, a miss").isNull();
    }
  }
}
