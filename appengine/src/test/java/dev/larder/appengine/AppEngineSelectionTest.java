package dev.larder.appengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.store.FailurePolicyStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The App Engine store chosen as a user chooses it: by {@code larder.store=appengine} in the manager's
 * properties (what {@code -D} does), or in a configuration file, through the standard
 * {@code Caching.getCachingProvider()} look-up, with a plain {@code MutableConfiguration} as frameworks pass.
 */
class AppEngineSelectionTest {

  @RegisterExtension
  final LocalMemcache memcache = new LocalMemcache();

  private final CachingProvider provider = Caching.getCachingProvider();

  @TempDir
  Path dir;

  @AfterEach
  void closeManagers() {
    provider.close();
  }

  @Test
  void larderStoreAppengineInTheManagersPropertiesPutsItsCachesInTheService() {
    Properties properties = new Properties();
    properties.setProperty("larder.store", "appengine");
    properties.setProperty(AppEngineSettings.PREFIX, "props");
    CacheManager manager = provider.getCacheManager(URI.create("app:props"), null, properties);
    Cache<String, String> cache = manager.createCache("pages", new MutableConfiguration<String, String>());
    cache.put("home", "<h1>");
    assertThat(cache.unwrap(AppEngineStore.class)).isNotNull();
    String itemKey = cache.unwrap(AppEngineStore.class).itemKey(dev.larder.store.codec.TaggedSerializer.INSTANCE.serialize("home"));
    assertThat(itemKey).startsWith("props:app%3Aprops:pages:");
    assertThat(memcache.raw().get(itemKey)).as("the item is in App Engine's memcache").isInstanceOf(byte[].class);
    assertThat(cache.get("home")).isEqualTo("<h1>");
  }

  @Test
  void aFileSelectsTheStoreAndItsSettings() throws IOException {
    URI file = write("larder.conf", """
        larder {
          store = appengine
          appengine {
            prefix = conf
            timeout.millis = 2500
            on.failure = miss
            deserialization.allow = "com.acme.**"
          }
          caches.sessions { key-type = java.lang.String, value-type = java.lang.String }
        }
        """);
    CacheManager manager = provider.getCacheManager(file, null);
    Cache<String, String> sessions = manager.getCache("sessions", String.class, String.class);
    sessions.put("s1", "alice");
    assertThat(sessions.unwrap(FailurePolicyStore.class)).as("on.failure = miss").isNotNull();
    assertThat(sessions.getConfiguration(LarderConfiguration.class).getMaximumSize())
        .as("the service bounds its own memory").isEqualTo(LarderConfiguration.UNBOUNDED);
    memcache.fail();
    assertThat(sessions.get("s1")).as("a miss, under the file's policy").isNull();
    memcache.heal();
    assertThat(sessions.get("s1")).isEqualTo("alice");
  }

  @Test
  void mistakesNameTheFileAndTheSetting() throws IOException {
    URI misspelt = write("misspelt.conf", "larder { store = appengine, appengine { prefx = a } }");
    assertThatThrownBy(() -> provider.getCacheManager(misspelt, null))
        .isInstanceOf(CacheException.class)
        .hasMessageStartingWith("Larder configuration " + misspelt + ", line 1: larder.appengine.prefx:");

    URI badTimeout = write("bad-timeout.conf", "larder { store = appengine, appengine.timeout.millis = soon }");
    assertThatThrownBy(() -> provider.getCacheManager(badTimeout, null))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("larder.appengine.timeout.millis must be a whole number, was 'soon'");

    URI badNamespace = write("bad-namespace.conf", "larder { store = appengine, appengine.namespace = \"a b\" }");
    assertThatThrownBy(() -> provider.getCacheManager(badNamespace, null))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("larder.appengine.namespace: 'a b' is not an App Engine namespace");

    URI badPolicy = write("bad-policy.conf", "larder { store = appengine, appengine.on.failure = shrug }");
    assertThatThrownBy(() -> provider.getCacheManager(badPolicy, null))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("larder.appengine.on.failure must be 'throw' or 'miss', was 'shrug'");
  }

  private URI write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file.toUri();
  }
}
