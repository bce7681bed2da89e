package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.configuration.LarderConfiguration;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memcached store chosen and set up by a configuration file, for a whole manager or for one cache. */
class MemcachedConfigurationFileTest {

  private final CachingProvider provider = Caching.getCachingProvider();

  @TempDir
  Path dir;

  @AfterEach
  void closeManagers() {
    provider.close();
  }

  @Test
  void aFileCanPutOneCacheOnMemcachedAndKeepAnotherInProcess() throws IOException {
    String text = """
        larder {
          store = in-process
          defaults { maximum-size = 100 }     # bounds the in-process caches only
          memcached {
            servers = "%s"
            prefix = conf%d
            timeout.millis = 2000
          }
          caches {
            shared { store = memcached, key-type = java.lang.String, value-type = java.lang.String }
            local { key-type = java.lang.String, value-type = java.lang.String }
          }
        }
        """.formatted(MemcachedServers.shared(), System.nanoTime());
    // the same file deployed at two paths, as two JVMs would have it: same name, same caches on memcached
    CacheManager first = provider.getCacheManager(write("first/larder.conf", text), null);
    CacheManager second = provider.getCacheManager(write("second/larder.conf", text), null);

    first.getCache("shared", String.class, String.class).put("k", "on memcached");
    first.getCache("local", String.class, String.class).put("k", "in this manager only");

    assertThat(second.getCache("shared", String.class, String.class).get("k")).isEqualTo("on memcached");
    assertThat(first.getCache("shared").getConfiguration(LarderConfiguration.class).getMaximumSize())
        .as("memcached bounds its own memory").isEqualTo(LarderConfiguration.UNBOUNDED);
    assertThat(first.getCache("local").getConfiguration(LarderConfiguration.class).getMaximumSize()).isEqualTo(100);
    assertThat(second.getCache("local", String.class, String.class).get("k")).isNull();
    first.getCache("shared").clear();
  }

  @Test
  void memcachedMistakesNameTheFileAndTheSetting() throws IOException {
    URI misspelt = write("misspelt.conf", "larder.memcached { server = \"127.0.0.1:11311\" }");
    assertThatThrownBy(() -> provider.getCacheManager(misspelt, null))
        .isInstanceOf(CacheException.class)
        .hasMessageStartingWith("Larder configuration " + misspelt + ", line 1: larder.memcached.server:"
            + " expected one of the memcached settings [");

    URI badServer = write("bad-server.conf", "larder { store = memcached, memcached.servers = \"cache1:eleven\" }");
    assertThatThrownBy(() -> provider.getCacheManager(badServer, null))
        .isInstanceOf(CacheException.class)
        .hasMessage("Larder configuration " + badServer + ": larder.memcached.servers: 'cache1:eleven' is not host:port");

    URI noServers = write("no-servers.conf", "larder.caches.a { store = memcached }");
    assertThatThrownBy(() -> provider.getCacheManager(noServers, null))
        .isInstanceOf(CacheException.class)
        .hasMessageStartingWith("Larder configuration " + noServers + ": larder.store=memcached needs larder.memcached.servers");
  }

  private URI write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file.toUri();
  }
}
