package dev.larder.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.LarderCache;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.Bean;

/** Spring Boot's cache abstraction over Larder, configured by properties only: no Larder-specific code. */
@SpringBootTest(classes = SpringBootCacheTest.Application.class, properties = {
    "spring.cache.type=jcache",
    "spring.cache.jcache.provider=dev.larder.spi.LarderCachingProvider",
    "spring.cache.cache-names=reports"})
class SpringBootCacheTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableCaching
  static class Application {
    @Bean
    ReportService reportService() {
      return new ReportService();
    }
  }

  static class ReportService {
    private final AtomicInteger computations = new AtomicInteger();

    /** A method, not the field: the bean is a caching proxy, whose own fields are not the target's. */
    public int computations() {
      return computations.get();
    }

    @Cacheable("reports")
    public String report(String id) {
      computations.incrementAndGet();
      return "report " + id;
    }

    /** The JSR-107 annotation, as Spring's cache abstraction supports it. */
    @javax.cache.annotation.CacheResult(cacheName = "reports")
    public String standardReport(String id) {
      computations.incrementAndGet();
      return "standard report " + id;
    }

    /** sync = true goes through Cache.invoke with a non-serializable Callable. */
    @Cacheable(cacheNames = "reports", sync = true)
    public String syncReport(String id) {
      computations.incrementAndGet();
      return "sync report " + id;
    }
  }

  @Autowired
  ReportService service;

  @Autowired
  CacheManager cacheManager;

  @Test
  void cacheableMethodsAreComputedOnceAndKeptInLarder() {
    assertThat(cacheManager).isInstanceOf(JCacheCacheManager.class);
    javax.cache.Cache<?, ?> nativeCache = (javax.cache.Cache<?, ?>) cacheManager.getCache("reports").getNativeCache();
    assertThat(nativeCache.unwrap(LarderCache.class)).isNotNull();
    Store.assertOnThisRunsStore(nativeCache);

    assertThat(service.report("a")).isEqualTo("report a");
    assertThat(service.report("a")).isEqualTo("report a");
    assertThat(service.computations()).isEqualTo(1);

    assertThat(service.syncReport("b")).isEqualTo("sync report b");
    assertThat(service.syncReport("b")).isEqualTo("sync report b");
    assertThat(service.computations()).isEqualTo(2);

    assertThat(service.standardReport("c")).isEqualTo("standard report c");
    assertThat(service.standardReport("c")).isEqualTo("standard report c");
    assertThat(service.computations()).isEqualTo(3);
  }
}
