package dev.larder.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.JCacheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Micrometer's stock JCache binder reads Larder's statistics as it reads any provider's: through the
 * standard CacheStatistics MXBean, found by the name the spec gives it. Nothing Larder-specific.
 */
class MicrometerJCacheMetricsTest {

  private final CacheManager manager = Caching.getCachingProvider().getCacheManager();

  @AfterEach
  void destroy() {
    manager.destroyCache("metered");
  }

  @Test
  void jcacheMetricsReportsLarderStatistics() {
    Cache<String, String> cache = manager.createCache("metered",
        new MutableConfiguration<String, String>().setTypes(String.class, String.class).setStatisticsEnabled(true));
    Store.assertOnThisRunsStore(cache);
    MeterRegistry registry = new SimpleMeterRegistry();
    JCacheMetrics.monitor(registry, cache);

    cache.put("a", "1");
    cache.put("b", "2");
    cache.put("c", "3");
    cache.get("a");
    cache.get("a");
    cache.get("b");
    cache.get("missing");
    cache.remove("c");

    assertThat(counter(registry, "cache.gets", "result", "hit")).isEqualTo(3);
    assertThat(counter(registry, "cache.gets", "result", "miss")).isEqualTo(1);
    assertThat(counter(registry, "cache.puts", null, null)).isEqualTo(3);
    assertThat(registry.get("cache.removals").gauge().value()).isEqualTo(1);
    assertThat(counter(registry, "cache.evictions", null, null)).isZero();
  }

  private static double counter(MeterRegistry registry, String name, String tag, String value) {
    var search = registry.get(name).tag("cache", "metered");
    FunctionCounter counter = tag == null ? search.functionCounter() : search.tag(tag, value).functionCounter();
    return counter.count();
  }
}
