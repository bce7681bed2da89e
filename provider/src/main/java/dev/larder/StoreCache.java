package dev.larder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.copy.Copier;
import dev.larder.copy.Immutables;
import dev.larder.event.EventDispatcher;
import dev.larder.expiry.ExpiryCalculator;
import dev.larder.integration.Integration;
import dev.larder.management.CacheConfigurationBean;
import dev.larder.management.CacheStatistics;
import dev.larder.management.MBeans;
import dev.larder.processor.ProcessorEntry;
import dev.larder.processor.ProcessorResult;
import dev.larder.store.Store;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreEntry;
import dev.larder.store.StoreFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.Factory;
import javax.cache.event.EventType;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import javax.management.ObjectName;

/**
 * The JCache {@link Cache} over a {@link Store}: every rule of the spec (expiry policies, read- and
 * write-through, events, statistics, store-by-value copies) lives here once, whatever the store.
 *
 * <p>Mutations go through {@link Store#compute}, whose function may run more than once on a store that
 * retries on CAS conflicts: each function records what it did in a fresh {@link Change}, and events and
 * statistics are produced from the record of the run that won, after the store has committed it. The
 * writer is called inside the function so that a failing writer leaves the cache unchanged.
 */
final class StoreCache<K, V> implements LarderCache<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(StoreCache.class);

  private final LarderCacheManager manager;
  private final String name;
  private final LarderConfiguration<K, V> configuration;
  private final Store<K, V> store;
  private final ExpiryCalculator expiry;
  private final CacheLoader<K, V> loader;
  private final boolean readThrough;
  /** Typed loosely: the spec's {@code writeAll} signature does not fit a batch built here otherwise. */
  private final CacheWriter<Object, Object> writer;
  private final Copier copier;
  private final ClassLoader classLoader;
  private final Class<?> keyType;
  private final Class<?> valueType;
  private final EventDispatcher<K, V> events;
  private final CacheStatistics statistics = new CacheStatistics();
  private final Executor executor;
  /** What deadlines are set and checked against (the system's time, or a test's). */
  private final dev.larder.expiry.TimeSource time;
  private final ObjectName statisticsName;
  private final ObjectName configurationName;
  private final ConcurrentMap<K, CompletableFuture<V>> loadsInFlight = new ConcurrentHashMap<>();
  /** Keys one caller of this JVM is refreshing ahead of their deadline; the others get the current value. */
  private final Set<K> refreshing = ConcurrentHashMap.newKeySet();
  private final long refreshAheadMillis;
  /** Whether puts may skip reading the key (see {@link #blindPut}). */
  private final boolean blindWrites;
  private final long computeWaitMillis;

  private volatile boolean statisticsEnabled;
  private volatile boolean closed;

  StoreCache(LarderCacheManager manager, String name, LarderConfiguration<K, V> configuration, Executor executor) {
    this.manager = manager;
    this.name = name;
    this.configuration = configuration;
    this.classLoader = manager.getClassLoader();
    this.time = configuration.getTimeSource();
    this.keyType = configuration.getKeyType();
    this.valueType = configuration.getValueType();

    Factory<ExpiryPolicy> expiryFactory = configuration.getExpiryPolicyFactory();
    ExpiryPolicy policy = expiryFactory == null ? null : expiryFactory.create();
    this.expiry = new ExpiryCalculator(policy == null ? new EternalExpiryPolicy() : policy);

    Factory<CacheLoader<K, V>> loaderFactory = configuration.getCacheLoaderFactory();
    this.loader = loaderFactory == null ? null : loaderFactory.create();
    this.readThrough = configuration.isReadThrough() && loader != null;

    Factory<CacheWriter<? super K, ? super V>> writerFactory = configuration.getCacheWriterFactory();
    @SuppressWarnings("unchecked")
    CacheWriter<Object, Object> created = configuration.isWriteThrough() && writerFactory != null
        ? (CacheWriter<Object, Object>) writerFactory.create() : null;
    this.writer = created;

    this.copier = configuration.isStoreByValue() ? configuration.getCopier() : null;
    this.refreshAheadMillis = configuration.getRefreshAhead().toMillis();
    this.blindWrites = expiry.writesIgnorePresence();
    this.computeWaitMillis = configuration.getComputeWait().toMillis();
    StoreFactory storeFactory = configuration.getStoreFactory() != null
        ? configuration.getStoreFactory() : manager.defaultStore();
    this.store = storeFactory.create(new StoreContext<>(
        manager.name(), name, configuration.getMaximumSize(), configuration.getMaximumWeight(),
        configuration.getWeigher(), new StoreEvents(), classLoader, configuration.getKeyType(),
        configuration.getValueType(), configuration.getTimeSource()));

    // Work handed to Larder's threads (asynchronous listeners, loadAll) carries what the store needs
    // of the caller's thread: App Engine's API calls only work with the request's environment.
    this.executor = task -> executor.execute(store.carryCallerContext(task));
    this.events = new EventDispatcher<>(this.executor);
    for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
      events.register(listener);
    }

    this.statisticsName = MBeans.objectName(manager.getURI(), name, MBeans.Kind.CacheStatistics);
    this.configurationName = MBeans.objectName(manager.getURI(), name, MBeans.Kind.CacheConfiguration);
    setStatisticsEnabled(configuration.isStatisticsEnabled());
    setManagementEnabled(configuration.isManagementEnabled());
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public V get(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    // Statistics time one get in CacheStatistics.SAMPLE: two clock reads per get would cost more than the get.
    long start = statisticsEnabled && CacheStatistics.sampleThisCall() ? System.nanoTime() : 0L;
    StoreEntry<V> entry = store.get(key);
    if (entry != null) {
      long deadline = entry.expiresAt();
      if (deadline == StoreEntry.NEVER || deadline > time.millis()) {
        if (readThrough && refreshAheadMillis > 0 && shouldRefresh(key, deadline)) {
          V refreshed = refresh(key, this::loadOne, StoreEntry.NEVER, entry);
          if (statisticsEnabled) {
            statistics.recordHits(1);
          }
          return refreshed;
        }
        if (expiry.consultsOnAccess()) {
          touch(key, entry);
        }
        if (statisticsEnabled) {
          statistics.recordHits(1);
          if (start != 0L) {
            statistics.recordSampledGetTime(System.nanoTime() - start);
          }
        }
        return copyOut(entry.value());
      }
      if (!readThrough) {
        expire(key, entry);
      }
    }
    V value = readThrough ? loadOnce(key, this::loadOne, StoreEntry.NEVER) : null;
    if (statisticsEnabled) {
      statistics.recordMisses(1);
      if (start != 0L) {
        statistics.recordSampledGetTime(System.nanoTime() - start);
      }
    }
    return value;
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    requireOpen();
    requireNoNullKeys(keys);
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;
    Map<K, StoreEntry<V>> found = store.getAll(keys);
    Map<K, V> result = new HashMap<>(Math.max(4, keys.size() * 2));
    Set<K> missing = new LinkedHashSet<>();
    long now = time.millis();
    for (K key : keys) {
      StoreEntry<V> entry = found.get(key);
      if (entry != null && !entry.isExpiredAt(now)) {
        if (expiry.consultsOnAccess()) {
          touch(key, entry);
        }
        result.put(key, copyOut(entry.value()));
      } else {
        if (entry != null) {
          expire(key, entry);
        }
        missing.add(key);
      }
    }
    if (readThrough && !missing.isEmpty()) {
      Map<K, V> loaded = loadAllFromLoader(missing);
      for (Map.Entry<K, V> entry : loaded.entrySet()) {
        if (entry.getKey() != null && entry.getValue() != null) {
          V value = loadIntoCache(entry.getKey(), k -> entry.getValue(), StoreEntry.NEVER, 0);
          if (value != null) {
            result.put(entry.getKey(), value);
          }
        }
      }
    }
    if (stats) {
      statistics.recordHits(keys.size() - missing.size());
      statistics.recordMisses(missing.size());
      statistics.recordGetTime(System.nanoTime() - start, keys.size());
    }
    return result;
  }

  @Override
  public boolean containsKey(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    StoreEntry<V> entry = store.get(key);
    return entry != null && !entry.isExpiredAt(time.millis());
  }

  @Override
  public V get(K key, Function<? super K, ? extends V> compute, java.time.Duration timeout) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(compute, "compute");
    long deadline = deadlineOf(timeout);
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;
    Function<K, V> source = k -> {
      try {
        return compute.apply(k);
      } catch (RuntimeException e) {
        throw Integration.loaderFailure(e);
      }
    };
    StoreEntry<V> entry = store.get(key);
    if (entry != null && !entry.isExpiredAt(time.millis())) {
      if (refreshAheadMillis > 0 && shouldRefresh(key, entry.expiresAt())) {
        V refreshed = refresh(key, source, deadline, entry);
        if (stats) {
          statistics.recordHits(1);
        }
        return refreshed;
      }
      if (expiry.consultsOnAccess()) {
        touch(key, entry);
      }
      if (stats) {
        statistics.recordHits(1);
        statistics.recordGetTime(System.nanoTime() - start, 1);
      }
      return copyOut(entry.value());
    }
    V value = loadOnce(key, source, deadline);
    if (stats) {
      // A concurrent caller's computation may have served this one; it is still a miss to this caller.
      statistics.recordMisses(1);
      statistics.recordGetTime(System.nanoTime() - start, 1);
    }
    return value;
  }

  /**
   * {@link #loadIntoCache}, once per key at a time in this JVM whatever the store: callers that find a
   * load of their key under way wait for it and share its value (or its failure) instead of loading
   * again. A remote store's compute may retry, so its own atomicity does not give this.
   */
  private V loadOnce(K key, Function<K, V> source, long fixedDeadline) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> theirs = loadsInFlight.putIfAbsent(key, mine);
    if (theirs != null) {
      try {
        return copyOut(theirs.join());
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : e;
      }
    }
    try {
      V value = loadIntoCache(key, source, fixedDeadline, 0);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      loadsInFlight.remove(key, mine);
    }
  }

  /** Whether this caller should refresh a live entry whose deadline is near: one caller per key at a time. */
  private boolean shouldRefresh(K key, long deadline) {
    return deadline != StoreEntry.NEVER && deadline - time.millis() <= refreshAheadMillis && refreshing.add(key);
  }

  /** Recomputes a live entry ahead of its deadline; on failure the caller still gets the current value. */
  private V refresh(K key, Function<K, V> source, long fixedDeadline, StoreEntry<V> current) {
    try {
      V value = loadIntoCache(key, source, fixedDeadline, refreshAheadMillis);
      return value != null ? value : copyOut(current.value());
    } catch (RuntimeException e) {
      LOG.warn("Refreshing a key of cache " + name + " ahead of its deadline failed;"
          + " the current value is served until it expires", e);
      return copyOut(current.value());
    } finally {
      refreshing.remove(key);
    }
  }

  /**
   * The key's value from the store, or computed by one caller while the others wait for it
   * ({@link Store#getOrCompute}: across JVMs on a shared store). Returns the value the caller gets.
   *
   * @param fixedDeadline {@link StoreEntry#NEVER} to use the expiry policy's creation duration
   */
  private V loadIntoCache(K key, Function<K, V> source, long fixedDeadline, long refreshAhead) {
    @SuppressWarnings("unchecked")
    V[] loaded = (V[]) new Object[1];
    Store.Computed<V> computed = store.getOrCompute(copyIn(key), k -> {
      loaded[0] = null;
      V value = source.apply(key);
      if (value == null) {
        return null;
      }
      checkValueType(value);
      loaded[0] = value;
      long now = time.millis();
      long deadline = fixedDeadline != StoreEntry.NEVER ? fixedDeadline : expiry.creationDeadline(now);
      // Created already expired: the caller gets the value, the store keeps nothing.
      return deadline <= now ? null : new StoreEntry<>(copyIn(value), deadline);
    }, refreshAhead, computeWaitMillis);
    if (!computed.computedHere()) {
      return computed.entry() == null ? null : copyOut(computed.entry().value());
    }
    if (events.hasListeners()) {
      Change<V> change = new Change<>();
      change.reset(computed.replaced(), time.millis());
      if (computed.entry() != null && change.live != null) {
        change.updated(computed.entry().value(), change.live.value());
      } else if (computed.entry() != null) {
        change.created(computed.entry().value());
      }
      publish(key, change);
    }
    return loaded[0];
  }

  private V loadOne(K key) {
    try {
      return loader.load(key);
    } catch (Exception e) {
      throw Integration.loaderFailure(e);
    }
  }

  private Map<K, V> loadAllFromLoader(Set<K> keys) {
    try {
      Map<K, V> loaded = loader.loadAll(keys);
      return loaded == null ? Map.of() : loaded;
    } catch (Exception e) {
      throw Integration.loaderFailure(e);
    }
  }

  /** Keys handed to the loader at once by {@code loadAll}. */
  static final int LOAD_CHUNK = 1_000;
  private static final long LOAD_PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener listener) {
    requireOpen();
    requireNoNullKeys(keys);
    CompletionListener completion = listener == null ? NO_COMPLETION_LISTENER : listener;
    if (loader == null) {
      completion.onCompletion();
      return;
    }
    Set<K> requested = new LinkedHashSet<>(keys);
    executor.execute(() -> {
      try {
        Set<K> toLoad = new LinkedHashSet<>();
        for (K key : requested) {
          if (replaceExistingValues || !containsKey(key)) {
            toLoad.add(key);
          }
        }
        loadInChunks(new ArrayList<>(toLoad), replaceExistingValues);
        completion.onCompletion();
      } catch (Exception e) {
        completion.onException(e instanceof CacheLoaderException ? e : Integration.loaderFailure(e));
      }
    });
  }

  /**
   * Loads in chunks of {@link #LOAD_CHUNK} keys, so that a long {@code loadAll} reports its progress (a
   * log line every {@link #LOAD_PROGRESS_NANOS}) and what was loaded is in the cache before the rest is.
   */
  private void loadInChunks(List<K> keys, boolean replaceExistingValues) {
    long started = System.nanoTime();
    long reported = started;
    for (int from = 0; from < keys.size(); from += LOAD_CHUNK) {
      Set<K> chunk = new LinkedHashSet<>(keys.subList(from, Math.min(keys.size(), from + LOAD_CHUNK)));
      Map<K, V> loaded = loadAllFromLoader(chunk);
      for (Map.Entry<K, V> entry : loaded.entrySet()) {
        if (entry.getKey() != null && entry.getValue() != null) {
          storeLoaded(entry.getKey(), entry.getValue(), replaceExistingValues);
        }
      }
      int done = Math.min(keys.size(), from + LOAD_CHUNK);
      long now = System.nanoTime();
      if (done < keys.size() && now - reported >= LOAD_PROGRESS_NANOS) {
        LOG.info("Cache {}: loadAll has loaded {} of {} keys ({}%) in {} s", name, done, keys.size(),
            done * 100L / keys.size(), TimeUnit.NANOSECONDS.toSeconds(now - started));
        reported = now;
      }
    }
    if (reported != started) {
      LOG.info("Cache {}: loadAll of {} keys done in {} s", name, keys.size(),
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }
  }

  /** Puts a loaded value: no writer (it came from the system of record), creation or update expiry. */
  private void storeLoaded(K key, V value, boolean replaceExisting) {
    checkValueType(value);
    Change<V> change = new Change<>();
    K storedKey = copyIn(key);
    V stored = copyIn(value);
    store.compute(storedKey, (k, current) -> {
      long now = time.millis();
      change.reset(current, now);
      if (change.live != null && !replaceExisting) {
        return current;
      }
      return write(change, change.live, stored, now, StoreEntry.NEVER);
    });
    publish(key, change);
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  @Override
  public void put(K key, V value) {
    putInternal(key, value, StoreEntry.NEVER, false);
  }

  @Override
  public void put(K key, V value, java.time.Duration timeout) {
    putInternal(key, value, deadlineOf(timeout), false);
  }

  @Override
  public V getAndPut(K key, V value) {
    return putInternal(key, value, StoreEntry.NEVER, true);
  }

  private V putInternal(K key, V value, long fixedDeadline, boolean returnOld) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    checkTypes(key, value);
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;
    K storedKey = copyIn(key);
    V stored = copyIn(value);
    if (writer == null && !returnOld && (fixedDeadline != StoreEntry.NEVER || blindWrites) && !events.hasListeners()) {
      blindPut(storedKey, stored, fixedDeadline, stats, start);
      return null;
    }
    Change<V> change = new Change<>();
    store.compute(storedKey, (k, current) -> {
      long now = time.millis();
      change.reset(current, now);
      writeThrough(key, value);
      return write(change, change.live, stored, now, fixedDeadline);
    });
    publish(key, change);
    if (stats) {
      if (returnOld) {
        recordHitOrMiss(change.live != null);
      }
      recordPutStatistics(change, start);
    }
    return returnOld && change.live != null ? copyOut(change.live.value()) : null;
  }

  /**
   * A put that does not read the key first: allowed when no writer and no listener need the old entry
   * inside the atomic update, the caller does not want the old value back ({@code getAndPut} reads it in
   * the atomic update: a remote store's blind write may report what the key held a moment before, not
   * atomically), and creation and update give the same deadline (a fixed timeout, or an eternal, modified
   * or touched policy). The rare case of an eternal-policy update over an entry with a deadline of its own
   * (from {@link #put(Object, Object, java.time.Duration)}) restores that deadline.
   */
  private void blindPut(K storedKey, V stored, long fixedDeadline, boolean stats, long start) {
    long now = time.millis();
    long deadline = fixedDeadline != StoreEntry.NEVER ? fixedDeadline : expiry.creationDeadline(now);
    if (deadline <= now) {
      // Stored already expired: nothing stays, but the old entry must go, as a compute would do.
      java.util.concurrent.atomic.AtomicBoolean wasLive = new java.util.concurrent.atomic.AtomicBoolean();
      store.compute(storedKey, (k, current) -> {
        wasLive.set(current != null && !current.isExpiredAt(now)); // set on every run: the last counts
        return null;
      });
      if (stats && wasLive.get()) {
        statistics.recordPuts(1); // an update to an expired value is a put, as on the compute path
      }
      return;
    }
    StoreEntry<V> written = new StoreEntry<>(stored, deadline);
    StoreEntry<V> previous = store.put(storedKey, written);
    boolean wasLive = previous != null && !previous.isExpiredAt(now);
    if (wasLive && fixedDeadline == StoreEntry.NEVER && expiry.updatesKeepDeadline()
        && previous.expiresAt() != deadline) {
      long kept = previous.expiresAt();
      store.compute(storedKey, (k, current) -> current == written ? written.withExpiresAt(kept) : current);
    }
    if (stats) {
      statistics.recordPuts(1);
      statistics.recordPutTime(System.nanoTime() - start);
    }
  }

  /**
   * The entry to store for a new value, applying the creation or update duration (or a fixed deadline),
   * and the record of what happened. Returns {@code null} (nothing stored) for a creation that would be
   * expired at once.
   */
  private StoreEntry<V> write(Change<V> change, StoreEntry<V> live, V stored, long now, long fixedDeadline) {
    if (live == null) {
      long deadline = fixedDeadline != StoreEntry.NEVER ? fixedDeadline : expiry.creationDeadline(now);
      if (deadline <= now) {
        return null;
      }
      change.created(stored);
      return new StoreEntry<>(stored, deadline);
    }
    long deadline = fixedDeadline != StoreEntry.NEVER ? fixedDeadline : expiry.updateDeadline(now);
    change.updated(stored, live.value());
    // An update to a zero duration is stored already expired: the next access reports it as EXPIRED.
    return new StoreEntry<>(stored, deadline == ExpiryCalculator.UNCHANGED ? live.expiresAt() : deadline);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void putAll(Map<? extends K, ? extends V> entries) {
    requireOpen();
    Objects.requireNonNull(entries, "entries");
    for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
      Objects.requireNonNull(entry.getKey(), "putAll: a key is null");
      Objects.requireNonNull(entry.getValue(), "putAll: a value is null");
      checkTypes(entry.getKey(), entry.getValue());
    }
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;

    Set<K> notWritten = Set.of();
    CacheWriterException writeFailure = null;
    if (writer != null) {
      List<Cache.Entry<?, ?>> batch = new ArrayList<>(entries.size());
      for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
        batch.add(new LarderEntry<>(entry.getKey(), entry.getValue()));
      }
      try {
        writer.writeAll(batch);
      } catch (Exception e) {
        // The writer leaves in the batch what it did not write: those stay out of the cache too.
        writeFailure = Integration.writerFailure(e);
        notWritten = new HashSet<>();
        for (Cache.Entry<?, ?> left : batch) {
          notWritten.add((K) left.getKey());
        }
      }
    }

    // Keyed by the stored (copied) key; the caller's key is kept for events, when anybody listens.
    boolean listening = events.hasListeners();
    Map<K, V> storedValues = new LinkedHashMap<>(Math.max(4, entries.size() * 2));
    Map<K, K> callerKeys = listening ? new HashMap<>() : null;
    for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
      if (!notWritten.contains(entry.getKey())) {
        K storedKey = copyIn(entry.getKey());
        storedValues.put(storedKey, copyIn(entry.getValue()));
        if (listening) {
          callerKeys.put(storedKey, entry.getKey());
        }
      }
    }
    Map<K, Change<V>> changes = listening ? new LinkedHashMap<>() : null;
    Change<V> scratch = new Change<>();
    Map<K, StoreEntry<V>> written = store.computeAll(storedValues.keySet(), (key, current) -> {
      long now = time.millis();
      Change<V> change = listening ? changes.computeIfAbsent(key, k -> new Change<>()) : scratch;
      change.reset(current, now);
      return write(change, change.live, storedValues.get(key), now, StoreEntry.NEVER);
    });
    // Every entry is a put, but a creation that would be expired at once stores nothing and counts none.
    long puts = 0;
    for (StoreEntry<V> entry : written.values()) {
      if (entry != null) {
        puts++;
      }
    }
    RuntimeException listenerFailure = null;
    if (listening) {
      for (Map.Entry<K, Change<V>> entry : changes.entrySet()) {
        try {
          publish(callerKeys.get(entry.getKey()), entry.getValue());
        } catch (RuntimeException e) {
          listenerFailure = listenerFailure == null ? e : listenerFailure;
        }
      }
    }
    if (stats && puts > 0) {
      statistics.recordPuts(puts);
      statistics.recordPutTime(System.nanoTime() - start);
    }
    if (writeFailure != null) {
      throw writeFailure;
    }
    if (listenerFailure != null) {
      throw listenerFailure;
    }
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    checkTypes(key, value);
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;
    K storedKey = copyIn(key);
    V stored = copyIn(value);
    Change<V> change = new Change<>();
    store.compute(storedKey, (k, current) -> {
      long now = time.millis();
      change.reset(current, now);
      if (change.live != null) {
        return current;
      }
      writeThrough(key, value);
      return write(change, null, stored, now, StoreEntry.NEVER);
    });
    publish(key, change);
    boolean absent = change.live == null;
    if (stats) {
      recordHitOrMiss(!absent);
      recordPutStatistics(change, start);
    }
    return absent;
  }

  @Override
  public boolean replace(K key, V value) {
    return replaceInternal(key, null, value) != null;
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    requireOpen();
    Objects.requireNonNull(oldValue, "oldValue");
    return replaceInternal(key, oldValue, newValue) != null;
  }

  @Override
  public V getAndReplace(K key, V value) {
    V old = replaceInternal(key, null, value);
    return old == null ? null : copyOut(old);
  }

  /** Replaces a live entry (holding {@code expected}, when given); returns the replaced value or null. */
  private V replaceInternal(K key, V expected, V value) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    checkTypes(key, value);
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;
    V stored = copyIn(value);
    Change<V> change = new Change<>();
    store.compute(key, (k, current) -> {
      long now = time.millis();
      change.reset(current, now);
      StoreEntry<V> live = change.live;
      if (live == null) {
        return change.expired == null ? current : null;
      }
      if (expected != null && !Objects.equals(live.value(), expected)) {
        long deadline = expiry.accessDeadline(now);
        return deadline == ExpiryCalculator.UNCHANGED ? current : live.withExpiresAt(deadline);
      }
      writeThrough(key, value);
      return write(change, live, stored, now, StoreEntry.NEVER);
    });
    publish(key, change);
    if (stats) {
      recordHitOrMiss(change.live != null);
      recordPutStatistics(change, start);
    }
    return change.type == EventType.UPDATED ? change.old : null;
  }

  @Override
  public boolean remove(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    return removeInternal(key, null, RemoveMode.REMOVE) != null;
  }

  @Override
  public boolean remove(K key, V oldValue) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(oldValue, "oldValue");
    return removeInternal(key, oldValue, RemoveMode.REMOVE_IF_EQUAL) != null;
  }

  @Override
  public V getAndRemove(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    V removed = removeInternal(key, null, RemoveMode.GET_AND_REMOVE);
    return removed == null ? null : copyOut(removed);
  }

  /**
   * Removes the live entry (holding {@code expected}, when given). The writer deletes the key even if
   * the cache does not hold it, except for a conditional remove, which only deletes what it removes.
   * Returns the removed value, or {@code null}.
   */
  private V removeInternal(K key, V expected, RemoveMode mode) {
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;
    Change<V> change = new Change<>();
    store.compute(key, (k, current) -> {
      long now = time.millis();
      change.reset(current, now);
      StoreEntry<V> live = change.live;
      if (expected != null && (live == null || !Objects.equals(live.value(), expected))) {
        if (live == null) {
          return change.expired == null ? current : null;
        }
        long deadline = expiry.accessDeadline(now);
        return deadline == ExpiryCalculator.UNCHANGED ? current : live.withExpiresAt(deadline);
      }
      deleteThrough(key);
      if (live == null) {
        return change.expired == null ? current : null;
      }
      change.removed(live.value());
      return null;
    });
    publish(key, change);
    if (stats) {
      if (mode != RemoveMode.REMOVE) {
        recordHitOrMiss(change.live != null);
      }
      if (change.type == EventType.REMOVED) {
        statistics.recordRemovals(1);
        statistics.recordRemoveTime(System.nanoTime() - start);
      }
    }
    return change.type == EventType.REMOVED ? change.old : null;
  }

  /** The three removes; all but the plain one count a hit or a miss, as the TCK's statistics expect. */
  private enum RemoveMode {
    REMOVE,
    REMOVE_IF_EQUAL,
    GET_AND_REMOVE
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    requireOpen();
    requireNoNullKeys(keys);
    removeAllInternal(new LinkedHashSet<>(keys));
  }

  @Override
  public void removeAll() {
    requireOpen();
    Set<K> keys = new LinkedHashSet<>();
    for (Iterator<Map.Entry<K, StoreEntry<V>>> it = store.entries(); it.hasNext(); ) {
      keys.add(it.next().getKey());
    }
    removeAllInternal(keys);
    store.removedAllListed();
  }

  private void removeAllInternal(Set<K> keys) {
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;
    Set<Object> notDeleted = Set.of();
    CacheWriterException writeFailure = null;
    if (writer != null && !keys.isEmpty()) {
      Collection<Object> batch = new LinkedHashSet<>(keys);
      try {
        deleteAllThrough(batch);
      } catch (CacheWriterException e) {
        // The writer leaves in the batch what it did not delete: those stay in the cache too.
        writeFailure = e;
        notDeleted = new HashSet<>(batch);
      }
    }
    Set<K> toRemove = new LinkedHashSet<>(keys);
    toRemove.removeAll(notDeleted);
    Map<K, Change<V>> changes = new LinkedHashMap<>();
    store.computeAll(toRemove, (key, current) -> {
      Change<V> change = changes.computeIfAbsent(key, k -> new Change<>());
      change.reset(current, time.millis());
      if (change.live == null) {
        return change.expired == null ? current : null;
      }
      change.removed(change.live.value());
      return null;
    });
    RuntimeException listenerFailure = null;
    long removals = 0;
    for (Map.Entry<K, Change<V>> entry : changes.entrySet()) {
      if (entry.getValue().type == EventType.REMOVED) {
        removals++;
      }
      try {
        publish(entry.getKey(), entry.getValue());
      } catch (RuntimeException e) {
        listenerFailure = listenerFailure == null ? e : listenerFailure;
      }
    }
    if (stats && removals > 0) {
      statistics.recordRemovals(removals);
      statistics.recordRemoveTime(System.nanoTime() - start);
    }
    if (writeFailure != null) {
      throw writeFailure;
    }
    if (listenerFailure != null) {
      throw listenerFailure;
    }
  }

  @Override
  public void clear() {
    requireOpen();
    store.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // Entry processors

  @Override
  public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(processor, "processor");
    return invokeInternal(key, processor, arguments);
  }

  private <T> T invokeInternal(K key, EntryProcessor<K, V, T> processor, Object[] arguments) {
    boolean stats = statisticsEnabled;
    long start = stats ? System.nanoTime() : 0L;
    Change<V> change = new Change<>();
    Object[] result = new Object[1];
    boolean[] existed = new boolean[1];
    store.compute(copyIn(key), (k, current) -> {
      long now = time.millis();
      change.reset(current, now);
      StoreEntry<V> live = change.live;
      ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, live == null ? null : copyOut(live.value()),
          readThrough ? this::loadOne : null);
      existed[0] = live != null;
      try {
        result[0] = processor.process(entry, arguments);
        return applyProcessorOutcome(key, entry, change, current, live, now);
      } catch (EntryProcessorException e) {
        throw e;
      } catch (Exception e) {
        throw new EntryProcessorException(e);
      }
    });
    publish(key, change);
    if (stats) {
      recordHitOrMiss(existed[0]);
      if (change.type == EventType.CREATED || change.type == EventType.UPDATED) {
        statistics.recordPuts(1);
        statistics.recordPutTime(System.nanoTime() - start);
      } else if (change.type == EventType.REMOVED) {
        statistics.recordRemovals(1);
        statistics.recordRemoveTime(System.nanoTime() - start);
      }
    }
    @SuppressWarnings("unchecked")
    T value = (T) result[0];
    return value;
  }

  private StoreEntry<V> applyProcessorOutcome(K key, ProcessorEntry<K, V> entry, Change<V> change,
      StoreEntry<V> current, StoreEntry<V> live, long now) {
    StoreEntry<V> unchanged = live == null && change.expired != null ? null : current;
    switch (entry.outcome()) {
      case NONE:
        return unchanged;
      case READ: {
        long deadline = expiry.accessDeadline(now);
        return deadline == ExpiryCalculator.UNCHANGED ? current : live.withExpiresAt(deadline);
      }
      case LOADED: {
        checkValueType(entry.value());
        return write(change, null, copyIn(entry.value()), now, StoreEntry.NEVER);
      }
      case CREATED:
      case UPDATED: {
        checkTypes(key, entry.value());
        writeThrough(key, entry.value());
        return write(change, live, copyIn(entry.value()), now, StoreEntry.NEVER);
      }
      case REMOVED: {
        deleteThrough(key);
        if (live == null) {
          return unchanged;
        }
        change.removed(live.value());
        return null;
      }
      default:
        throw new IllegalStateException("Unknown outcome " + entry.outcome());
    }
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> processor,
      Object... arguments) {
    requireOpen();
    requireNoNullKeys(keys);
    Objects.requireNonNull(processor, "processor");
    Map<K, EntryProcessorResult<T>> results = new LinkedHashMap<>();
    for (K key : keys) {
      try {
        T result = invokeInternal(key, processor, arguments);
        if (result != null) {
          results.put(key, ProcessorResult.of(result));
        }
      } catch (EntryProcessorException e) {
        results.put(key, ProcessorResult.failed(e));
      } catch (RuntimeException e) {
        results.put(key, ProcessorResult.failed(new EntryProcessorException(e)));
      }
    }
    return results;
  }

  // ---------------------------------------------------------------------------------------------
  // Iteration

  @Override
  public Iterator<Cache.Entry<K, V>> iterator() {
    requireOpen();
    return new EntryIterator();
  }

  /** Skips expired entries; each entry returned counts as a read; {@code remove()} is {@link #remove(Object)}. */
  private final class EntryIterator implements Iterator<Cache.Entry<K, V>> {
    private final Iterator<Map.Entry<K, StoreEntry<V>>> entries = store.entries();
    private Map.Entry<K, StoreEntry<V>> next;
    private K lastKey;

    @Override
    public boolean hasNext() {
      while (next == null && entries.hasNext()) {
        Map.Entry<K, StoreEntry<V>> candidate = entries.next();
        if (!candidate.getValue().isExpiredAt(time.millis())) {
          next = candidate;
        }
      }
      return next != null;
    }

    @Override
    public Cache.Entry<K, V> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<K, StoreEntry<V>> current = next;
      next = null;
      lastKey = current.getKey();
      if (expiry.consultsOnAccess()) {
        touch(lastKey, current.getValue());
      }
      if (statisticsEnabled) {
        statistics.recordHits(1);
      }
      return new LarderEntry<>(copyOut(lastKey), copyOut(current.getValue().value()));
    }

    @Override
    public void remove() {
      requireOpen();
      if (lastKey == null) {
        throw new IllegalStateException("next() has not been called, or remove() was already called");
      }
      K key = lastKey;
      lastKey = null;
      StoreCache.this.remove(key);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Expiry

  /** Applies the access duration to a live entry. */
  /**
   * Gives the entry a hit read its access deadline, if the key still holds that entry: a write landing
   * between the read and this keeps its own creation or update deadline.
   */
  private void touch(K key, StoreEntry<V> read) {
    long now = time.millis();
    long deadline = expiry.accessDeadline(now);
    if (deadline == ExpiryCalculator.UNCHANGED || read.isExpiredAt(now)) {
      return;
    }
    store.replaceIfSame(key, read, read.withExpiresAt(deadline));
  }

  /**
   * Removes the expired entry a read found, reporting it as EXPIRED, if the key still holds it (a write
   * since replaced it: nothing to expire).
   */
  private void expire(K key, StoreEntry<V> read) {
    if (store.replaceIfSame(key, read, null)) {
      Change<V> change = new Change<>();
      change.expiredEntry(read);
      publish(key, change);
    }
  }

  /** Entries the store dropped on its own. */
  private final class StoreEvents implements StoreContext.StoreListener<K, V> {
    @Override
    public void expired(K key, StoreEntry<V> entry) {
      if (events.hasListeners() && !closed) {
        try {
          events.publish(StoreCache.this, EventType.EXPIRED, copyOut(key), null, copyOut(entry.value()));
        } catch (RuntimeException e) {
          LOG.warn("A listener failed on the expiry of a key of cache " + name, e);
        }
      }
    }

    @Override
    public void evicted(K key, StoreEntry<V> entry) {
      if (statisticsEnabled) {
        statistics.recordEvictions(1);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Events, statistics, write-through

  /** Publishes the events a change recorded: an EXPIRED entry it found, then what it did. */
  private void publish(K key, Change<V> change) {
    if (!events.hasListeners()) {
      return;
    }
    RuntimeException failure = null;
    if (change.expired != null) {
      try {
        events.publish(this, EventType.EXPIRED, key, null, copyOut(change.expired.value()));
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (change.type != null) {
      V value = change.value == null ? null : copyOut(change.value);
      V old = change.old == null ? null : copyOut(change.old);
      events.publish(this, change.type, key, value, old);
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void recordHitOrMiss(boolean hit) {
    if (hit) {
      statistics.recordHits(1);
    } else {
      statistics.recordMisses(1);
    }
  }

  private void recordPutStatistics(Change<V> change, long start) {
    if (change.type == EventType.CREATED || change.type == EventType.UPDATED) {
      statistics.recordPuts(1);
      statistics.recordPutTime(System.nanoTime() - start);
    }
  }

  private void writeThrough(K key, V value) {
    if (writer != null) {
      try {
        writer.write(new LarderEntry<>(key, value));
      } catch (Exception e) {
        throw Integration.writerFailure(e);
      }
    }
  }

  private void deleteThrough(K key) {
    if (writer != null) {
      try {
        writer.delete(key);
      } catch (Exception e) {
        throw Integration.writerFailure(e);
      }
    }
  }

  private void deleteAllThrough(Collection<Object> keys) {
    try {
      writer.deleteAll(keys);
    } catch (Exception e) {
      throw Integration.writerFailure(e);
    }
  }

  /**
   * What one run of a {@link Store#compute} function found and did. Reset at the start of every run,
   * so only the run the store committed is reported.
   */
  private static final class Change<V> {
    /** The live (unexpired) entry found, or null. */
    StoreEntry<V> live;
    /** An entry found past its deadline (removed or replaced by this change), or null. */
    StoreEntry<V> expired;
    /** CREATED, UPDATED or REMOVED, or null for no change. */
    EventType type;
    V value;
    V old;
    V result;

    void reset(StoreEntry<V> current, long now) {
      if (current != null && current.isExpiredAt(now)) {
        expired = current;
        live = null;
      } else {
        expired = null;
        live = current;
      }
      type = null;
      value = null;
      old = null;
      result = null;
    }

    /** Nothing but an entry found past its deadline and removed. */
    void expiredEntry(StoreEntry<V> entry) {
      reset(null, 0);
      expired = entry;
    }

    void created(V newValue) {
      type = EventType.CREATED;
      value = newValue;
    }

    void updated(V newValue, V oldValue) {
      type = EventType.UPDATED;
      value = newValue;
      old = oldValue;
    }

    void removed(V oldValue) {
      type = EventType.REMOVED;
      old = oldValue;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Copies and checks

  /** A private copy of a key or value entering a store-by-value cache; immutable ones are shared. */
  private <T> T copyIn(T object) {
    if (copier == null || object == null || Immutables.isImmutable(object.getClass())) {
      return object;
    }
    return copier.copy(object, classLoader);
  }

  /** A copy of a stored key or value leaving a store-by-value cache; immutable ones are shared. */
  private <T> T copyOut(T object) {
    if (copier == null || object == null || Immutables.isImmutable(object.getClass())) {
      return object;
    }
    return copier.copy(object, classLoader);
  }

  private void checkTypes(K key, V value) {
    if (keyType != Object.class && !keyType.isInstance(key)) {
      throw new ClassCastException("Cache " + name + " holds keys of type " + keyType.getName()
          + ", not " + key.getClass().getName());
    }
    checkValueType(value);
  }

  private void checkValueType(V value) {
    if (valueType != Object.class && !valueType.isInstance(value)) {
      throw new ClassCastException("Cache " + name + " holds values of type " + valueType.getName()
          + ", not " + value.getClass().getName());
    }
  }

  private static void requireNoNullKeys(Set<?> keys) {
    Objects.requireNonNull(keys, "keys");
    for (Object key : keys) {
      Objects.requireNonNull(key, "a key in the set is null");
    }
  }

  private long deadlineOf(java.time.Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    long now = time.millis();
    long millis;
    try {
      millis = timeout.toMillis();
    } catch (ArithmeticException e) {
      return StoreEntry.NEVER - 1;
    }
    // NEVER itself means "use the expiry policy" to the write paths; a huge timeout is just very long.
    return Math.min(ExpiryCalculator.plus(now, millis), StoreEntry.NEVER - 1);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("Cache " + name + " is closed");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration, management, life cycle

  @Override
  public String getName() {
    return name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> type) {
    if (type.isInstance(configuration)) {
      return type.cast(configuration);
    }
    throw new IllegalArgumentException("The configuration of cache " + name + " is not a " + type.getName());
  }

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    requireOpen();
    Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
    events.register(listenerConfiguration);
    configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    requireOpen();
    Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
    if (events.deregister(listenerConfiguration)) {
      configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
    }
  }

  void setStatisticsEnabled(boolean enabled) {
    configuration.setStatisticsEnabled(enabled);
    statisticsEnabled = enabled;
    if (enabled) {
      MBeans.register(statistics, statisticsName);
    } else {
      MBeans.unregister(statisticsName);
    }
  }

  void setManagementEnabled(boolean enabled) {
    configuration.setManagementEnabled(enabled);
    if (enabled) {
      MBeans.register(new CacheConfigurationBean(configuration), configurationName);
    } else {
      MBeans.unregister(configurationName);
    }
  }

  CacheStatistics statistics() {
    return statistics;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    return store.unwrap(type);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    manager.release(this);
  }

  /** Closes this cache for good: MXBeans gone, resources released. Called once by the manager. */
  void shutdown() {
    if (closed) {
      return;
    }
    closed = true;
    MBeans.unregister(statisticsName);
    MBeans.unregister(configurationName);
    events.close();
    closeQuietly(loader);
    closeQuietly(writer);
    closeQuietly(expiry.policy());
    store.close();
  }

  private static void closeQuietly(Object resource) {
    if (resource instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("Closing " + resource.getClass().getName() + " failed", e);
      }
    }
  }

  private static final CompletionListener NO_COMPLETION_LISTENER = new CompletionListener() {
    @Override
    public void onCompletion() {
    }

    @Override
    public void onException(Exception e) {
      LOG.warn("loadAll failed", e);
    }
  };

  @Override
  public String toString() {
    return "LarderCache{" + manager.getURI() + ", " + name + '}';
  }
}
