package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.configuration.LarderConfiguration;
import java.io.Closeable;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch writer that fails part-way (what it did not write stays out of the cache, what it wrote is in,
 * with its events, and the caller gets the writer's exception), and what closing a cache releases.
 */
class BatchWriterAndCloseTest {

  private CacheManager manager;
  private final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void openManager() {
    manager = Caching.getCachingProvider().getCacheManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  @Test
  void aBatchWriteThatFailsPartWayLeavesOutWhatItDidNotWrite() {
    HalfWriter writer = new HalfWriter();
    Cache<String, String> cache = cache("batchWrite", writer);
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("a", "1");
    entries.put("b", "2");
    entries.put("c", "3");
    entries.put("d", "4");
    assertThatThrownBy(() -> cache.putAll(entries)).isInstanceOf(CacheWriterException.class)
        .hasMessageContaining("the system of record took 2 of 4");
    assertThat(writer.store).containsOnlyKeys("a", "b");
    assertThat(cache.getAll(entries.keySet())).containsOnlyKeys("a", "b");
    assertThat(events).containsExactlyInAnyOrder("CREATED a", "CREATED b");

    events.clear();
    assertThatThrownBy(() -> cache.removeAll(Set.of("a", "b"))).isInstanceOf(CacheWriterException.class);
    assertThat(writer.store).hasSize(1);
    assertThat(cache.getAll(Set.of("a", "b"))).as("what the writer kept, the cache keeps").hasSize(1)
        .containsAllEntriesOf(writer.store);
    assertThat(events).hasSize(1).allMatch(event -> event.startsWith("REMOVED "));

    writer.fail = false;
    cache.removeAll();
    assertThat(writer.store).isEmpty();
    assertThat(cache.iterator().hasNext()).isFalse();
  }

  @Test
  void closingACacheClosesItsLoaderWriterAndPolicyAndUnregistersItsMxBeans() throws Exception {
    ClosingLoader loader = new ClosingLoader();
    ClosingWriter writer = new ClosingWriter();
    ClosingPolicy policy = new ClosingPolicy();
    LarderConfiguration<String, String> configuration = new LarderConfiguration<>();
    configuration.setTypes(String.class, String.class).setStatisticsEnabled(true).setManagementEnabled(true)
        .setReadThrough(true).setWriteThrough(true)
        .setCacheLoaderFactory(FactoryBuilder.factoryOf(loader))
        .setCacheWriterFactory(FactoryBuilder.factoryOf(writer))
        .setExpiryPolicyFactory(FactoryBuilder.factoryOf(policy));
    Cache<String, String> cache = manager.createCache("closing", configuration);
    String uri = manager.getURI().toString().replaceAll("[:=,\n*?\"]", ".");
    ObjectName statistics = new ObjectName("javax.cache:type=CacheStatistics,CacheManager=" + uri + ",Cache=closing");
    ObjectName bean = new ObjectName("javax.cache:type=CacheConfiguration,CacheManager=" + uri + ",Cache=closing");
    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(statistics)).isTrue();
    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(bean)).isTrue();

    cache.close();
    assertThat(cache.isClosed()).isTrue();
    assertThat(loader.closed).isTrue();
    assertThat(writer.closed).isTrue();
    assertThat(policy.closed).isTrue();
    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(statistics)).isFalse();
    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(bean)).isFalse();
    assertThatThrownBy(() -> cache.get("k")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    cache.close(); // twice: nothing more
  }

  private Cache<String, String> cache(String name, HalfWriter writer) {
    LarderConfiguration<String, String> configuration = new LarderConfiguration<>();
    configuration.setTypes(String.class, String.class).setWriteThrough(true)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(writer));
    configuration.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(new Recorder(events)), null, false, true));
    return manager.createCache(name, configuration);
  }

  /** Takes the first half of every batch, then fails, leaving the rest in the batch as the spec says. */
  static final class HalfWriter implements CacheWriter<String, String>, java.io.Serializable {
    final transient Map<String, String> store = new ConcurrentHashMap<>();
    transient volatile boolean fail = true;

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      store.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      int total = entries.size();
      int half = total / 2;
      Iterator<Cache.Entry<? extends String, ? extends String>> it = entries.iterator();
      for (int i = 0; i < half; i++) {
        write(it.next());
        it.remove();
      }
      if (fail) {
        throw new IllegalStateException("the system of record took " + half + " of " + total);
      }
      it.forEachRemaining(this::write);
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      store.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      Iterator<?> it = keys.iterator();
      int half = keys.size() / 2;
      for (int i = 0; i < half; i++) {
        delete(it.next());
        it.remove();
      }
      if (fail) {
        throw new IllegalStateException("the system of record deleted " + half + " of " + (half + keys.size()));
      }
      it.forEachRemaining(this::delete);
      keys.clear();
    }
  }

  static final class Recorder implements CacheEntryCreatedListener<String, String>,
      CacheEntryRemovedListener<String, String>, java.io.Serializable {
    private final transient List<String> events;

    Recorder(List<String> events) {
      this.events = events;
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> created) {
      created.forEach(e -> events.add("CREATED " + e.getKey()));
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> removed) {
      removed.forEach(e -> events.add("REMOVED " + e.getKey()));
    }
  }

  static final class ClosingLoader implements CacheLoader<String, String>, Closeable, java.io.Serializable {
    transient volatile boolean closed;

    @Override
    public String load(String key) {
      return null;
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      return Map.of();
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class ClosingWriter implements CacheWriter<String, String>, Closeable, java.io.Serializable {
    transient volatile boolean closed;

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
    }

    @Override
    public void delete(Object key) {
    }

    @Override
    public void deleteAll(Collection<?> keys) {
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class ClosingPolicy implements javax.cache.expiry.ExpiryPolicy, Closeable, java.io.Serializable {
    transient volatile boolean closed;

    @Override
    public javax.cache.expiry.Duration getExpiryForCreation() {
      return javax.cache.expiry.Duration.ETERNAL;
    }

    @Override
    public javax.cache.expiry.Duration getExpiryForAccess() {
      return null;
    }

    @Override
    public javax.cache.expiry.Duration getExpiryForUpdate() {
      return null;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
