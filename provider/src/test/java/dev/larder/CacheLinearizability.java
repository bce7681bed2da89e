package dev.larder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * The atomic JCache operations, run concurrently by Lincheck and checked to be linearizable against
 * {@link SequentialModel}, a map. Each store's module extends it with its cache; Lincheck makes an
 * instance per scenario, which {@link #cache()} empties first (one cache for all, as making thousands
 * of caches would measure the making). Keys 1-3 and values 1-3, so the operations collide.
 *
 * <p>In the same histories, {@link #eventsTellEachKeysHistory} checks the events a synchronous
 * listener received ({@link #withEventLog}): each key's must be in the order its writes happened, each
 * UPDATED and REMOVED carrying as old value what the event before it left, and ending in what the key
 * holds.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:3")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public abstract class CacheLinearizability {

  /** The store's cache, emptied: the same one each time. */
  protected abstract Cache<Integer, Integer> cache();

  /** Whether {@link #cache()} was configured {@link #withEventLog}: then its events are checked too. */
  protected abstract boolean logsEvents();

  /** This scenario's events. */
  private final Queue<Event> log = new ConcurrentLinkedQueue<>();
  private final Cache<Integer, Integer> cache = cacheEmptied();

  private Cache<Integer, Integer> cacheEmptied() {
    Cache<Integer, Integer> shared = cache();
    shared.clear(); // fires no event (JCache): the log starts from empty keys
    return shared;
  }

  /**
   * The cache, with the listener pointed at this scenario's log: set by each operation, not by the
   * constructor, as Lincheck may make the next scenario's instance before this one has run.
   */
  private Cache<Integer, Integer> cacheLogging() {
    EventLog.current = log;
    return cache;
  }

  /** The configuration with the synchronous listener whose events {@link #eventsTellEachKeysHistory} checks. */
  protected static <C extends MutableConfiguration<Integer, Integer>> C withEventLog(C configuration) {
    configuration.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(new EventLog()), null, true, true));
    return configuration;
  }

  /**
   * Replays each key's events from absent: CREATED only over nothing, UPDATED and REMOVED only over the
   * value the event before left (their old value), and the last one left what the key holds now.
   */
  @Validate
  public void eventsTellEachKeysHistory() {
    if (!logsEvents()) {
      return;
    }
    Map<Integer, Integer> replayed = new HashMap<>();
    List<String> seen = new ArrayList<>();
    for (Event event : log) {
      seen.add(event.toString());
      Integer before = replayed.get(event.key());
      String where = "event " + seen.size() + " of " + seen;
      switch (event.type()) {
        case CREATED -> require(before == null, where);
        case UPDATED, REMOVED -> require(before != null && before.equals(event.old()), where);
        default -> throw new IllegalStateException("unexpected " + where);
      }
      if (event.type() == EventType.REMOVED) {
        replayed.remove(event.key());
      } else {
        replayed.put(event.key(), event.value());
      }
    }
    for (int key = 1; key <= 3; key++) {
      require(Objects.equals(replayed.get(key), cache.get(key)),
          "key " + key + " holds " + cache.get(key) + " but the events " + seen + " leave " + replayed.get(key));
    }
  }

  private static void require(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("Events out of their key's order: " + what);
    }
  }

  record Event(EventType type, Integer key, Integer value, Integer old) {
    @Override
    public String toString() {
      return type + " " + key + (type == EventType.REMOVED ? "" : "=" + value) + (old == null ? "" : " (was " + old + ")");
    }
  }

  /** The synchronous listener: appends every event to the log of the scenario running. */
  public static final class EventLog extends RecordingListener<Integer, Integer> {
    private static final long serialVersionUID = 1L;
    static volatile Queue<Event> current = new ConcurrentLinkedQueue<>();

    @Override
    protected void heard(CacheEntryEvent<? extends Integer, ? extends Integer> event) {
      current.add(new Event(event.getEventType(), event.getKey(),
          event.getEventType() == EventType.REMOVED ? null : event.getValue(), event.getOldValue()));
    }
  }

  @Operation
  public Integer get(@Param(name = "key") int key) {
    return cacheLogging().get(key);
  }

  @Operation
  public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
    cacheLogging().put(key, value);
  }

  @Operation
  public boolean putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cacheLogging().putIfAbsent(key, value);
  }

  @Operation
  public boolean replace(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cacheLogging().replace(key, value);
  }

  @Operation
  public boolean replaceIfEquals(@Param(name = "key") int key, @Param(name = "value") int old,
      @Param(name = "value") int value) {
    return cacheLogging().replace(key, old, value);
  }

  @Operation
  public Integer getAndPut(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cacheLogging().getAndPut(key, value);
  }

  @Operation
  public Integer getAndReplace(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cacheLogging().getAndReplace(key, value);
  }

  @Operation
  public boolean remove(@Param(name = "key") int key) {
    return cacheLogging().remove(key);
  }

  @Operation
  public boolean removeIfEquals(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cacheLogging().remove(key, value);
  }

  @Operation
  public Integer getAndRemove(@Param(name = "key") int key) {
    return cacheLogging().getAndRemove(key);
  }

  /** An entry processor that adds one (from 0) and returns the value before. */
  @Operation
  public Integer increment(@Param(name = "key") int key) {
    return cacheLogging().invoke(key, (entry, arguments) -> {
      Integer before = entry.exists() ? entry.getValue() : null;
      entry.setValue(before == null ? 0 : before + 1);
      return before;
    });
  }

  /** Stress: real threads, many runs. */
  protected void stress(int iterations, int invocations) {
    new StressOptions().sequentialSpecification(SequentialModel.class).iterations(iterations)
        .invocationsPerIteration(invocations).threads(2).actorsPerThread(3).check(getClass());
  }

  /** Model checking: Lincheck explores the threads' interleavings itself. */
  protected void modelCheck(int iterations, int invocations) {
    new ModelCheckingOptions().sequentialSpecification(SequentialModel.class).iterations(iterations)
        .invocationsPerIteration(invocations).threads(2).actorsPerThread(3).check(getClass());
  }

  /** What each operation does, one at a time: a map. */
  public static final class SequentialModel {
    private final Map<Integer, Integer> map = new HashMap<>();

    public Integer get(int key) {
      return map.get(key);
    }

    public void put(int key, int value) {
      map.put(key, value);
    }

    public boolean putIfAbsent(int key, int value) {
      return map.putIfAbsent(key, value) == null;
    }

    public boolean replace(int key, int value) {
      return map.replace(key, value) != null;
    }

    public boolean replaceIfEquals(int key, int old, int value) {
      return map.replace(key, old, value);
    }

    public Integer getAndPut(int key, int value) {
      return map.put(key, value);
    }

    public Integer getAndReplace(int key, int value) {
      return map.replace(key, value);
    }

    public boolean remove(int key) {
      return map.remove(key) != null;
    }

    public boolean removeIfEquals(int key, int value) {
      return map.remove(key, value);
    }

    public Integer getAndRemove(int key) {
      return map.remove(key);
    }

    public Integer increment(int key) {
      Integer before = map.get(key);
      map.put(key, before == null ? 0 : before + 1);
      return before;
    }
  }
}
