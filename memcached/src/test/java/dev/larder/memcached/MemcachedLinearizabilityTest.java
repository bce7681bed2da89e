package dev.larder.memcached;

import dev.larder.CacheLinearizability;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import javax.cache.Cache;
import org.junit.jupiter.api.Test;

/**
 * The atomic operations of a memcached cache are linearizable, and a synchronous listener hears each
 * key's events in the order of its writes: Lincheck's stress mode, real threads against the real
 * servers (3 on loopback), bounded to 3,000 scenarios. Model checking would need
 * Lincheck to drive the network I/O, which it does not.
 */
public class MemcachedLinearizabilityTest extends CacheLinearizability {

  private static final Cache<Integer, Integer> CACHE = new LarderCachingProvider()
      .getCacheManager(URI.create("lincheck:memcached"), MemcachedLinearizabilityTest.class.getClassLoader())
      .createCache("linearizable", withEventLog(new LarderConfiguration<Integer, Integer>()
          .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(MemcachedServers.shared())
              .withPrefix("lincheck" + Long.toString(System.nanoTime(), 36))))
          .setTypes(Integer.class, Integer.class)));

  @Override
  protected Cache<Integer, Integer> cache() {
    return CACHE;
  }

  @Override
  protected boolean logsEvents() {
    return true;
  }

  @Test
  void stress() {
    stress(10, 300);
  }
}
