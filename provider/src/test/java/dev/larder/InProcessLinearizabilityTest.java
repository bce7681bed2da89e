package dev.larder;

import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;

/** The atomic operations of an in-process cache are linearizable: Lincheck, stress and model checking. */
public class InProcessLinearizabilityTest extends CacheLinearizability {

  private static final Cache<Integer, Integer> CACHE = new LarderCachingProvider()
      .getCacheManager(URI.create("lincheck:in-process"), InProcessLinearizabilityTest.class.getClassLoader())
      .createCache("linearizable", new MutableConfiguration<Integer, Integer>().setTypes(Integer.class, Integer.class));

  @Override
  protected Cache<Integer, Integer> cache() {
    return CACHE;
  }

  @Override
  protected boolean logsEvents() {
    return false; // InProcessEventOrderTest: a listener's lock makes model checking 20 times slower
  }

  @Test
  void stress() {
    stress(30, 2_000);
  }

  @Test
  void modelChecking() {
    modelCheck(20, 500);
  }
}
