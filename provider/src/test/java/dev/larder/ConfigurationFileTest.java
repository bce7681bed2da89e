package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.configuration.LarderConfiguration;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cache manager configured by the file its URI names, and every kind of mistake in such a file. */
class ConfigurationFileTest {

  private final CachingProvider provider = Caching.getCachingProvider();

  @TempDir
  Path dir;

  @AfterEach
  void closeManagers() {
    provider.close();
  }

  @Test
  void classpathFileDeclaresCachesWithTheirSettings() {
    CacheManager manager = provider.getCacheManager(URI.create("classpath:config/larder-test.conf"), null);

    assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("com.example.Book", "pages");
    Cache<String, String> pages = manager.getCache("pages", String.class, String.class);
    CompleteConfiguration<?, ?> pagesConfiguration = pages.getConfiguration(CompleteConfiguration.class);
    assertThat(pagesConfiguration.getExpiryPolicyFactory().create())
        .isEqualTo(new CreatedExpiryPolicy(new Duration(TimeUnit.MINUTES, 5)));
    assertThat(pagesConfiguration.isStatisticsEnabled()).isTrue();
    assertThat(pagesConfiguration.isManagementEnabled()).isTrue();
    assertThat(pagesConfiguration.isStoreByValue()).isFalse();
    // declared caches take Larder's own settings from defaults unless they set them
    LarderConfiguration<?, ?> pagesLarder = pages.getConfiguration(LarderConfiguration.class);
    assertThat(pagesLarder.getMaximumSize()).isEqualTo(100);
    assertThat(pagesLarder.getComputeWait()).isEqualTo(java.time.Duration.ofSeconds(2));

    Cache<Object, Object> books = manager.getCache("com.example.Book");
    LarderConfiguration<?, ?> booksConfiguration = books.getConfiguration(LarderConfiguration.class);
    assertThat(booksConfiguration.getMaximumSize()).isEqualTo(500);
    assertThat(booksConfiguration.isStoreByValue()).isTrue();
    assertThat(booksConfiguration.getExpiryPolicyFactory().create()).isInstanceOf(EternalExpiryPolicy.class);

    pages.put("home", "<html>");
    assertThat(pages.get("home")).isEqualTo("<html>");
  }

  @Test
  void cachesCreatedOnTheFlyAreBoundedByTheDefaults() {
    CacheManager manager = provider.getCacheManager(URI.create("classpath:config/larder-test.conf"), null);
    // what Hibernate's missing_cache_strategy=create does: a plain MutableConfiguration
    Cache<Integer, Integer> region = manager.createCache("region", new MutableConfiguration<Integer, Integer>()
        .setStatisticsEnabled(true));

    LarderConfiguration<?, ?> configuration = region.getConfiguration(LarderConfiguration.class);
    assertThat(configuration.getMaximumSize()).isEqualTo(100);
    assertThat(configuration.isStatisticsEnabled()).isTrue(); // the standard settings stay the caller's
    for (int i = 0; i < 1_000; i++) {
      region.put(i, i);
    }
    // A bounded table evicts on the writer's thread: the bound holds once the puts have returned.
    assertThat(count(region)).isEqualTo(100);

    // a Larder configuration says what it wants: the defaults do not touch it
    Cache<Integer, Integer> own = manager.createCache("own", new LarderConfiguration<Integer, Integer>());
    assertThat(own.getConfiguration(LarderConfiguration.class).getMaximumSize()).isEqualTo(LarderConfiguration.UNBOUNDED);
  }

  @Test
  void fileAndJarUrisWork() throws IOException {
    Path file = write("larder.conf", "larder.caches.a { statistics = true }");
    CacheManager fromFile = provider.getCacheManager(file.toUri(), null);
    assertThat(fromFile.getCacheNames()).containsExactly("a");

    Path jar = dir.resolve("app.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
      jarOut.putNextEntry(new JarEntry("conf/larder.conf"));
      jarOut.write("larder.caches.b { expiry { policy = accessed, duration = 10s } }".getBytes(StandardCharsets.UTF_8));
      jarOut.closeEntry();
    }
    CacheManager fromJar = provider.getCacheManager(URI.create("jar:" + jar.toUri() + "!/conf/larder.conf"), null);
    assertThat(fromJar.getCacheNames()).containsExactly("b");
  }

  @Test
  void aClosedManagersReplacementReadsTheFileAgain() throws IOException {
    Path file = write("larder.conf", "larder.caches.a { }");
    CacheManager first = provider.getCacheManager(file.toUri(), null);
    first.close();
    Files.writeString(file, "larder.caches.b { }");
    CacheManager second = provider.getCacheManager(file.toUri(), null);
    assertThat(second).isNotSameAs(first);
    assertThat(second.getCacheNames()).containsExactly("b");
  }

