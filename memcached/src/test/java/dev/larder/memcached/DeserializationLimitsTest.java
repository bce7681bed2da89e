package dev.larder.memcached;

import dev.larder.store.codec.TaggedSerializer;
import dev.larder.store.codec.Envelope;
import dev.larder.store.codec.DeserializationLimits;
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
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Payloads built only from allowed classes, planted under Larder's keys by whoever can reach the port,
 * made to exhaust the reader: each is refused quickly, with a message naming the limit and its
 * setting, before it allocates or recurses, and the cache and the JVM carry on.
 */
class DeserializationLimitsTest {

  private final List<CacheManager> managers = new ArrayList<>();
  private String prefix;

  @BeforeEach
  void setUp() {
    prefix = "lim" + Long.toString(System.nanoTime(), 36);
  }

  @AfterEach
  void tearDown() {
    managers.forEach(CacheManager::close);
  }

  private LarderCache<String, Serializable> cache(DeserializationLimits limits) {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("app:limits"),
        getClass().getClassLoader());
    managers.add(manager);
    LarderConfiguration<String, Serializable> configuration = new LarderConfiguration<String, Serializable>()
        .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(MemcachedServers.shared())
            .withPrefix(prefix).withDeserializationLimits(limits)));
    configuration.setTypes(String.class, Serializable.class);
    @SuppressWarnings("unchecked")
    LarderCache<String, Serializable> cache = manager.createCache("values", configuration).unwrap(LarderCache.class);
    return cache;
  }

  /** Writes serialized bytes under the cache's key, as a foreign client could. */
  private static void plant(LarderCache<String, ?> cache, String key, byte[] serialized) {
    MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);
    byte[] keyBytes = TaggedSerializer.INSTANCE.serialize(key);
    String memcachedKey = store.memcachedKey(keyBytes);
    byte[] value = new byte[serialized.length + 1];
    value[0] = TaggedSerializer.JAVA;
    System.arraycopy(serialized, 0, value, 1, serialized.length);
    byte[] envelope = Envelope.encode(keyBytes, value, StoreEntry.NEVER);
    MemcachedClient client = cache.unwrap(MemcachedClient.class);
    assertThat(client.execute(memcachedKey, MetaRequest.set(memcachedKey, envelope, dev.larder.memcached.protocol.MetaFlags.NONE.ttl(0))).status())
        .isEqualTo(dev.larder.memcached.protocol.MetaStatus.HD);
  }

  private static byte[] serialize(Object object) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    }
    return bytes.toByteArray();
  }

  /**
   * The refusal comes quickly, names the limit, and the cache goes on working. The read runs on a daemon
   * thread of its own, bounded: a payload that got through could spin for hours, uninterruptibly.
   */
  private static void assertRefusedQuickly(LarderCache<String, Serializable> cache, String key, String setting)
      throws Exception {
    long began = System.nanoTime();
    java.util.concurrent.FutureTask<Object> read = new java.util.concurrent.FutureTask<>(() -> cache.get(key));
    Thread reader = new Thread(read, "payload-reader");
    reader.setDaemon(true);
    reader.start();
    assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class)
        .cause().isInstanceOf(CacheException.class)
        .hasMessageContaining("Refused to deserialize").hasMessageContaining(setting);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)).as("ms to refuse").isLessThan(2_000);
    cache.put("fine", new ArrayList<>(List.of("still", "working")));
    assertThat(cache.get("fine")).isEqualTo(List.of("still", "working"));
    cache.put(key, "repaired");
    assertThat(cache.get(key)).isEqualTo("repaired");
  }

  @Test
  void collectionsNestedThousandsDeepAreRefusedBeforeTheStackOverflows() throws Exception {
    LarderCache<String, Serializable> cache = cache(DeserializationLimits.DEFAULT);
    byte[][] payload = new byte[1][];
    // Writing 20,000 levels needs a deep stack; a reader without the limit would overflow its own.
    Thread writer = new Thread(null, () -> {
      try {
        ArrayList<Object> outer = new ArrayList<>();
        ArrayList<Object> current = outer;
        for (int i = 0; i < 20_000; i++) {
          ArrayList<Object> inner = new ArrayList<>();
          current.add(inner);
          current = inner;
        }
        payload[0] = serialize(outer);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, "deep-writer", 1L << 29);
    writer.start();
    writer.join(TimeUnit.SECONDS.toMillis(30));
    plant(cache, "deep", payload[0]);
    assertRefusedQuickly(cache, "deep", "larder.memcached" + DeserializationLimits.MAX_DEPTH);
  }

  @Test
  void anArrayClaimingBillionsOfElementsIsRefusedBeforeAnythingIsAllocated() throws Exception {
    LarderCache<String, Serializable> cache = cache(DeserializationLimits.DEFAULT);
    byte[] bytes = serialize(new long[] {42, 43, 44});
    // The stream ends with the length (3) and the three longs: claim 2^31-1 elements instead (16 GiB).
    int lengthAt = bytes.length - 3 * 8 - 4;
    assertThat(bytes[lengthAt + 3]).isEqualTo((byte) 3);
    bytes[lengthAt] = 0x7f;
    bytes[lengthAt + 1] = (byte) 0xff;
    bytes[lengthAt + 2] = (byte) 0xff;
    bytes[lengthAt + 3] = (byte) 0xff;
    plant(cache, "huge", bytes);
    assertRefusedQuickly(cache, "huge", "2147483647 elements");
  }

  @Test
  void setsOfSetsSharingReferencesAreRefusedBeforeTheHashingExplodes() throws Exception {
    // Each level holds two sets that hold the next two: reading it hashes 2^levels times (2^40 here).
    Set<Object> root = new HashSet<>();
    Set<Object> left = root;
    Set<Object> right = new HashSet<>();
    for (int level = 0; level < 40; level++) {
      Set<Object> nextLeft = new HashSet<>();
      Set<Object> nextRight = new HashSet<>();
      nextLeft.add("level" + level);
      left.add(nextLeft);
      left.add(nextRight);
      right.add(nextLeft);
      right.add(nextRight);
      left = nextLeft;
      right = nextRight;
    }
    byte[] payload = serialize(root);
    assertThat(payload.length).as("a small item").isLessThan(4_000);
    LarderCache<String, Serializable> cache = cache(DeserializationLimits.DEFAULT);
    plant(cache, "laughs", payload);
    assertRefusedQuickly(cache, "laughs", "larder.memcached" + DeserializationLimits.MAX_DEPTH);
  }

  @Test
  void theReferenceAndByteLimitsCanBeSetLowerAndEachNamesItsSetting() throws Exception {
    ArrayList<Integer> many = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      many.add(1_000 + i); // distinct objects: each one a reference in the stream
    }
    LarderCache<String, Serializable> fewReferences = cache(new DeserializationLimits(20, 1_000_000, 1_000, -1));
    plant(fewReferences, "many", serialize(many));
    assertRefusedQuickly(fewReferences, "many", "larder.memcached" + DeserializationLimits.MAX_REFERENCES);
    tearDown();
    managers.clear();

    LarderCache<String, Serializable> fewBytes = cache(new DeserializationLimits(20, 1_000_000, 1_000_000, 10_000));
    plant(fewBytes, "many", serialize(many));
    assertRefusedQuickly(fewBytes, "many", "larder.memcached" + DeserializationLimits.MAX_BYTES);
  }

  @Test
  void ordinaryValuesPassTheDefaultLimits() {
    LarderCache<String, Serializable> writer = cache(DeserializationLimits.DEFAULT);
    ArrayList<Object> nested = new ArrayList<>(List.of(new java.util.HashMap<>(java.util.Map.of("k",
        new ArrayList<>(List.of(new java.util.TreeMap<>(java.util.Map.of("a",
            new ArrayList<>(java.util.Collections.nCopies(100_000, 7L)))))))))); // 6 deep, 100,000 elements
    writer.put("ordinary", nested);
    // another manager: the value is deserialized from what memcached holds, not taken from this one's memory
    LarderCache<String, Serializable> reader = cache(DeserializationLimits.DEFAULT);
    assertThat(reader.get("ordinary")).isEqualTo(nested);
  }
}
