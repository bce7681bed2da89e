package dev.larder.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.protocol.MemcachedClient;
import javax.cache.Cache;

/**
 * Which store this run of the tests is on: each module runs them twice, in process and with
 * {@code -Dlarder.store=memcached} (its surefire executions), with no change to the application.
 */
final class Store {

  private Store() {
  }

  static boolean memcached() {
    return "memcached".equals(System.getProperty("larder.store"));
  }

  /** Fails unless the cache really is on the store of this run (a silent fallback would pass the rest). */
  static void assertOnThisRunsStore(Cache<?, ?> cache) {
    if (memcached()) {
      assertThat(cache.unwrap(MemcachedClient.class)).as(cache.getName() + " on memcached").isNotNull();
    } else {
      assertThatThrownBy(() -> cache.unwrap(MemcachedClient.class)).as(cache.getName() + " in process")
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /**
   * The bound a cache created on the fly takes from a file's {@code defaults}: in process only, since
   * memcached bounds its own memory (a bound a file declares for one cache is kept as written).
   */
  static long expectedBound(long inProcess) {
    return memcached() ? LarderConfiguration.UNBOUNDED : inProcess;
  }
}
