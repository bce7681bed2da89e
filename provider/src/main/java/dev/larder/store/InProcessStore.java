package dev.larder.store;

import org.slf4j.LoggerFactory;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default: entries in an {@link EntryTable} (a hash table whose nodes are the entries), or,
 * bounded by size or weight, in a {@link BoundedTable} (W-TinyLFU eviction, with a frequency sketch and
 * a window climber of Larder's own: see {@link EvictionPolicy} for why not Caffeine's).
 *
 * <p>Deadlines are not given to Caffeine's variable expiry: measured on the read benchmarks, it costs
 * every hit a reschedule in Caffeine's timer wheel (5 to 30 times slower gets), while the cache layer
 * checks deadlines on every read anyway. Entries with a deadline are instead noted in coarse time
 * buckets, which a background task sweeps every {@link #SWEEP_MILLIS}: an expired entry nobody reads
 * is reclaimed about {@link #RECLAIM_DELAY_MILLIS} after its deadline and reported through
 * {@link StoreContext.StoreListener#expired}. The delay lets a reader, which reports expiry on its own
 * thread, normally find the entry first. Reads pay nothing for this; writes with a deadline pay one
 * set insertion.
 */
public final class InProcessStore<K, V> implements Store<K, V> {

  /** How long after its deadline an unread entry is reclaimed, at the least. */
  public static final long RECLAIM_DELAY_MILLIS = 250;
  /** How often the buckets of deadlines are swept. */
  public static final long SWEEP_MILLIS = 250;

  /** The factory for the default store. */
  public static final StoreFactory FACTORY = InProcessStore::new;

  /** One daemon thread sweeps the deadlines of every in-process store of the JVM. */
  private static final ScheduledExecutorService SWEEPER = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "larder-expiry-sweeper");
    thread.setDaemon(true);
    return thread;
  });

  private final ConcurrentMap<K, StoreEntry<V>> map;
  private final StoreContext.StoreListener<K, V> listener;
  private final dev.larder.expiry.TimeSource time;
  /** Keys by the sweep time (ms, a multiple of SWEEP_MILLIS) after which their deadline has passed. */
  private final ConcurrentSkipListMap<Long, Set<K>> deadlines = new ConcurrentSkipListMap<>();
  private final ScheduledFuture<?> sweeping;

  private InProcessStore(StoreContext<K, V> context) {
    this.listener = context.listener();
    this.time = context.time();
    if (context.maximumSize() >= 0) {
      this.map = new BoundedTable<>(context.maximumSize(), null, listener);
    } else if (context.maximumWeight() >= 0) {
      this.map = new BoundedTable<>(context.maximumWeight(), context.weigher(), listener);
    } else {
      // Unbounded, Caffeine's cache is a ConcurrentHashMap whose put goes through compute (to tell a
      // removal listener what it replaced, which this store has none of; 18% of a put's samples), and
      // whose nodes hold the entries: a table whose nodes are the entries instead.
      this.map = new EntryTable<>();
    }
    this.sweeping = SWEEPER.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public StoreEntry<V> get(K key) {
    return map.get(key);
  }

  /**
   * The table itself when unbounded: a by-reference hit, 1 thread, alternating jars, 5 pairs,
   * 1.04-1.18x (median 1.12x, 5 of 5 faster) over reading through this store's get.
   */
  @Override
  public Reader<K, V> reader() {
    return map instanceof EntryTable<K, V> table ? table : this::get;
  }

  @Override
  public Map<K, StoreEntry<V>> getAll(Set<? extends K> keys) {
    return Store.getEach(this, keys);
  }

  @Override
  public StoreEntry<V> compute(K key, Remapping<K, V> remapping) {
    StoreEntry<V> entry = map.compute(key, remapping::apply);
    if (entry != null && entry.expiresAt() != StoreEntry.NEVER) {
      noteDeadline(key, entry.expiresAt());
    }
    return entry;
  }

  @Override
  public StoreEntry<V> put(K key, StoreEntry<V> entry) {
    StoreEntry<V> previous = map.put(key, entry);
    if (entry.expiresAt() != StoreEntry.NEVER) {
      noteDeadline(key, entry.expiresAt());
    }
    return previous;
  }

  private void noteDeadline(K key, long deadline) {
    long sweepAfter = deadline + RECLAIM_DELAY_MILLIS;
    long bucket = (sweepAfter / SWEEP_MILLIS + 1) * SWEEP_MILLIS;
    deadlines.computeIfAbsent(bucket, b -> ConcurrentHashMap.newKeySet()).add(key);
  }

  /**
   * Reclaims the entries of every due bucket that are still expired (a key may have been renewed). Run
   * every {@value #SWEEP_MILLIS} ms by the sweeper thread; public for tests that move a fake clock.
   */
  public void sweep() {
    if (deadlines.isEmpty()) {
      return; // before reading the time: a read every 250 ms would keep the idle Clock ticking
    }
    long now = time.millis();
    Map.Entry<Long, Set<K>> due;
    while ((due = deadlines.firstEntry()) != null && due.getKey() <= now) {
      deadlines.remove(due.getKey(), due.getValue());
      for (K key : due.getValue()) {
        try {
          @SuppressWarnings("unchecked")
          StoreEntry<V>[] reclaimed = new StoreEntry[1];
          map.computeIfPresent(key, (k, entry) -> {
            if (entry.expiresAt() + RECLAIM_DELAY_MILLIS <= now) {
              reclaimed[0] = entry;
              return null;
            }
            return entry;
          });
          if (reclaimed[0] != null) {
            // Outside the map's lock: listeners may take their time.
            listener.expired(key, reclaimed[0]);
          }
        } catch (RuntimeException e) {
          LoggerFactory.getLogger(InProcessStore.class).warn("Reclaiming an expired entry failed", e);
        }
      }
    }
  }

  /**
   * Evicts now what a bound requires. Writes evict as they go, but a write that finds another thread
   * evicting leaves its part to that thread, so a bounded store may hold an entry too many for as long
   * as writes are in flight; after this call it holds none, unless another thread is evicting at that
   * moment (which then evicts it). Nothing to do when unbounded.
   */
  public void cleanUp() {
    if (map instanceof BoundedTable<K, V> bounded) {
      bounded.cleanUp();
    }
  }

  @Override
  public Iterator<Map.Entry<K, StoreEntry<V>>> entries() {
    return map.entrySet().iterator();
  }

  @Override
  public void clear() {
    map.clear();
    deadlines.clear();
  }

  @Override
  public void close() {
    sweeping.cancel(false);
    map.clear();
    deadlines.clear();
  }

  @Override
  public dev.larder.expiry.TimeSource time() {
    return time;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(map)) {
      return type.cast(map);
    }
    return Store.super.unwrap(type);
  }
}
