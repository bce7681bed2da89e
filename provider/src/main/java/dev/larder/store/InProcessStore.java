package dev.larder.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default: a Caffeine cache (W-TinyLFU eviction, timer-wheel expiry) holding
 * {@link StoreEntry} instances.
 *
 * <p>Caffeine reclaims an entry {@link #RECLAIM_DELAY_MILLIS} after its deadline, so that the cache layer,
 * which checks deadlines itself on every read, is normally the one to find an entry expired and to
 * report it on the caller's thread. Entries nobody reads are still reclaimed (Caffeine's scheduler
 * drives the clean-up) and reported through {@link StoreContext.StoreListener#expired}.
 */
public final class InProcessStore<K, V> implements Store<K, V> {

  /** How long after its deadline Caffeine reclaims an entry on its own. */
  static final long RECLAIM_DELAY_MILLIS = 250;

  /** The factory for the default store. */
  public static final StoreFactory FACTORY = InProcessStore::new;

  private final Cache<K, StoreEntry<V>> cache;
  private final ConcurrentMap<K, StoreEntry<V>> map;

  private InProcessStore(StoreContext<K, V> context) {
    StoreContext.StoreListener<K, V> listener = context.listener();
    Caffeine<K, StoreEntry<V>> builder = Caffeine.newBuilder()
        .scheduler(Scheduler.systemScheduler())
        .expireAfter(new DeadlineExpiry<K, V>())
        .evictionListener((K key, StoreEntry<V> entry, RemovalCause cause) -> {
          if (key == null || entry == null) {
            return;
          }
          if (cause == RemovalCause.EXPIRED) {
            listener.expired(key, entry);
          } else if (cause == RemovalCause.SIZE) {
            listener.evicted(key, entry);
          }
        });
    if (context.maximumSize() >= 0) {
      builder.maximumSize(context.maximumSize());
    } else if (context.maximumWeight() >= 0) {
      StoreContext.Weigher<? super K, ? super V> weigher = context.weigher();
      builder.maximumWeight(context.maximumWeight())
          .weigher((K key, StoreEntry<V> entry) ->
              (int) Math.min(Integer.MAX_VALUE, Math.max(0, weigher.weigh(key, entry.value()))));
    }
    this.cache = builder.build();
    this.map = cache.asMap();
  }

  @Override
  public StoreEntry<V> get(K key) {
    return map.get(key);
  }

  @Override
  public Map<K, StoreEntry<V>> getAll(Set<? extends K> keys) {
    Map<K, StoreEntry<V>> found = new HashMap<>(Math.max(4, keys.size() * 2));
    for (K key : keys) {
      StoreEntry<V> entry = map.get(key);
      if (entry != null) {
        found.put(key, entry);
      }
    }
    return found;
  }

  @Override
  public StoreEntry<V> compute(K key, Remapping<K, V> remapping) {
    return map.compute(key, remapping::apply);
  }

  @Override
  public Iterator<Map.Entry<K, StoreEntry<V>>> entries() {
    return map.entrySet().iterator();
  }

  @Override
  public void clear() {
    map.clear();
  }

  @Override
  public void close() {
    cache.invalidateAll();
    cache.cleanUp();
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(cache)) {
      return type.cast(cache);
    }
    return Store.super.unwrap(type);
  }

  /** Maps each entry's wall-clock deadline onto Caffeine's variable expiry. */
  private static final class DeadlineExpiry<K, V> implements Expiry<K, StoreEntry<V>> {
    @Override
    public long expireAfterCreate(K key, StoreEntry<V> entry, long currentTime) {
      return nanosUntilReclaim(entry);
    }

    @Override
    public long expireAfterUpdate(K key, StoreEntry<V> entry, long currentTime, long currentDuration) {
      return nanosUntilReclaim(entry);
    }

    @Override
    public long expireAfterRead(K key, StoreEntry<V> entry, long currentTime, long currentDuration) {
      return currentDuration;
    }

    private static long nanosUntilReclaim(StoreEntry<?> entry) {
      long deadline = entry.expiresAt();
      if (deadline == StoreEntry.NEVER) {
        return Long.MAX_VALUE;
      }
      long millis = deadline - System.currentTimeMillis() + RECLAIM_DELAY_MILLIS;
      return millis <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(millis);
    }
  }
}
