package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hit under an access-expiry policy touches the entry it read in one conditional write (the CAS token
 * it was read with), and an expired entry a read finds is removed in one conditional delete: two round
 * trips each, where a read, a compute's read and its write made three.
 */
class AccessExpiryRoundTripsTest {

  private final CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("app:touch"),
      getClass().getClassLoader());

  @AfterEach
  void close() {
    manager.close();
  }

  private static long batches(MemcachedClient client) {
    return client.nodes().stream().mapToLong(node -> node.batchesSent()).sum();
  }

  @Test
  void aHitWithTouchAndAnExpiryCostTwoRoundTripsEach() {
    dev.larder.FakeTime time = new dev.larder.FakeTime();
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setTimeSource(time)
        .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(MemcachedServers.shared())
            .withPrefix("touch" + Long.toString(System.nanoTime(), 36))));
    configuration.setExpiryPolicyFactory(AccessedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, 300)));
    LarderCache<String, String> cache = manager.createCache("touched", configuration).unwrap(LarderCache.class);
    MemcachedClient client = cache.unwrap(MemcachedClient.class);
    cache.put("k", "v");

    long before = batches(client);
    assertThat(cache.get("k")).isEqualTo("v");
    assertThat(batches(client) - before).as("round trips of a hit with touch").isEqualTo(2);

    time.advance(300); // the touch's deadline: 300 ms after the hit
    before = batches(client);
    assertThat(cache.get("k")).isNull();
    assertThat(batches(client) - before).as("round trips of a read that finds the entry expired").isEqualTo(2);
    assertThat(cache.unwrap(MemcachedStore.class).get("k")).as("removed").isNull();
  }
}
