package dev.larder.memcached;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.memcached.protocol.MetaFlags;
import dev.larder.memcached.protocol.MetaRequest;
import dev.larder.memcached.protocol.MetaStatus;
import dev.larder.memcached.protocol.MetaResponse;
import dev.larder.memcached.protocol.ServerNode;
import dev.larder.memcached.protocol.ServerUnavailableException;
import dev.larder.store.Store;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreEntry;
import dev.larder.store.codec.BatchedIterator;
import dev.larder.store.codec.DeserializationAllowList;
import dev.larder.store.codec.Envelope;
import dev.larder.store.codec.Generation;
import dev.larder.store.codec.RecentValues;
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
import java.util.concurrent.TimeUnit;
import javax.cache.CacheException;

/**
 * A cache's entries in memcached.
 *
 * <p>Keys are {@code prefix:manager:cache:generation:key}. {@link #clear()} increments the cache's
 * generation (a counter kept in memcached) instead of flushing servers, so other caches and other
 * applications on the same servers keep their items; the old generation's items are never read again
 * and memcached reclaims them. A key part that is long or not printable ASCII is replaced by a hash of
 * the serialized key; the envelope always carries the full key, checked on every read.
 *
 * <p>{@link #compute} reads with the item's CAS token, applies the function, and writes with that
 * token (or in add mode when the key was absent), retrying when another writer got there first.
 *
 * <p>The last value read or written of each item is kept in {@link RecentValues} with the server, run
 * and CAS token of its version: while an item is unchanged, a JVM that still holds its value gets the
 * same instance back. Values whose bytes read cheaply ({@link Serializer#readsCheaply}: short strings,
 * numbers) are not kept but read anew, equal. {@link #getAll} reads each answer into its entry on the event loop, as it arrives.
 */
