package dev.larder.memcached;

import dev.larder.store.codec.TaggedSerializer;
import dev.larder.store.codec.DeserializationAllowList;
import dev.larder.store.codec.DeserializationLimits;
import dev.larder.store.codec.Envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.memcached.protocol.MetaRequest;
import dev.larder.spi.LarderCachingProvider;
import dev.larder.store.StoreEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Whoever can reach memcached can plant bytes under Larder's keys: they must never run code here. */
class DeserializationSecurityTest {

  /** Stands for a gadget chain: code in readObject is what such an attack runs. */
  public static final class Gadget implements Serializable {
    static volatile boolean ran;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      ran = true;
    }
  }

  /** An application value class: allowed because the cache is configured with it. */
  public record Profile(String name, List<String> roles) implements Serializable {}

  private final List<CacheManager> managers = new ArrayList<>();
  private String servers;
  private String prefix;

  @BeforeEach
  void setUp() {
    servers = MemcachedServers.shared();
    prefix = "d" + Long.toString(System.nanoTime(), 36);
    Gadget.ran = false;
  }

  @AfterEach
  void tearDown() {
    managers.forEach(CacheManager::close);
  }

  private <V> LarderCache<String, V> cache(String managerUri, Class<V> valueType) {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create(managerUri),
        getClass().getClassLoader());
    managers.add(manager);
    LarderConfiguration<String, V> configuration = new LarderConfiguration<String, V>()
        .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(servers).withPrefix(prefix)));
    configuration.setTypes(String.class, valueType);
    @SuppressWarnings("unchecked")
    LarderCache<String, V> cache = manager.createCache("values", configuration).unwrap(LarderCache.class);
    return cache;
  }

  @Test
  void aPlantedPayloadOfAnotherClassIsRefusedAndNeverRuns() throws IOException {
    LarderCache<String, String> cache = cache("app:security", String.class);
    cache.put("session", "ok");
    cache.put("other", "fine");

    // A foreign client overwrites the item with a well-formed envelope around a serialized gadget.
    MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);
    byte[] keyBytes = TaggedSerializer.INSTANCE.serialize("session");
    String memcachedKey = store.memcachedKey(keyBytes);
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    payload.write(TaggedSerializer.JAVA);
    try (ObjectOutputStream out = new ObjectOutputStream(payload)) {
      out.writeObject(new Gadget());
    }
    byte[] envelope = Envelope.encode(keyBytes, payload.toByteArray(), StoreEntry.NEVER);
    MemcachedClient client = cache.unwrap(MemcachedClient.class);
    assertThat(client.execute(memcachedKey, MetaRequest.set(memcachedKey, envelope, dev.larder.memcached.protocol.MetaFlags.NONE.ttl(0))).status())
        .isEqualTo(dev.larder.memcached.protocol.MetaStatus.HD);

    assertThatThrownBy(() -> cache.get("session"))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining(Gadget.class.getName())
        .hasMessageContaining(MemcachedSettings.DESERIALIZATION_ALLOW);
    assertThat(Gadget.ran).as("the gadget's readObject ran").isFalse();
    // The cache stays usable: other keys read, the poisoned key can be overwritten.
    assertThat(cache.get("other")).isEqualTo("fine");
    cache.put("session", "restored");
    assertThat(cache.get("session")).isEqualTo("restored");
  }

  /** A value class of the application's own that the cache's (untyped) configuration does not name. */
  public record Unlisted(String name) implements Serializable {}

  @Test
  void whetherAValueIsRefusedNeverDependsOnTheGarbageCollector() throws Exception {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("app:gc"), getClass().getClassLoader());
    managers.add(manager);
    javax.cache.Cache<Object, Object> untyped = manager.createCache("untyped", new LarderConfiguration<Object, Object>()
        .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(servers).withPrefix(prefix))));
    Unlisted value = new Unlisted("kept by this JVM");
    untyped.put("record", value);
    // Refused at once, while this JVM still holds the very instance it wrote...
    assertThatThrownBy(() -> untyped.get("record")).isInstanceOf(CacheException.class)
        .hasMessageContaining("Refused to deserialize a " + Unlisted.class.getName())
        .hasMessageContaining(MemcachedSettings.DESERIALIZATION_ALLOW + "=dev.larder.memcached.**");
    // ...and the same after the collector may have dropped it: before, the first get returned it.
    System.gc();
    assertThatThrownBy(() -> untyped.get("record")).isInstanceOf(CacheException.class)
        .hasMessageContaining("Refused to deserialize a " + Unlisted.class.getName());
    assertThat(value.name()).isNotNull(); // held to the end: the first get saw a live instance

    // JDK value arrays are safe by default (Hibernate keeps entity state as a Serializable[]).
    untyped.put("array", new Serializable[] {"a", 1L, java.time.LocalDate.of(2026, 12, 1)});
    CacheManager other = new LarderCachingProvider().getCacheManager(URI.create("app:gc"), getClass().getClassLoader());
    managers.add(other);
    Object[] read = (Object[]) other.createCache("untyped", new LarderConfiguration<Object, Object>()
        .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(servers).withPrefix(prefix))))
        .get("array");
    assertThat(read).containsExactly("a", 1L, java.time.LocalDate.of(2026, 12, 1));
  }

  @Test
  void aRefusedJdkClassIsNamedAsTheJdksWithTheLineThatAllowsIt() {
    DeserializationAllowList allowList = new DeserializationAllowList(java.util.List.of(), "",
        DeserializationLimits.DEFAULT, MemcachedSettings.PREFIX_OF_SETTINGS, "memcached");
    assertThat(allowList.refusal("java.util.concurrent.ConcurrentSkipListMap"))
        .contains("it is a JDK class")
        .contains(MemcachedSettings.DESERIALIZATION_ALLOW + "=java.util.concurrent.ConcurrentSkipListMap");
    assertThat(allowList.refusal("[Lcom.acme.Order;"))
        .contains("not among the cache's key and value types")
        .contains(MemcachedSettings.DESERIALIZATION_ALLOW + "=com.acme.**");
  }

  @Test
  void garbageUnderLarderKeysIsAClearErrorNotACrash() {
    LarderCache<String, String> cache = cache("app:garbage", String.class);
    cache.put("k", "v");
    MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);
    String memcachedKey = store.memcachedKey(TaggedSerializer.INSTANCE.serialize("k"));
    cache.unwrap(MemcachedClient.class)
        .execute(memcachedKey, MetaRequest.set(memcachedKey, "not an envelope".getBytes(java.nio.charset.StandardCharsets.US_ASCII), dev.larder.memcached.protocol.MetaFlags.NONE.ttl(0)));
    assertThatThrownBy(() -> cache.get("k")).isInstanceOf(CacheException.class).hasMessageContaining(memcachedKey);
    // getAll reads its answers on the event loop: the failure still reaches the caller, and the
    // connection serves on
    cache.put("other", "fine");
    assertThatThrownBy(() -> cache.getAll(java.util.Set.of("other", "k"))).isInstanceOf(CacheException.class)
        .hasMessageContaining(memcachedKey);
    cache.put("k", "again");
    assertThat(cache.getAll(java.util.Set.of("other", "k"))).containsOnly(java.util.Map.entry("other", "fine"),
        java.util.Map.entry("k", "again"));
    assertThat(cache.get("k")).isEqualTo("again");
  }

  @Test
  void theConfiguredValueTypeAndItsPackageAreReadBackFromAnotherClient() {
    LarderCache<String, Profile> writer = cache("app:profiles", Profile.class);
    writer.put("ada", new Profile("Ada", List.of("admin")));
    // Another manager and client: nothing cached locally, the value is deserialized from memcached.
    LarderCache<String, Profile> reader = cache("app:profiles", Profile.class);
    assertThat(reader.unwrap(MemcachedClient.class)).isSameAs(writer.unwrap(MemcachedClient.class));
    assertThat(reader.get("ada")).isEqualTo(new Profile("Ada", List.of("admin")));
  }
}
