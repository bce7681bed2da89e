package dev.larder.appengine;

import com.google.appengine.api.memcache.Expiration;
import com.google.appengine.api.memcache.MemcacheService.CasValues;
import com.google.appengine.api.memcache.MemcacheService.IdentifiableValue;
import com.google.appengine.api.memcache.MemcacheService.SetPolicy;
import com.google.apphosting.api.ApiProxy;
import dev.larder.store.Store;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreEntry;
import dev.larder.store.codec.BatchedIterator;
import dev.larder.store.codec.DeserializationAllowList;
import dev.larder.store.codec.Envelope;
import dev.larder.store.codec.Generation;
import dev.larder.store.codec.RemoteKeys;
import dev.larder.store.codec.Serializer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache's entries in App Engine's memcache service.
 *
 * <p>Item keys are {@code prefix:manager:cache:generation:key}, as on memcached; {@link #clear()} moves
 * the generation (a counter in the service) so that nothing else in the service is touched. Each value
 * is an {@link Envelope} (version 2) of bytes: the deadline to the millisecond (the service's own expiry
 * is whole seconds, set a second past the deadline), the full key, the value, and a random stamp per
 * write, which stands in for the CAS id the API does not show, so a JVM holding a value it read or
 * wrote gets the same instance back while the item is unchanged.
 *
 * <p>Every update is a CAS loop: {@code getIdentifiable}, apply, then {@code putIfUntouched} over what
 * was read, or an add ({@code ADD_ONLY_IF_NOT_PRESENT}) where nothing was. The API has no conditional
 * delete, so a removal writes, conditionally, an empty value (a tombstone, absent to every reader) that
 * expires by itself. A key is registered in the {@link KeyIndex} before the add that creates it.
 */
final class AppEngineStore<K, V> implements Store<K, V>, AppEngineStoreMXBean {

  private static final Logger LOG = LoggerFactory.getLogger(AppEngineStore.class);

  private static final int MAX_KEY_LENGTH = 250;
  private static final int MAX_ATTEMPTS = 1000;
  private static final int BATCH = 100;
  /** A tombstone outlives any read-modify-write that read the entry before it (calls time out in seconds). */
  private static final Expiration TOMBSTONE_LIFETIME = Expiration.byDeltaSeconds(60);

  private final ServiceCalls calls;
  private final KeyIndex index;
  private final RemoteKeys<K> remoteKeys;
  private final ItemCodec<K, V> codec;
  /** What deadlines are checked and the service's expiry computed against: the cache's time source. */
  private final dev.larder.expiry.TimeSource time;
  private final String namespace;
  private final String generationKey;
  private final String serviceNamespace;
  private final boolean failuresAsMisses;
  private final javax.management.ObjectName mbeanName;
  /** Where the failure policy around this store counts (set once by the factory). */
  private volatile java.util.function.LongSupplier failureCount = () -> 0;
  private final Generation generation;
  /** Set by a listing that found key slots missing, for {@link #removedAllListed()}'s warning. */
  private volatile boolean listingIncomplete;

  AppEngineStore(ServiceCalls calls, Serializer serializer, AppEngineSettings settings, StoreContext<K, V> context) {
    this.calls = calls;
    this.index = new KeyIndex(calls);
    this.time = context.time();
    DeserializationAllowList allowList = new DeserializationAllowList(List.of(context.keyType(), context.valueType()),
        settings.deserializationAllow(), settings.limits(), AppEngineSettings.SETTINGS, "App Engine memcache");
    this.remoteKeys = new RemoteKeys<>(serializer, context.classLoader(), allowList);
    this.codec = new ItemCodec<>(serializer, context.classLoader(), allowList, time);
    String scope = encode(context.managerName()) + ":" + encode(context.cacheName());
    if (settings.prefix().length() + scope.length() > 120) {
      scope = "h" + RemoteKeys.hash(scope.getBytes(StandardCharsets.UTF_8));
    }
    this.namespace = settings.prefix() + ":" + scope + ":";
    this.generationKey = namespace + "gen";
    this.generation = new Generation(new GenerationCounter(), namespace);
    this.serviceNamespace = settings.namespace();
    this.failuresAsMisses = settings.failuresAsMisses();
    this.mbeanName = dev.larder.management.MBeans.objectName("dev.larder", "AppEngineStore", context.managerName(),
        context.cacheName());
    // The generation is read on the first call, under the failure policy: a store made while the
    // service is away answers misses (policy "miss") until it can be read.
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public StoreEntry<V> get(K key) {
    byte[] keyBytes = remoteKeys.bytes(key);
    String itemKey = itemKey(keyBytes);
    Object item = calls.call("get of " + itemKey, service -> service.get(itemKey));
    return codec.toEntry(itemKey, keyBytes, item);
  }

  @Override
  public Map<K, StoreEntry<V>> getAll(Set<? extends K> keys) {
    RemoteKeys.Batch<K> batch = remoteKeys.batch(keys, this::itemKey);
    Map<String, Object> items = calls.call("get of " + keys.size() + " keys",
        service -> service.getAll(batch.keys().keySet()));
    Map<K, StoreEntry<V>> found = new HashMap<>();
    for (Map.Entry<String, Object> item : items.entrySet()) {
      StoreEntry<V> entry = codec.toEntry(item.getKey(), batch.bytes().get(item.getKey()), item.getValue());
      if (entry != null) {
        found.put(batch.keys().get(item.getKey()), entry);
      }
    }
    return found;
  }

  // ---------------------------------------------------------------------------------------------
  // Updates

  @Override
  public StoreEntry<V> compute(K key, Remapping<K, V> remapping) {
    byte[] keyBytes = remoteKeys.bytes(key);
    String itemKey = itemKey(keyBytes);
    boolean registered = false;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      IdentifiableValue read = calls.call("read of " + itemKey, service -> service.getIdentifiable(itemKey));
      StoreEntry<V> current = read == null ? null : codec.toEntryBeforeWrite(itemKey, keyBytes, read.getValue());
      StoreEntry<V> next = remapping.apply(key, current);
      if (next == current) {
        return current;
      }
      if (next == null) {
        if (current == null) {
          return null; // absent already (nothing, or a tombstone)
        }
        if (putIfUntouched(itemKey, read, ItemCodec.TOMBSTONE, TOMBSTONE_LIFETIME)) {
          return null;
        }
        continue; // changed since read
      }
      boolean register = read == null && !registered; // once a call, however often it retries
      registered |= register;
      if (writeUnlessChanged(key, itemKey, keyBytes, read, next, register)) {
        return next;
      }
      // added, changed or removed meanwhile: read again
    }
    throw new CacheException("Gave up updating key " + key + " in App Engine memcache after " + MAX_ATTEMPTS
        + " attempts: other writers kept changing it");
  }

  /**
   * The batch form of {@link #compute}: one read of all keys, then one call each for the CAS writes
   * (removals as tombstones among them), the key index's slots of the keys created (two) and the adds of
   * each expiry, then again for the keys another writer changed meanwhile.
   */
  @Override
  public Map<K, StoreEntry<V>> computeAll(Set<? extends K> keys, Remapping<K, V> remapping) {
    RemoteKeys.Batch<K> batch = remoteKeys.batch(keys, this::itemKey);
    Map<String, K> pending = new LinkedHashMap<>(batch.keys());
    Map<String, byte[]> keyBytes = batch.bytes();
    Map<K, StoreEntry<V>> results = new HashMap<>();
    Set<String> registered = new java.util.HashSet<>();
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      if (attempt == MAX_ATTEMPTS) {
        throw new CacheException("Gave up updating " + pending.size() + " keys in App Engine memcache after "
            + MAX_ATTEMPTS + " attempts: other writers kept changing them");
      }
      List<String> itemKeys = List.copyOf(pending.keySet());
      Map<String, IdentifiableValue> reads = calls.call("read of " + itemKeys.size() + " keys",
          service -> service.getIdentifiables(itemKeys));
      Map<String, CasValues> updates = new HashMap<>();
      Map<Expiration, Map<String, byte[]>> adds = new HashMap<>();
      Map<String, StoreEntry<V>> outcomes = new HashMap<>();
      Map<String, Long> stamps = new HashMap<>();
      Map<String, byte[]> envelopes = new HashMap<>();
      Map<String, List<String>> toRegister = new HashMap<>();
      for (String itemKey : itemKeys) {
        K key = pending.get(itemKey);
        IdentifiableValue read = reads.get(itemKey);
        StoreEntry<V> current = read == null ? null : codec.toEntryBeforeWrite(itemKey, keyBytes.get(itemKey), read.getValue());
        StoreEntry<V> next = remapping.apply(key, current);
        if (next == current || (next == null && current == null)) {
          results.put(key, current);
          pending.remove(itemKey);
          continue;
        }
        outcomes.put(itemKey, next);
        if (next == null) {
          updates.put(itemKey, new CasValues(read, ItemCodec.TOMBSTONE, TOMBSTONE_LIFETIME));
          continue;
        }
        long stamp = ThreadLocalRandom.current().nextLong();
        stamps.put(itemKey, stamp);
        byte[] envelope = codec.envelope(key, itemKey, keyBytes.get(itemKey), next, stamp);
        envelopes.put(itemKey, envelope);
        Expiration expiration = codec.expiration(next.expiresAt());
        if (read == null) {
          if (registered.add(itemKey)) {
            toRegister.computeIfAbsent(keyBase(itemKey), base -> new ArrayList<>()).add(itemKey);
          }
          adds.computeIfAbsent(expiration, e -> new HashMap<>()).put(itemKey, envelope);
        } else {
          updates.put(itemKey, new CasValues(read, envelope, expiration));
        }
      }
      toRegister.forEach(index::registerAll); // before the adds that create the keys
      Set<String> done = new java.util.HashSet<>();
      if (!updates.isEmpty()) {
        done.addAll(calls.call("write of " + updates.size() + " keys", service -> service.putIfUntouched(updates)));
      }
      for (Map.Entry<Expiration, Map<String, byte[]>> sameExpiry : adds.entrySet()) {
        done.addAll(calls.call("add of " + sameExpiry.getValue().size() + " keys",
            service -> service.putAll(sameExpiry.getValue(), sameExpiry.getKey(), SetPolicy.ADD_ONLY_IF_NOT_PRESENT)));
      }
      for (String itemKey : done) {
        StoreEntry<V> next = outcomes.get(itemKey);
        if (next != null) {
          codec.written(itemKey, stamps.get(itemKey), next.value(), envelopes.get(itemKey));
        }
        results.put(pending.remove(itemKey), next);
      }
    }
    return results;
  }

  /**
   * Cache-aside without stampedes across every JVM of the application: the caller that adds the key's
   * lock item ({@code ADD_ONLY_IF_NOT_PRESENT}, atomic in the service) computes; the others keep the
   * current value if it is live (refresh ahead), or poll until the value appears, and compute it
   * themselves once {@code waitMillis} has passed (the lock holder died or is slow).
   */
  @Override
  public Computed<V> getOrCompute(K key, Function<K, StoreEntry<V>> compute, long refreshAheadMillis,
      long waitMillis) {
    byte[] keyBytes = remoteKeys.bytes(key);
    String itemKey = itemKey(keyBytes);
    String lockKey = keyBase(itemKey) + "lock:" + RemoteKeys.hash(itemKey.getBytes(StandardCharsets.UTF_8));
    long giveUpAt = System.currentTimeMillis() + waitMillis;
    long pause = 1;
    while (true) {
      IdentifiableValue read = calls.call("read of " + itemKey, service -> service.getIdentifiable(itemKey));
      StoreEntry<V> current = liveOrNull(read == null ? null : codec.toEntryBeforeWrite(itemKey, keyBytes, read.getValue()));
      if (current != null && (refreshAheadMillis <= 0 || current.expiresAt() - time.millis() > refreshAheadMillis)) {
        return new Computed<>(current, false, null);
      }
      if (lock(lockKey, waitMillis)) {
        try {
          return computeLocked(key, itemKey, keyBytes, compute, refreshAheadMillis);
        } finally {
          calls.call("delete of " + lockKey, service -> service.delete(lockKey));
        }
      }
      if (current != null) {
        return new Computed<>(current, false, null); // another caller is refreshing it
      }
      if (System.currentTimeMillis() >= giveUpAt) {
        StoreEntry<V> computed = compute.apply(key);
        if (computed != null) {
          writeUnlessChanged(key, itemKey, keyBytes, read, computed, true);
        }
        return new Computed<>(computed, true, null);
      }
      try {
        Thread.sleep(pause); // another caller holds the lock: wait for its value
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheException("Interrupted while waiting for another caller to compute key " + key, e);
      }
      pause = Math.min(50, pause * 2);
    }
  }

  /** Under the lock: read again (the previous holder may just have written), then compute and write. */
  private Computed<V> computeLocked(K key, String itemKey, byte[] keyBytes, Function<K, StoreEntry<V>> compute,
      long refreshAheadMillis) {
    IdentifiableValue read = calls.call("read of " + itemKey, service -> service.getIdentifiable(itemKey));
    StoreEntry<V> found = read == null ? null : codec.toEntryBeforeWrite(itemKey, keyBytes, read.getValue());
    StoreEntry<V> live = liveOrNull(found);
    if (live != null && (refreshAheadMillis <= 0 || live.expiresAt() - time.millis() > refreshAheadMillis)) {
      return new Computed<>(live, false, null);
    }
    StoreEntry<V> computed = compute.apply(key);
    if (computed == null) {
      if (found != null) {
        putIfUntouched(itemKey, read, ItemCodec.TOMBSTONE, TOMBSTONE_LIFETIME);
      }
      return new Computed<>(null, true, found);
    }
    // A put that landed since the read wins over the computed value; ours is still returned.
    writeUnlessChanged(key, itemKey, keyBytes, read, computed, true);
    return new Computed<>(computed, true, found);
  }

  /**
   * Writes {@code entry} over the item {@code read} (an add where nothing was read), unless it changed
   * since; says whether it wrote.
   *
   * @param register whether a key about to be created takes its key-index slot first
   */
  private boolean writeUnlessChanged(K key, String itemKey, byte[] keyBytes, IdentifiableValue read,
      StoreEntry<V> entry, boolean register) {
    long stamp = ThreadLocalRandom.current().nextLong();
    byte[] envelope = codec.envelope(key, itemKey, keyBytes, entry, stamp);
    boolean written;
    if (read == null) {
      if (register) {
        index.register(keyBase(itemKey), itemKey);
      }
      written = calls.call("add of " + itemKey,
          service -> service.put(itemKey, envelope, codec.expiration(entry.expiresAt()), SetPolicy.ADD_ONLY_IF_NOT_PRESENT));
    } else {
      written = putIfUntouched(itemKey, read, envelope, codec.expiration(entry.expiresAt()));
    }
    if (written) {
      codec.written(itemKey, stamp, entry.value(), envelope);
    }
    return written;
  }

  /** Adds the lock item; it expires by itself a second after any waiter would have given up. */
  private boolean lock(String lockKey, long waitMillis) {
    Expiration lifetime = Expiration.byDeltaSeconds((int) Math.min(Integer.MAX_VALUE, waitMillis / 1000 + 2));
    return calls.call("add of " + lockKey,
        service -> service.put(lockKey, ItemCodec.TOMBSTONE, lifetime, SetPolicy.ADD_ONLY_IF_NOT_PRESENT));
  }

  private boolean putIfUntouched(String itemKey, IdentifiableValue read, byte[] value, Expiration expiration) {
    return calls.call("write of " + itemKey, service -> service.putIfUntouched(itemKey, read, value, expiration));
  }

  // ---------------------------------------------------------------------------------------------
  // Listing, clearing

  @Override
  public Iterator<Map.Entry<K, StoreEntry<V>>> entries() {
    KeyIndex.Listing listing = index.list(namespace + generation() + ":");
    if (!listing.complete()) {
      listingIncomplete = true;
    }
    return new BatchedIterator<>(listing.itemKeys(), BATCH, this::fetch);
  }

  /**
   * {@code removeAll()} has removed what the listing found; the generation then moves, which drops every
   * entry left (without events or writer calls: none can be told of what was not found) and starts the
   * next generation with an empty key index. Left would be entries whose key slot memcache evicted, and
   * those another instance created since the listing (a put racing a removeAll may be lost either way).
   * Moving the generation also keeps the index from growing across the cache's life.
   */
  @Override
  public void removedAllListed() {
    if (listingIncomplete) {
      listingIncomplete = false;
      LOG.warn("Cache " + namespace + ": its key index had lost slots (memcache evicted them); removeAll()"
          + " dropped the entries it could not list without events");
    }
    clear();
  }

  /** The entries of one batch of listed item keys, leaving out those gone and tombstones. */
  private List<Map.Entry<K, StoreEntry<V>>> fetch(List<String> itemKeys) {
    Map<String, Object> items = calls.call("get of " + itemKeys.size() + " listed keys",
        service -> service.getAll(itemKeys));
    List<Map.Entry<K, StoreEntry<V>>> entries = new ArrayList<>();
    for (String itemKey : itemKeys) {
      Object item = items.get(itemKey);
      if (!(item instanceof byte[] bytes) || bytes.length == 0) {
        continue; // gone, or a tombstone
      }
      Envelope envelope = Envelope.decode(bytes, itemKey, "App Engine memcache");
      K key = remoteKeys.key(envelope.key());
      if (key == null) {
        continue; // another JVM's unserializable key
      }
      StoreEntry<V> entry = codec.toEntry(itemKey, envelope.key(), bytes);
      if (entry != null) {
        entries.add(new AbstractMap.SimpleImmutableEntry<>(key, entry));
      }
    }
    return entries;
  }

  @Override
  public void clear() {
    long next = generation.initial();
    generation.accept(present(calls.call("increment of " + generationKey,
        service -> service.increment(generationKey, 1L, next))));
    codec.forget();
    remoteKeys.clear();
  }

  @Override
  public void close() {
    dev.larder.management.MBeans.unregister(mbeanName);
    codec.forget();
  }

  // ---------------------------------------------------------------------------------------------
  // MXBean

  /** Registers this store's MXBean, counting the failures of the policy around it; called once made. */
  AppEngineStore<K, V> register(java.util.function.LongSupplier failures) {
    this.failureCount = failures;
    dev.larder.management.MBeans.register(this, mbeanName);
    return this;
  }

  @Override
  public long getFailures() {
    return failureCount.getAsLong();
  }

  @Override
  public String getOnFailure() {
    return failuresAsMisses ? "miss" : "throw";
  }

  @Override
  public String getNamespace() {
    return serviceNamespace;
  }

  @Override
  public String getKeyPrefix() {
    return namespace;
  }

  @Override
  public long getGeneration() {
    return generation.lastRead();
  }

  @Override
  public dev.larder.expiry.TimeSource time() {
    return time;
  }

  /** Also the {@code AsyncMemcacheService} the store uses. */
  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(calls.service())) {
      return type.cast(calls.service());
    }
    return Store.super.unwrap(type);
  }

  /**
   * App Engine answers API calls only on the request's thread and on threads made by its
   * {@code ThreadManager}: a task for one of Larder's threads takes the caller's environment along, and
   * runs under it unless that thread has one of its own. On App Engine the task must finish while the
   * request that handed it over is still running.
   */
  @Override
  public Runnable carryCallerContext(Runnable task) {
    ApiProxy.Environment environment = ApiProxy.getCurrentEnvironment();
    if (environment == null) {
      return task;
    }
    return () -> {
      if (ApiProxy.getCurrentEnvironment() != null) {
        task.run();
        return;
      }
      ApiProxy.setEnvironmentForCurrentThread(environment);
      try {
        task.run();
      } finally {
        ApiProxy.clearEnvironmentForCurrentThread();
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Keys, generations, envelopes

  /** The item key of a serialized key in the current generation. */
  String itemKey(byte[] keyBytes) {
    return RemoteKeys.itemKey(namespace + generation() + ":", keyBytes, MAX_KEY_LENGTH);
  }

  /** The generation's part of an item key ({@code prefix:manager:cache:generation:}). */
  private String keyBase(String itemKey) {
    return itemKey.substring(0, itemKey.indexOf(':', namespace.length()) + 1);
  }

  private long generation() {
    return generation.current();
  }

  /**
   * The generation counter in the service: read and made in one atomic call (an increment by 0 with an
   * initial value).
   */
  private final class GenerationCounter implements Generation.Counter {
    @Override
    public long readOrCreate(long initial) {
      return present(calls.call("read of " + generationKey, service -> service.increment(generationKey, 0L, initial)));
    }

    @Override
    public void raise(long found, long inUse) {
      calls.call("increment of " + generationKey, service -> service.increment(generationKey, inUse - found));
    }
  }

  private long present(Long value) {
    if (value == null) {
      throw new CacheException("App Engine memcache answered no value for the generation counter " + generationKey);
    }
    return value;
  }

  private StoreEntry<V> liveOrNull(StoreEntry<V> entry) {
    return entry == null || entry.isExpiredAt(time.millis()) ? null : entry;
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "AppEngineStore{" + namespace + "}";
  }
}
