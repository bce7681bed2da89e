package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.spi.LarderCachingProvider;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.Test;

/** How frameworks find and use the provider (Spring Boot, Hibernate), with no Larder-specific code. */
class ProviderTest {

  @Test
  void theStandardLookUpFindsLarder() {
    CachingProvider provider = Caching.getCachingProvider();
    assertThat(provider).isInstanceOf(LarderCachingProvider.class);
    assertThat(provider.isSupported(OptionalFeature.STORE_BY_REFERENCE)).isTrue();
  }

  @Test
  void aNullUriIsTheDefaultManager() {
    CachingProvider provider = Caching.getCachingProvider();
    ClassLoader loader = getClass().getClassLoader();
    // Spring Boot's call.
    CacheManager manager = provider.getCacheManager(null, loader, new Properties());
    assertThat(manager.getURI()).isEqualTo(provider.getDefaultURI());
    assertThat(provider.getCacheManager(provider.getDefaultURI(), loader)).isSameAs(manager);
    manager.close();
  }

  @Test
  void aClosedManagerIsReplacedByAFreshOne() {
    // Hibernate closes the manager with its SessionFactory, then asks again for the next one.
    CachingProvider provider = Caching.getCachingProvider();
    CacheManager first = provider.getCacheManager(provider.getDefaultURI(), provider.getDefaultClassLoader());
    Cache<String, String> cache = first.createCache("entity", new MutableConfiguration<>());
    cache.put("k", "v");
    first.close();
    assertThat(first.isClosed()).isTrue();
    assertThat(cache.isClosed()).isTrue();

    CacheManager second = provider.getCacheManager(provider.getDefaultURI(), provider.getDefaultClassLoader());
    assertThat(second).isNotSameAs(first);
    assertThat(second.isClosed()).isFalse();
    assertThat(second.getCache("entity")).isNull();
    assertThat(second.createCache("entity", new MutableConfiguration<String, String>())).isNotNull();
    second.close();
  }

  @Test
  void closingByUriByClassLoaderOrAllClosesExactlyThoseManagers() throws Exception {
    CachingProvider provider = Caching.getCachingProvider();
    ClassLoader loader = provider.getDefaultClassLoader();
    ClassLoader other = new java.net.URLClassLoader(new java.net.URL[0], loader);
    java.net.URI a = java.net.URI.create("urn:larder:close-a");
    java.net.URI b = java.net.URI.create("urn:larder:close-b");
    CacheManager aHere = provider.getCacheManager(a, loader);
    CacheManager bHere = provider.getCacheManager(b, loader);
    CacheManager aThere = provider.getCacheManager(a, other);
    assertThat(aThere).isNotSameAs(aHere);

    provider.close(a, loader);
    assertThat(aHere.isClosed()).isTrue();
    assertThat(bHere.isClosed()).isFalse();
    assertThat(aThere.isClosed()).as("same URI, another class loader").isFalse();

    provider.close(other);
    assertThat(aThere.isClosed()).isTrue();
    assertThat(bHere.isClosed()).isFalse();

    CacheManager again = provider.getCacheManager(a, null);
    assertThat(again.getClassLoader()).as("null is the default class loader").isSameAs(loader);
    provider.close(null, null); // the default manager only
    assertThat(again.isClosed()).isFalse();
    provider.close();
    assertThat(bHere.isClosed()).isTrue();
    assertThat(again.isClosed()).isTrue();
    assertThat(provider.getDefaultProperties()).isEmpty();
  }
}
