package dev.larder.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.configuration.LarderConfiguration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import dev.larder.management.MBeans;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot with {@code spring.cache.jcache.config} naming a Larder file: the caches, their expiry,
 * bound and statistics come from the file; no cache names and no Larder code in the application.
 */
@SpringBootTest(classes = SpringBootConfigurationFileTest.Application.class, properties = {
    "spring.cache.type=jcache",
    "spring.cache.jcache.provider=dev.larder.spi.LarderCachingProvider",
    "spring.cache.jcache.config=classpath:larder-spring.conf"})
class SpringBootConfigurationFileTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableCaching
  static class Application {
    @Bean
    QuoteService quoteService() {
      return new QuoteService();
    }
  }

  static class QuoteService {
    private final AtomicInteger computations = new AtomicInteger();

    public int computations() {
      return computations.get();
    }

    @Cacheable("quotes")
    public String quote(String symbol) {
      computations.incrementAndGet();
      return symbol + " 42.00";
    }
  }

  @Autowired
  QuoteService service;

  @Autowired
  CacheManager cacheManager;

  @Test
  void theCacheAndItsSettingsComeFromTheFile() throws Exception {
    assertThat(service.quote("LRDR")).isEqualTo("LRDR 42.00");
    assertThat(service.quote("LRDR")).isEqualTo("LRDR 42.00");
    assertThat(service.computations()).isEqualTo(1);

    @SuppressWarnings("unchecked")
    Cache<String, String> nativeCache = (Cache<String, String>) cacheManager.getCache("quotes").getNativeCache();
    assertThat(nativeCache.getCacheManager().getURI().toString()).endsWith("larder-spring.conf");
    LarderConfiguration<?, ?> configuration = nativeCache.getConfiguration(LarderConfiguration.class);
    Store.assertOnThisRunsStore(nativeCache);
    assertThat(configuration.getMaximumSize()).as("declared in the file (memcached ignores it)").isEqualTo(1000);
    assertThat(configuration.isStatisticsEnabled()).isTrue();
    assertThat(configuration.getExpiryPolicyFactory().create())
        .isEqualTo(new CreatedExpiryPolicy(new Duration(TimeUnit.MINUTES, 5)));
    ObjectName statistics = MBeans.objectName(nativeCache.getCacheManager().getURI(), "quotes",
        MBeans.Kind.CacheStatistics);
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    assertThat(server.getAttribute(statistics, "CacheHits")).isEqualTo(1L);
    assertThat(server.getAttribute(statistics, "CacheMisses")).isEqualTo(1L);
  }
}