final class MemcachedStore<K, V> implements Store<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(MemcachedStore.class);

  private static final int MAX_KEY_LENGTH = 250;
  private static final int MAX_ATTEMPTS = 1000;
  private static final int BATCH = 100;
  /** Room for memcached's item header and key next to the value within {@code item_size_max}. */
  private static final int ITEM_OVERHEAD = 64 + MAX_KEY_LENGTH;

  private final SharedClients.Lease lease;
  private final MemcachedClient client;
  private final Serializer serializer;
  private final String namespace;
  private final MemcachedStoreMetrics metrics;
  private final String generationKey;
  private final RemoteKeys<K> remoteKeys;
  private final RecentValues<V> recentValues;
  /** What deadlines are checked and TTLs computed against: the cache's time source. */
  private final dev.larder.expiry.TimeSource time;
  private final Generation generation;
  private final boolean failuresAsMisses;

  MemcachedStore(SharedClients.Lease lease, Serializer serializer, MemcachedSettings settings,
      StoreContext<K, V> context) {
    String prefix = settings.prefix();
    this.failuresAsMisses = settings.failuresAsMisses();
    this.lease = lease;
    this.client = lease.client();
    this.serializer = serializer;
    ClassLoader classLoader = context.classLoader();
    this.time = context.time();
    // what values and keys read back may contain: see DeserializationAllowList
    DeserializationAllowList allowList = new DeserializationAllowList(List.of(context.keyType(), context.valueType()),
        settings.deserializationAllow(), settings.limits(), "larder.memcached", "memcached");
    this.remoteKeys = new RemoteKeys<>(serializer, classLoader, allowList);
    this.recentValues = new RecentValues<>(serializer, classLoader, allowList);
    String scope = encode(context.managerName()) + ":" + encode(context.cacheName());
    if (prefix.length() + scope.length() > 120) {
      scope = "h" + RemoteKeys.hash(scope.getBytes(StandardCharsets.UTF_8));
    }
    this.namespace = prefix + ":" + scope + ":";
    this.generationKey = namespace + "gen";
    this.generation = new Generation(new GenerationCounter(), namespace);
    this.metrics = new MemcachedStoreMetrics(client, failuresAsMisses, context.managerName(), context.cacheName());
    try {
      generation.refresh();
    } catch (ServerUnavailableException e) {
      if (!failuresAsMisses) {
        throw e;
      }
      // Created during an outage: every call is a miss until the generation can be read.
      LOG.warn("Cache " + namespace + " starts without its generation: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Store. The "miss" failure policy is a FailurePolicyStore around this one (see the factory).

  /** This store's MXBean. */
  MemcachedStoreMetrics metrics() {
    return metrics;
  }

  @Override
  public StoreEntry<V> get(K key) {
    byte[] keyBytes = remoteKeys.bytes(key);
    String memcachedKey = memcachedKey(keyBytes);
    MetaResponse response = client.execute(memcachedKey, MetaRequest.get(memcachedKey, MetaFlags.VALUE_AND_CAS));
    return toEntry(memcachedKey, keyBytes, response);
  }

  @Override
  public Map<K, StoreEntry<V>> getAll(Set<? extends K> keys) {
    // Lists, not maps by item key: the keys of a set are distinct, and so are their items.
    List<MetaRequest> requests = new ArrayList<>(keys.size());
    List<K> keysInOrder = new ArrayList<>(keys.size());
    for (K key : keys) {
      byte[] keyBytes = remoteKeys.bytes(key);
      String memcachedKey = memcachedKey(keyBytes);
      requests.add(MetaRequest.get(memcachedKey, MetaFlags.VALUE_AND_CAS)
          .readBy(response -> toEntry(memcachedKey, keyBytes, response)));
      keysInOrder.add(key);
    }
    client.executeAll(requests);
    Map<K, StoreEntry<V>> found = new HashMap<>(Math.max(4, requests.size() * 4 / 3 + 1));
    for (int i = 0; i < requests.size(); i++) {
      @SuppressWarnings("unchecked") // what the reader above made
      StoreEntry<V> entry = (StoreEntry<V>) requests.get(i).read();
      if (entry != null) {
        found.put(keysInOrder.get(i), entry);
      }
    }
    return found;
  }

  @Override
  public StoreEntry<V> compute(K key, Remapping<K, V> remapping) {
    byte[] keyBytes = remoteKeys.bytes(key);
    String memcachedKey = memcachedKey(keyBytes);
    ServerNode node = client.nodeFor(memcachedKey);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      MetaResponse read = node.execute(MetaRequest.get(memcachedKey, MetaFlags.VALUE_AND_CAS));
      String cas = read.is(MetaStatus.VA) ? read.cas() : null;
      StoreEntry<V> current = toEntryBeforeWrite(memcachedKey, keyBytes, read);
      StoreEntry<V> next = remapping.apply(key, current);
      if (next == current) {
        return current;
      }
      if (next == null) {
        if (cas == null) {
          return null;
        }
        MetaResponse deleted = node.execute(MetaRequest.delete(memcachedKey, MetaFlags.NONE.compareCas(cas)));
        if (deleted.is(MetaStatus.HD)) {
          return null;
        }
        // EX: changed since read; NF: another caller removed it since read (its removal, not ours:
        // read again, or two concurrent removals would both report the entry they removed)
        continue;
      }
      byte[] envelope = Envelope.encode(keyBytes, serializer.serialize(next.value()), next.expiresAt());
      checkSize(key, node, envelope.length);
      MetaResponse written = node.execute(MetaRequest.set(memcachedKey, envelope,
          conditionalOn(cas).ttl(ttlSeconds(next.expiresAt())).returnCas()));
      if (written.is(MetaStatus.HD)) {
        remember(memcachedKey, written, next.value(), envelope);
        return next;
      }
      // NS (added meanwhile), EX (changed meanwhile), NF (removed meanwhile): read again.
    }
    throw new CacheException("Gave up updating key " + key + " in memcached " + node.name() + " after "
        + MAX_ATTEMPTS + " attempts: other writers kept changing it");
  }

  /**
   * One round trip, not a read and a write: the write (or delete) carries the CAS token the entry was
   * read with, so memcached applies it only if the item is still that write. An entry without a token
   * (this JVM's own write, as a near tier holds it) goes the compute way.
   */
  @Override
  public boolean replaceIfSame(K key, StoreEntry<V> read, StoreEntry<V> replacement) {
    if (read.version() == StoreEntry.NO_VERSION) {
      return Store.super.replaceIfSame(key, read, replacement);
    }
    byte[] keyBytes = remoteKeys.bytes(key);
    String memcachedKey = memcachedKey(keyBytes);
    ServerNode node = client.nodeFor(memcachedKey);
    MetaFlags sameWrite = MetaFlags.NONE.compareCas(Long.toUnsignedString(read.version()));
    if (replacement == null) {
      return node.execute(MetaRequest.delete(memcachedKey, sameWrite)).is(MetaStatus.HD);
    }
    byte[] envelope = Envelope.encode(keyBytes, serializer.serialize(replacement.value()), replacement.expiresAt());
    checkSize(key, node, envelope.length);
    MetaResponse written = node.execute(MetaRequest.set(memcachedKey, envelope,
        sameWrite.ttl(ttlSeconds(replacement.expiresAt())).returnCas()));
    if (written.is(MetaStatus.HD)) {
      remember(memcachedKey, written, replacement.value(), envelope);
      return true;
    }
    return false; // EX: another write since the read; NF: gone
  }

  /**
   * A blind write in one round trip: the read of the previous item and the write travel in one batch
   * on one connection, so the read is answered just before the write happens.
   */
  @Override
  public StoreEntry<V> put(K key, StoreEntry<V> entry) {
    byte[] keyBytes = remoteKeys.bytes(key);
    String memcachedKey = memcachedKey(keyBytes);
    ServerNode node = client.nodeFor(memcachedKey);
    byte[] envelope = Envelope.encode(keyBytes, serializer.serialize(entry.value()), entry.expiresAt());
    checkSize(key, node, envelope.length);
    MetaRequest read = MetaRequest.get(memcachedKey, MetaFlags.VALUE_AND_CAS);
    MetaRequest write = MetaRequest.set(memcachedKey, envelope, MetaFlags.NONE.ttl(ttlSeconds(entry.expiresAt())).returnCas());
    node.sendAll(List.of(read, write));
    MetaResponse previous = node.await(read);
    MetaResponse written = node.await(write);
    if (!written.is(MetaStatus.HD)) {
      throw new CacheException("memcached " + node.name() + " did not store key " + key + ": " + written);
    }
    // the previous version first: RecentValues keeps one version per item, and the written one must be it
    StoreEntry<V> before = toEntryBeforeWrite(memcachedKey, keyBytes, previous);
    remember(memcachedKey, written, entry.value(), envelope);
    return before;
  }

  /**
   * The batch form of {@link #compute}: one pipelined read per server for all keys, one pipelined
   * write per server for the changes, then again only for the keys another writer changed meanwhile.
   */
  @Override
  public Map<K, StoreEntry<V>> computeAll(Set<? extends K> keys, Remapping<K, V> remapping) {
    RemoteKeys.Batch<K> batch = remoteKeys.batch(keys, this::memcachedKey);
    Map<String, K> pending = new LinkedHashMap<>(batch.keys());
    Map<String, byte[]> keyBytes = batch.bytes();
    Map<K, StoreEntry<V>> results = new HashMap<>(Math.max(4, keys.size() * 2));
    for (int attempt = 0; attempt < MAX_ATTEMPTS && !pending.isEmpty(); attempt++) {
      Map<String, MetaRequest> reads = new LinkedHashMap<>();
      for (String memcachedKey : pending.keySet()) {
        reads.put(memcachedKey, MetaRequest.get(memcachedKey, MetaFlags.VALUE_AND_CAS));
      }
      Map<String, MetaRequest> writes = new LinkedHashMap<>();
      Map<String, StoreEntry<V>> written = new HashMap<>();
      Map<String, byte[]> envelopes = new HashMap<>();
      for (Map.Entry<String, MetaResponse> read : client.executeAll(reads).entrySet()) {
        String memcachedKey = read.getKey();
        K key = pending.get(memcachedKey);
        String cas = read.getValue().is(MetaStatus.VA) ? read.getValue().cas() : null;
        StoreEntry<V> current = toEntryBeforeWrite(memcachedKey, keyBytes.get(memcachedKey), read.getValue());
        StoreEntry<V> next = remapping.apply(key, current);
        if (next == current || (next == null && cas == null)) {
          results.put(key, next);
          pending.remove(memcachedKey);
        } else if (next == null) {
          writes.put(memcachedKey, MetaRequest.delete(memcachedKey, MetaFlags.NONE.compareCas(cas)));
          written.put(memcachedKey, null);
        } else {
          byte[] envelope = Envelope.encode(keyBytes.get(memcachedKey), serializer.serialize(next.value()), next.expiresAt());
          envelopes.put(memcachedKey, envelope);
          checkSize(key, client.nodeFor(memcachedKey), envelope.length);
          writes.put(memcachedKey, MetaRequest.set(memcachedKey, envelope,
              conditionalOn(cas).ttl(ttlSeconds(next.expiresAt())).returnCas()));
          written.put(memcachedKey, next);
        }
      }
      for (Map.Entry<String, MetaResponse> write : client.executeAll(writes).entrySet()) {
        String memcachedKey = write.getKey();
        MetaResponse response = write.getValue();
        StoreEntry<V> next = written.get(memcachedKey);
        if (response.is(MetaStatus.HD)) {
          if (next != null) {
            remember(memcachedKey, response, next.value(), envelopes.get(memcachedKey));
          }
          results.put(pending.remove(memcachedKey), next);
        }
        // NS, EX, NF: changed (or removed by another caller) meanwhile; read again in the next round.
      }
    }
    if (!pending.isEmpty()) {
      throw new CacheException("Gave up updating " + pending.size() + " keys in memcached after " + MAX_ATTEMPTS
          + " attempts: other writers kept changing them (" + pending.values() + ")");
    }
    return results;
  }

  /**
   * Cache-aside without stampedes across JVMs, with memcached's recache flags: {@code mg} with
   * {@code N} (vivify a placeholder on a miss) and {@code R} (win a refresh when the TTL is short).
   * memcached hands the win ({@code W}) to exactly one caller; the others see {@code Z} and either use
   * the current value (refreshed ahead of its deadline) or poll until the winner's value arrives, at
   * most {@code waitMillis}, after which they compute it themselves. An entry found past its deadline is
   * deleted (if unchanged) so that the next read vivifies the placeholder. The placeholder lives
   * {@code waitMillis}: if its winner crashes, the next caller wins after that.
   */
  @Override
  public Computed<V> getOrCompute(K key, java.util.function.Function<K, StoreEntry<V>> compute,
      long refreshAheadMillis, long waitMillis) {
    byte[] keyBytes = remoteKeys.bytes(key);
    String memcachedKey = memcachedKey(keyBytes);
    ServerNode node = client.nodeFor(memcachedKey);
    long lockSeconds = Math.max(1, (waitMillis + 999) / 1000);
    // The cache layer decides when a refresh is due, to the millisecond; R only picks the one winner,
    // so it allows for memcached's whole-second clock and the second Larder adds to every TTL.
    MetaFlags vivify = MetaFlags.VALUE_AND_CAS.vivifyOnMiss(lockSeconds);
    MetaFlags flags = refreshAheadMillis > 0 ? vivify.winRefreshBelow((refreshAheadMillis + 999) / 1000 + 3) : vivify;
    long giveUpAt = System.currentTimeMillis() + waitMillis;
    long pause = 5;
    while (true) {
      MetaResponse read = node.execute(MetaRequest.get(memcachedKey, flags));
      boolean placeholder = read.is(MetaStatus.VA) && read.data().length == 0;
      StoreEntry<V> current = placeholder ? null : toEntry(memcachedKey, keyBytes, read);
      long now = time.millis();
      boolean won = read.won();
      if (current != null && current.isExpiredAt(now)) {
        // Past Larder's deadline though memcached still holds it: remove it (if unchanged), so that the
        // next read vivifies a placeholder and exactly one caller wins. (Marking it stale with md ... I
        // would hand the win to whichever read came next, a plain get included, which cannot compute.)
        node.execute(MetaRequest.delete(memcachedKey, MetaFlags.NONE.compareCas(read.cas())));
        continue;
      }
      if (won) {
        StoreEntry<V> computed;
        try {
          computed = compute.apply(key);
        } catch (RuntimeException | Error e) {
          if (placeholder) {
            node.execute(MetaRequest.delete(memcachedKey, MetaFlags.NONE.compareCas(read.cas()))); // let the next caller win now
          }
          throw e;
        }
        if (computed == null) {
          node.execute(MetaRequest.delete(memcachedKey, MetaFlags.NONE.compareCas(read.cas())));
          return new Computed<>(null, true, current);
        }
        byte[] envelope = Envelope.encode(keyBytes, serializer.serialize(computed.value()), computed.expiresAt());
        checkSize(key, node, envelope.length);
        MetaFlags ttl = MetaFlags.NONE.ttl(ttlSeconds(computed.expiresAt()));
        MetaResponse written = node.execute(MetaRequest.set(memcachedKey, envelope,
            ttl.compareCas(read.cas()).returnCas()));
        if (written.is(MetaStatus.NF)) {
          // The placeholder lapsed before the value came (it lives at most waitMillis, on memcached's
          // whole-second clock: within its last second it may go any moment), or a remove took it:
          // kept unless another caller has written or claimed the key since.
          written = node.execute(MetaRequest.set(memcachedKey, envelope, ttl.onlyIfAbsent().returnCas()));
        }
        if (written.is(MetaStatus.HD)) {
          remember(memcachedKey, written, computed.value(), envelope);
        }
        // EX/NS: somebody wrote the key meanwhile (a put wins over a computed value); ours is still returned.
        return new Computed<>(computed, true, current);
      }
      if (current != null) {
        // Live: fresh, or being refreshed ahead of its deadline by another caller.
        return new Computed<>(current, false, null);
      }
      if (System.currentTimeMillis() >= giveUpAt) {
        StoreEntry<V> computed = compute.apply(key);
        if (computed != null) {
          byte[] envelope = Envelope.encode(keyBytes, serializer.serialize(computed.value()), computed.expiresAt());
          checkSize(key, node, envelope.length);
          node.execute(MetaRequest.set(memcachedKey, envelope, MetaFlags.NONE.ttl(ttlSeconds(computed.expiresAt()))));
        }
        return new Computed<>(computed, true, null);
      }
      // Another caller holds the placeholder: wait for its value.
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheException("Interrupted while waiting for another caller to compute key " + key, e);
      }
      pause = Math.min(50, pause * 2);
    }
  }

  @Override
  public Iterator<Map.Entry<K, StoreEntry<V>>> entries() {
    String prefix = namespace + generation() + ":";
    List<String> memcachedKeys = new ArrayList<>();
    for (ServerNode node : client.nodes()) {
      try {
        client.dumpKeys(node, prefix, memcachedKeys::add);
      } catch (ServerUnavailableException e) {
        if (!failuresAsMisses) {
          throw e;
        }
        // its entries are misses under the miss policy (an ejected server's are stale anyway)
        LOG.warn(e.getMessage() + "; listing " + namespace + " without that server's entries");
      }
    }
    return new BatchedIterator<>(memcachedKeys, BATCH, this::fetch);
  }

  /** The entries of one batch of listed memcached keys, leaving out those gone meanwhile. */
  private List<Map.Entry<K, StoreEntry<V>>> fetch(List<String> memcachedKeys) {
    Map<String, MetaRequest> requests = new LinkedHashMap<>();
    for (String memcachedKey : memcachedKeys) {
      requests.put(memcachedKey, MetaRequest.get(memcachedKey, MetaFlags.VALUE_AND_CAS));
    }
    List<Map.Entry<K, StoreEntry<V>>> entries = new ArrayList<>();
    for (Map.Entry<String, MetaResponse> response : client.executeAll(requests).entrySet()) {
      if (!response.getValue().is(MetaStatus.VA) || response.getValue().data().length == 0) {
        continue;
      }
      Envelope envelope = Envelope.decode(response.getValue().data(), response.getKey(), "memcached");
      K key = remoteKeys.key(envelope.key());
      if (key == null) {
        continue; // another JVM's unserializable key
      }
      StoreEntry<V> entry = toEntry(response.getKey(), envelope.key(), response.getValue());
      if (entry != null) {
        entries.add(new AbstractMap.SimpleImmutableEntry<>(key, entry));
      }
    }
    return entries;
  }

  @Override
  public void clear() {
    MetaResponse bumped = counter().execute(MetaRequest.arithmetic(generationKey, MetaFlags.VALUE));
    if (bumped.is(MetaStatus.VA)) {
      generation.accept(parseGeneration(bumped));
    } else {
      // The counter is gone (evicted): a new one starts past every generation used before.
      generation.refresh();
      counter().execute(MetaRequest.arithmetic(generationKey, MetaFlags.VALUE));
      generation.refresh();
    }
    recentValues.clear();
    remoteKeys.clear();
  }

  @Override
  public void close() {
    metrics.unregister();
    recentValues.clear();
    lease.release();
  }

  @Override
  public dev.larder.expiry.TimeSource time() {
    return time;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(client)) {
      return type.cast(client);
    }
    return Store.super.unwrap(type);
  }

  // ---------------------------------------------------------------------------------------------
  // Keys, generations, envelopes


  /** The memcached key of a serialized key in the current generation. */
  String memcachedKey(byte[] keyBytes) {
    return RemoteKeys.itemKey(namespace + generation() + ":", keyBytes, MAX_KEY_LENGTH);
  }

  private long generation() {
    return generation.current();
  }

  /** The generation counter on its home server ({@link #counter()}). */
  private final class GenerationCounter implements Generation.Counter {
    @Override
    public long readOrCreate(long initial) {
      for (int attempt = 0; attempt < 3; attempt++) {
        MetaResponse read = counter().execute(MetaRequest.get(generationKey, MetaFlags.VALUE));
        if (read.is(MetaStatus.VA)) {
          return parseGeneration(read);
        }
        counter().execute(MetaRequest.set(generationKey, Long.toString(initial).getBytes(StandardCharsets.US_ASCII),
            MetaFlags.NONE.onlyIfAbsent().ttl(0)));
      }
      throw new CacheException("Cannot read the generation counter " + generationKey + " from memcached "
          + counter().name());
    }

    @Override
    public void raise(long found, long inUse) {
      counter().execute(MetaRequest.set(generationKey, Long.toString(inUse).getBytes(StandardCharsets.US_ASCII),
          MetaFlags.NONE.ttl(0)));
    }
  }

  /**
   * The server of the generation counter: its own, always, even while ejected (then reads fail fast
   * and the last generation read is kept, as while it is down). A counter made elsewhere meanwhile
   * would start a new generation (every entry a miss) and disagree with other JVMs' when it returns.
   */
  private ServerNode counter() {
    return client.homeOf(generationKey);
  }

  private long parseGeneration(MetaResponse response) {
    String text = new String(response.data(), StandardCharsets.US_ASCII).trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new CacheException("The generation counter " + generationKey + " in memcached holds '" + text
          + "', not a number: another client wrote it", e);
    }
  }

  /** The entry in a {@code mg ... v c} response, or null if absent or another key's (hash collision). */
  private StoreEntry<V> toEntry(String memcachedKey, byte[] keyBytes, MetaResponse response) {
    if (!response.is(MetaStatus.VA) || response.data().length == 0) {
      return null; // absent, or the empty placeholder of a computation under way (getOrCompute)
    }
    Envelope envelope = Envelope.decode(response.data(), memcachedKey, "memcached");
    if (!envelope.hasKey(keyBytes)) {
      return null;
    }
    String cas = response.cas();
    if (cas == null) {
      return StoreEntry.read(recentValues.read(envelope), envelope.deadline(), StoreEntry.NO_VERSION);
    }
    long version = Long.parseUnsignedLong(cas);
    // a CAS token names a version on one run of one server: the origin says which
    V value = recentValues.value(memcachedKey, response.origin(), version, envelope);
    return StoreEntry.read(value, envelope.deadline(), version);
  }

  /**
   * {@link #toEntry} for a path about to overwrite the item: an item that cannot be read (written by
   * something else, or refused by the allow-list) counts as absent, so writing the key repairs it.
   */
  private StoreEntry<V> toEntryBeforeWrite(String memcachedKey, byte[] keyBytes, MetaResponse response) {
    try {
      return toEntry(memcachedKey, keyBytes, response);
    } catch (CacheException unreadable) {
      LOG.warn("Overwriting the unreadable item " + memcachedKey + ": "
          + unreadable.getMessage());
      return null;
    }
  }

  /** Tells {@link RecentValues} of a value this JVM wrote, in {@code envelope}. */
  private void remember(String memcachedKey, MetaResponse written, V value, byte[] envelope) {
    String cas = written.cas();
    if (cas != null) {
      recentValues.written(memcachedKey, written.origin(), Long.parseUnsignedLong(cas), value, envelope);
    }
  }

  private void checkSize(K key, ServerNode node, int size) {
    long limit = lease.itemSizeMax();
    if (limit > 0 && size + ITEM_OVERHEAD > limit) {
      throw new CacheException("Cannot store key " + key + " in memcached " + node.name() + ": the entry is "
          + size + " bytes, over the server's item size limit of " + limit + " bytes (less "
          + ITEM_OVERHEAD + " for the item header); nothing was written (raise the limit with memcached -I)");
    }
  }

  /**
   * memcached's TTL for a deadline: whole seconds, rounded up, plus one so that Larder, which checks
   * deadlines to the millisecond, sees an expired entry before memcached drops it. Over 30 days,
   * memcached wants an absolute Unix time.
   */
  long ttlSeconds(long deadline) {
    if (deadline == StoreEntry.NEVER) {
      return 0;
    }
    long now = time.millis();
    long seconds = Math.max(1, (deadline - now + 999) / 1000 + 1);
    if (seconds > TimeUnit.DAYS.toSeconds(30)) {
      return deadline / 1000 + 2;
    }
    return seconds;
  }

  /** A write that applies only over the write read with this CAS token, or only where none is ({@code null}). */
  private static MetaFlags conditionalOn(String cas) {
    return cas == null ? MetaFlags.NONE.onlyIfAbsent() : MetaFlags.NONE.compareCas(cas);
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8);
  }


  @Override
  public String toString() {
    return "MemcachedStore{" + namespace + "}";
  }
}