  @Test
  void systemPropertiesOverrideTheFile() throws IOException {
    Path file = write("larder.conf", "larder.caches.a { maximum-size = 10 }");
    System.setProperty("larder.caches.a.maximum-size", "20");
    try {
      CacheManager manager = provider.getCacheManager(file.toUri(), null);
      assertThat(manager.getCache("a").getConfiguration(LarderConfiguration.class).getMaximumSize()).isEqualTo(20);
    } finally {
      System.clearProperty("larder.caches.a.maximum-size");
    }
  }

  @Test
  void uriThatNamesNoFileIsOnlyAName() {
    CacheManager named = provider.getCacheManager(URI.create("urn:larder:orders"), null);
    assertThat(named.getCacheNames()).isEmpty();
    CacheManager relative = provider.getCacheManager(URI.create("orders"), null);
    assertThat(relative.getCacheNames()).isEmpty();
  }

  @Test
  void eachMistakeIsOneLineNamingFileLineKeyAndExpectation() throws IOException {
    assertMistake("larder.caches.a { maximum-sise = 10 }",
        "line 1: larder.caches.a.maximum-sise: expected one of [", "maximum-size");
    assertMistake("larder {\n  caches.a { maximum-size = lots }\n}",
        "line 2: larder.caches.a.maximum-size: expected a whole number of entries, 0 or more, found 'lots'");
    assertMistake("larder.caches.a { maximum-size = -1 }",
        "larder.caches.a.maximum-size: expected a whole number of entries, 0 or more, found -1");
    assertMistake("larder.caches.a.expiry { policy = created, duration = 5 parsecs }",
        "line 1: larder.caches.a.expiry.duration: expected a duration such as 5m, 30s or 500ms"
            + ", found '5 parsecs'");
    assertMistake("larder.caches.a.expiry { policy = created, duration = 0s }",
        "larder.caches.a.expiry.duration: expected a positive duration such as 5m, 30s or 500ms, found '0s'");
    assertMistake("larder.caches.a.expiry { policy = created }",
        "larder.caches.a.expiry: expected a duration alongside policy = created");
    assertMistake("larder.caches.a.expiry { policy = sometimes, duration = 1m }",
        "larder.caches.a.expiry.policy: expected one of eternal, created, accessed, modified, touched"
            + ", found 'sometimes'");
    assertMistake("larder.caches.a { statistics = maybe }",
        "larder.caches.a.statistics: expected true or false, found 'maybe'");
    assertMistake("larder.caches.a { key-type = com.example.Missing }",
        "larder.caches.a.key-type: expected a class on the cache manager's class path; there is no com.example.Missing");
    assertMistake("larder.caches.a { read-through = true }",
        "larder.caches.a.read-through: expected a loader (the class name of a CacheLoader) alongside it");
    assertMistake("larder.caches.a { loader = java.lang.String }",
        "larder.caches.a.loader: expected a class implementing javax.cache.integration.CacheLoader");
    assertMistake("larder.store = redis", "larder.store: expected one of in-process");
    assertMistake("larder.defaults { expiry { policy = eternal } }", "larder.defaults.expiry: expected one of [");
    assertMistake("lardr.caches.a { }", "lardr: expected only a larder { ... } section in a Larder file");
    assertMistake("larder.caches.a { statistics = true", "not valid HOCON");
  }

  @Test
  void unreadableFilesAreNamed() {
    URI missingFile = dir.resolve("nowhere.conf").toUri();
    assertThatThrownBy(() -> provider.getCacheManager(missingFile, null))
        .isInstanceOf(CacheException.class)
        .hasMessageStartingWith("Larder configuration " + missingFile + ": cannot be read");
    assertThatThrownBy(() -> provider.getCacheManager(URI.create("classpath:no/such.conf"), null))
        .isInstanceOf(CacheException.class)
        .hasMessage("Larder configuration classpath:no/such.conf: no resource no/such.conf on the class path");
  }

  private void assertMistake(String text, String... expected) throws IOException {
    Path file = write("mistake-" + Integer.toHexString(text.hashCode()) + ".conf", text);
    URI uri = file.toUri();
    assertThatThrownBy(() -> provider.getCacheManager(uri, null))
        .isInstanceOf(CacheException.class)
        .hasMessageStartingWith("Larder configuration " + uri)
        .satisfies(e -> {
          assertThat(e.getMessage()).doesNotContain("\n");
          for (String part : expected) {
            assertThat(e.getMessage()).contains(part);
          }
        });
    // and nothing was left half-made: the same URI, corrected, gives a working manager
    Files.writeString(file, "larder { }");
    assertThat(provider.getCacheManager(uri, null).getCacheNames()).isEmpty();
  }

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private static long count(Cache<?, ?> cache) {
    long count = 0;
    for (Cache.Entry<?, ?> ignored : cache) {
      count++;
    }
    return count;
  }
}
