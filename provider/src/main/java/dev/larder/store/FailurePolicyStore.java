package dev.larder.store;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "miss" failure policy of a remote store, around it: while the service fails or is too slow
 * ({@link StoreUnavailableException}), a read is a miss and a write is skipped, counted and logged, so
 * an outage costs cache misses, not errors. The caller of {@code get(key, compute, timeout)} still
 * gets its value, computed and not kept. {@link #clear()} still throws: a clear that did not happen
 * must not look as if it had.
 */
public final class FailurePolicyStore<K, V> implements Store<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(FailurePolicyStore.class);

  private final Store<K, V> remote;
  private final String name;
  private final LongAdder failures = new LongAdder();
  private volatile long lastLog;

  /** @param name the store and cache, for the log line */
  public FailurePolicyStore(Store<K, V> remote, String name) {
    this.remote = remote;
    this.name = name;
  }

  /** Failures turned into misses or skipped writes since the store was made. */
  public long failures() {
    return failures.sum();
  }

  @Override
  public StoreEntry<V> get(K key) {
    try {
      return remote.get(key);
    } catch (StoreUnavailableException e) {
      return degraded(e, null);
    }
  }

  @Override
  public Map<K, StoreEntry<V>> getAll(Set<? extends K> keys) {
    try {
      return remote.getAll(keys);
    } catch (StoreUnavailableException e) {
      degraded(e, null);
      return Store.getEach(this, keys); // key by key: what still answers, answers
    }
  }

  @Override
  public StoreEntry<V> compute(K key, Remapping<K, V> remapping) {
    try {
      return remote.compute(key, remapping);
    } catch (StoreUnavailableException e) {
      return degraded(e, null);
    }
  }

  @Override
  public StoreEntry<V> put(K key, StoreEntry<V> entry) {
    try {
      return remote.put(key, entry);
    } catch (StoreUnavailableException e) {
      return degraded(e, null);
    }
  }

  @Override
  public boolean replaceIfSame(K key, StoreEntry<V> read, StoreEntry<V> replacement) {
    try {
      return remote.replaceIfSame(key, read, replacement);
    } catch (StoreUnavailableException e) {
      return degraded(e, false);
    }
  }

  @Override
  public Map<K, StoreEntry<V>> computeAll(Set<? extends K> keys, Remapping<K, V> remapping) {
    try {
      return remote.computeAll(keys, remapping);
    } catch (StoreUnavailableException e) {
      degraded(e, null);
      Map<K, StoreEntry<V>> results = new HashMap<>(); // key by key: what still answers takes its keys
      for (K key : keys) {
        results.put(key, compute(key, (k, current) -> remapping.apply(key, current)));
      }
      return results;
    }
  }

  @Override
  public Computed<V> getOrCompute(K key, Function<K, StoreEntry<V>> compute, long refreshAheadMillis,
      long waitMillis) {
    try {
      return remote.getOrCompute(key, compute, refreshAheadMillis, waitMillis);
    } catch (StoreUnavailableException e) {
      return degraded(e, new Computed<>(compute.apply(key), true, null));
    }
  }

  @Override
  public Iterator<Map.Entry<K, StoreEntry<V>>> entries() {
    Iterator<Map.Entry<K, StoreEntry<V>>> entries;
    try {
      entries = remote.entries();
    } catch (StoreUnavailableException e) {
      return degraded(e, java.util.Collections.emptyIterator());
    }
    return new Iterator<>() {
      private boolean failed;

      @Override
      public boolean hasNext() {
        try {
          return !failed && entries.hasNext();
        } catch (StoreUnavailableException e) {
          failed = true; // the rest of the listing is misses
          return degraded(e, false);
        }
      }

      @Override
      public Map.Entry<K, StoreEntry<V>> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return entries.next();
      }
    };
  }

  @Override
  public void removedAllListed() {
    remote.removedAllListed();
  }

  @Override
  public void clear() {
    remote.clear();
  }

  @Override
  public void close() {
    remote.close();
  }

  @Override
  public dev.larder.expiry.TimeSource time() {
    return remote.time();
  }

  @Override
  public Runnable carryCallerContext(Runnable task) {
    return remote.carryCallerContext(task);
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    return type.isInstance(this) ? type.cast(this) : remote.unwrap(type);
  }

  private <T> T degraded(StoreUnavailableException failure, T fallback) {
    failures.increment();
    long now = System.currentTimeMillis();
    if (now - lastLog > 1000) { // at most a line a second: an outage is not a log flood
      lastLog = now;
      LOG.warn(failure.getMessage() + "; answering as a miss / skipping the write (" + failures.sum()
          + " so far for " + name + ")");
    }
    return fallback;
  }

  @Override
  public String toString() {
    return "FailurePolicyStore{" + remote + "}";
  }
}
