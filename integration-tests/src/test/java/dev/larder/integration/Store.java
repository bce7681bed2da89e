package dev.larder.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.appengine.api.memcache.AsyncMemcacheService;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.protocol.MemcachedClient;
import javax.cache.Cache;

/**
 * Which store this run of the tests is on: each module runs them three times, in process, with
 * {@code -Dlarder.store=memcached} and with {@code -Dlarder.store=appengine} (its surefire executions),
 * with no change to the application.
 */
final class Store {

  private Store() {
  }

  static boolean memcached() {
    return "memcached".equals(System.getProperty("larder.store"));
  }

  static boolean appengine() {
    return "appengine".equals(System.getProperty("larder.store"));
  }

  /** Fails unless the cache really is on the store of this run (a silent fallback would pass the rest). */
  static void assertOnThisRunsStore(Cache<?, ?> cache) {
    if (memcached()) {
      assertThat(cache.unwrap(MemcachedClient.class)).as(cache.getName() + " on memcached").isNotNull();
    } else if (appengine()) {
      assertThat(cache.unwrap(AsyncMemcacheService.class)).as(cache.getName() + " on App Engine").isNotNull();
    } else {
      assertThatThrownBy(() -> cache.unwrap(MemcachedClient.class)).as(cache.getName() + " in process")
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> cache.unwrap(AsyncMemcacheService.class)).as(cache.getName() + " in process")
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /**
   * The bound a cache created on the fly takes from a file's {@code defaults}: in process only, since
   * memcached and App Engine bound their own memory (a bound a file declares for one cache is kept as written).
   */
  static long expectedBound(long inProcess) {
    return memcached() || appengine() ? LarderConfiguration.UNBOUNDED : inProcess;
  }
}
