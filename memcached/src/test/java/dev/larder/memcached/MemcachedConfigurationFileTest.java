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
  void failureHandlingIsSetInTheFileAndAChangedServerListIsTakenWhenTheManagerReopens() throws IOException {
    String[] shared = MemcachedServers.shared().split(",");
    String template = """
        larder {
          store = memcached
          memcached {
            servers = "%s"
            prefix = reopen%d
            failure.limit = 5
            probe.interval.millis = 100
            on.server.down = eject
            eject.after.millis = 2000
            failover.ttl.seconds = 30
            deserialization.max.depth = 12
            near { maximum.size = 50, max.staleness.millis = 250 }
          }
          caches.pages { key-type = java.lang.String, value-type = java.lang.String }
        }
        """;
    long prefix = System.nanoTime();
    URI file = write("reopen.conf", template.formatted(shared[0] + "," + shared[1], prefix));
    CacheManager manager = provider.getCacheManager(file, null);
    Cache<String, String> pages = manager.getCache("pages", String.class, String.class);
    pages.put("home", "<h1>");
    MemcachedStore<?, ?> store = pages.unwrap(MemcachedStore.class);
    assertThat(store.metrics().getServers()).isEqualTo(shared[0] + "," + shared[1]);
    dev.larder.memcached.protocol.ClientOptions options =
        pages.unwrap(dev.larder.memcached.protocol.MemcachedClient.class).options();
    assertThat(options.failureLimit()).isEqualTo(5);
    assertThat(options.probeIntervalMillis()).isEqualTo(100);
    assertThat(options.ejectAfterMillis()).isEqualTo(2000);
    assertThat(options.failoverTtlSeconds()).isEqualTo(30);
    dev.larder.store.NearCacheStore<?, ?> near = pages.unwrap(dev.larder.store.NearCacheStore.class);
    assertThat(near.maxStalenessMillis()).isEqualTo(250);
    assertThat(pages.get("home")).isEqualTo("<h1>");
    assertThat(near.nearHits()).as("served from the near tier the file asked for").isPositive();

    // An operator adds a server to the file; the application reopens its manager (no JVM restart).
    write("reopen.conf", template.formatted(String.join(",", shared), prefix));
    manager.close();
    Cache<String, String> reopened = provider.getCacheManager(file, null).getCache("pages", String.class, String.class);
    assertThat(reopened.unwrap(MemcachedStore.class).metrics().getServers()).isEqualTo(String.join(",", shared));
    reopened.put("home", "<h1>again");
    assertThat(reopened.get("home")).isEqualTo("<h1>again");

    URI wrong = write("wrong.conf", "larder { store = memcached, memcached { servers = \"" + shared[0]
        + "\", on.server.down = sometimes } }");
    assertThatThrownBy(() -> provider.getCacheManager(wrong, null)).isInstanceOf(CacheException.class)
        .hasMessageContaining("larder.memcached.on.server.down must be 'fail' or 'eject', was 'sometimes'");
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
