package dev.larder;

import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;

/**
 * In the histories of {@link CacheLinearizability}, an in-process cache with a synchronous listener
 * delivers each key's events in the order of the key's writes ({@link KeyOrder}); without it, stress
 * found an UPDATED delivered before the CREATED it replaced within seconds. Model checking explores
 * the lock too, on a smaller budget: it is about 20 times slower per scenario than without a listener.
 */
public class InProcessEventOrderTest extends CacheLinearizability {

  private static final Cache<Integer, Integer> CACHE = new LarderCachingProvider()
      .getCacheManager(URI.create("lincheck:event-order"), InProcessEventOrderTest.class.getClassLoader())
      .createCache("ordered", withEventLog(new MutableConfiguration<Integer, Integer>().setTypes(Integer.class, Integer.class)));

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
    stress(30, 2_000);
  }

  @Test
  void modelChecking() {
    modelCheck(3, 100);
  }
}
