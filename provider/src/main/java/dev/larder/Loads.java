package dev.larder;

import dev.larder.expiry.TimeSource;
import dev.larder.integration.Integration;
import dev.larder.store.Store;
import dev.larder.store.StoreEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a read that misses gets its value, in one place: read-through from the loader, a caller's own
 * computation ({@code get(key, compute, timeout)}), {@code loadAll}. One load per key at a time in this
 * JVM, one computation per key across JVMs where the store is shared ({@link Store#getOrCompute}), and
 * one refresh ahead of the deadline per key while the others keep getting the current value.
 */
final class Loads<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(Loads.class);

  /** Keys handed to the loader at once by {@code loadAll}. */
  static final int LOAD_CHUNK = 1_000;
  private static final long LOAD_PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Store<K, V> store;
  private final Rules<K, V> rules;
  private final TimeSource time;
  private final OperationRunner<K, V> runner;
  private final CacheEvents<K, V> events;
  private final String cacheName;
  private final Executor executor;
  /** The configured loader ({@code loadAll} uses it without read-through), or {@code null}. */
  private final CacheLoader<K, V> loader;
  private final Source<K, V> readThrough;
  private final long refreshAheadMillis;
  private final long computeWaitMillis;
  private final ConcurrentMap<K, CompletableFuture<V>> loadsInFlight = new ConcurrentHashMap<>();
  /** Keys one caller of this JVM is refreshing ahead of their deadline; the others get the current value. */
  private final Set<K> refreshing = ConcurrentHashMap.newKeySet();

  Loads(Store<K, V> store, Rules<K, V> rules, TimeSource time, OperationRunner<K, V> runner,
      CacheEvents<K, V> events, String cacheName, Executor executor, CacheLoader<K, V> loader,
      long refreshAheadMillis, long computeWaitMillis) {
    this.store = store;
    this.rules = rules;
    this.time = time;
    this.runner = runner;
    this.events = events;
    this.cacheName = cacheName;
    this.executor = executor;
    this.loader = loader;
    this.readThrough = rules.readThrough() != null
        ? new Source<>(rules.readThrough(), null) : Source.none();
    this.refreshAheadMillis = refreshAheadMillis;
    this.computeWaitMillis = computeWaitMillis;
  }

  /**
   * Where a missed read gets its value: a function of the key and how long to keep what it gives,
   * counted from when it has given it ({@code null} for the expiry policy's creation duration), or
   * {@link #none()}.
   */
  record Source<K, V>(Function<K, V> function, Duration timeout) {
    private static final Source<?, ?> NONE = new Source<>(null, null);

    @SuppressWarnings("unchecked")
    static <K, V> Source<K, V> none() {
      return (Source<K, V>) NONE;
    }

    boolean loads() {
      return function != null;
    }
  }

  /** The loader, under read-through; else {@link Source#none()}. */
  Source<K, V> readThrough() {
    return readThrough;
  }

  /** A caller's computation, kept for {@code timeout} once computed; its failure is a loader failure. */
  Source<K, V> computing(Function<? super K, ? extends V> compute, Duration timeout) {
    return new Source<>(k -> {
      try {
        return compute.apply(k);
      } catch (RuntimeException e) {
        throw Integration.loaderFailure(e);
      }
    }, timeout);
  }

  boolean refreshesAhead() {
    return refreshAheadMillis > 0;
  }

  /** Whether this caller should refresh a live entry whose deadline is near: one caller per key at a time. */
  boolean shouldRefresh(K key, long deadline, Source<K, V> source) {
    return refreshAheadMillis > 0 && source.loads() && deadline != StoreEntry.NEVER
        && deadline - time.millis() <= refreshAheadMillis && refreshing.add(key);
  }

  /** Recomputes a live entry ahead of its deadline; on failure the caller still gets the current value. */
  V refresh(K key, Source<K, V> source, StoreEntry<V> current) {
    try {
      V value = loadIntoCache(key, source, refreshAheadMillis);
      return value != null ? value : rules.copies().out(current.value());
    } catch (RuntimeException e) {
      LOG.warn("Refreshing a key of cache " + cacheName + " ahead of its deadline failed;"
          + " the current value is served until it expires", e);
      return rules.copies().out(current.value());
    } finally {
      refreshing.remove(key);
    }
  }

  /**
   * The key's value, loaded into the cache once per key at a time in this JVM whatever the store:
   * callers that find a load of their key under way wait for it and share its value (or its failure)
   * instead of loading again. A remote store's compute may retry, so its own atomicity does not give this.
   */
  V loadOnce(K key, Source<K, V> source) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> theirs = loadsInFlight.putIfAbsent(key, mine);
    if (theirs != null) {
      try {
        return rules.copies().out(theirs.join());
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : e;
      }
    }
    try {
      V value = loadIntoCache(key, source, 0);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      loadsInFlight.remove(key, mine);
    }
  }

  /**
   * The values the loader has for the keys a bulk read missed, each loaded into the cache (and what the
   * caller gets: a value a concurrent load put there first, if any).
   */
  void readThroughAll(Set<K> missing, Map<K, V> into) {
    for (Map.Entry<K, V> entry : loadFromLoader(missing).entrySet()) {
      K key = entry.getKey();
      V value = entry.getValue();
      if (key != null && value != null) {
        V cached = loadIntoCache(key, new Source<>(k -> value, null), 0);
        if (cached != null) {
          into.put(key, cached);
        }
      }
    }
  }

  /**
   * The key's value from the store, or computed by one caller while the others wait for it
   * ({@link Store#getOrCompute}: across JVMs on a shared store). Returns the value the caller gets.
   */
  private V loadIntoCache(K key, Source<K, V> source, long refreshAhead) {
    return events.inKeyOrder(key, () -> loadAndPublish(key, source, refreshAhead));
  }

  private V loadAndPublish(K key, Source<K, V> source, long refreshAhead) {
    Computation computation = new Computation(key, source);
    Store.Computed<V> computed = store.getOrCompute(rules.copies().in(key), computation, refreshAhead,
        computeWaitMillis);
    if (!computed.computedHere()) {
      return computed.entry() == null ? null : rules.copies().out(computed.entry().value());
    }
    if (events.anyListener()) {
      events.publish(key, new Found<>(computed.replaced(), time.millis()).computed(computed.entry()));
    }
    return computation.value;
  }

  /**
   * The entry a computation makes for the store; it keeps the value of its last run, which is what the
   * caller gets (even when the entry, created already expired, is not stored).
   */
  private final class Computation implements Function<K, StoreEntry<V>> {
    private final K key;
    private final Source<K, V> source;
    private V value;

    Computation(K key, Source<K, V> source) {
      this.key = key;
      this.source = source;
    }

    @Override
    public StoreEntry<V> apply(K storedKey) {
      value = null;
      V computed = source.function().apply(key);
      if (computed == null) {
        return null;
      }
      rules.types().checkValue(computed);
      value = computed;
      long now = time.millis(); // after the computation: a slow one does not eat into its entry's time
      long deadline = source.timeout() != null
          ? Arguments.deadlineOf(source.timeout(), now) : rules.expiry().creationDeadline(now);
      // Created already expired: the caller gets the value, the store keeps nothing.
      return deadline <= now ? null : new StoreEntry<>(rules.copies().in(computed), deadline);
    }
  }

  private Map<K, V> loadFromLoader(Set<K> keys) {
    try {
      Map<K, V> loaded = loader.loadAll(keys);
      return loaded == null ? Map.of() : loaded;
    } catch (Exception e) {
      throw Integration.loaderFailure(e);
    }
  }

  /**
   * {@code loadAll}, on Larder's executor: the keys not {@code present} (or all of them, to replace
   * existing values), in chunks of {@link #LOAD_CHUNK}, so that a long load reports its progress (a log
   * line every {@link #LOAD_PROGRESS_NANOS}) and what was loaded is in the cache before the rest is.
   */
  void loadAll(Set<K> keys, boolean replaceExisting, CompletionListener completion, Predicate<K> present) {
    if (loader == null) {
      completion.onCompletion();
      return;
    }
    executor.execute(() -> {
      try {
        List<K> toLoad = new ArrayList<>();
        for (K key : keys) {
          if (replaceExisting || !present.test(key)) {
            toLoad.add(key);
          }
        }
        loadInChunks(toLoad, replaceExisting);
        completion.onCompletion();
      } catch (Exception e) {
        completion.onException(e instanceof CacheLoaderException ? e : Integration.loaderFailure(e));
      }
    });
  }

  private void loadInChunks(List<K> keys, boolean replaceExisting) {
    long started = System.nanoTime();
    long reported = started;
    for (int from = 0; from < keys.size(); from += LOAD_CHUNK) {
      Set<K> chunk = new LinkedHashSet<>(keys.subList(from, Math.min(keys.size(), from + LOAD_CHUNK)));
      for (Map.Entry<K, V> entry : loadFromLoader(chunk).entrySet()) {
        if (entry.getKey() != null && entry.getValue() != null) {
          rules.types().checkValue(entry.getValue());
          runner.run(entry.getKey(), rules.copies().in(entry.getKey()),
              new Operations.Loaded<>(rules.copies().in(entry.getValue()), replaceExisting));
        }
      }
      int done = Math.min(keys.size(), from + LOAD_CHUNK);
      long now = System.nanoTime();
      if (done < keys.size() && now - reported >= LOAD_PROGRESS_NANOS) {
        LOG.info("Cache {}: loadAll has loaded {} of {} keys ({}%) in {} s", cacheName, done, keys.size(),
            done * 100L / keys.size(), TimeUnit.NANOSECONDS.toSeconds(now - started));
        reported = now;
      }
    }
    if (reported != started) {
      LOG.info("Cache {}: loadAll of {} keys done in {} s", cacheName, keys.size(),
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }
  }
}
