package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Random sequences of JCache operations, with a random expiry policy and a fake clock, run against a
 * Larder cache and against {@link Model}, a small reference of the JCache rules written here: each
 * operation's result, the CREATED, UPDATED, REMOVED and EXPIRED events it fires, and the hits, misses, puts
 * and removals the statistics count, must agree, step by step.
 * Each store's module runs these on its store by extending this class; jqwik shrinks a failing
 * sequence to a short one, which then becomes a regular test.
 */
public abstract class JCacheModelProperties {

  private static final AtomicInteger CACHES = new AtomicInteger();

  private CacheManager manager;

  /** The store factory of this module's store, or null for the in-process default. */
  protected abstract dev.larder.store.StoreFactory storeFactory();

  /** What the store needs around a property (App Engine's local service). */
  protected void beforeEach() {
  }

  protected void afterEach() {
  }

  @BeforeProperty
  void openManager() {
    beforeEach();
    manager = new LarderCachingProvider().getCacheManager(URI.create("model:" + getClass().getSimpleName()),
        getClass().getClassLoader());
  }

  @AfterProperty
  void closeManager() {
    manager.close();
    afterEach();
  }

  // ---------------------------------------------------------------------------------------------
  // The operations

  /** One step of a sequence. */
  public sealed interface Op {
  }

  record Put(int key, int value) implements Op {}

  record Get(int key) implements Op {}

  record ContainsKey(int key) implements Op {}

  record Remove(int key) implements Op {}

  record RemoveValue(int key, int value) implements Op {}

  record PutIfAbsent(int key, int value) implements Op {}

  record Replace(int key, int value) implements Op {}

  record ReplaceValue(int key, int oldValue, int newValue) implements Op {}

  record GetAndPut(int key, int value) implements Op {}

  record GetAndRemove(int key) implements Op {}

  record GetAndReplace(int key, int value) implements Op {}

  record Increment(int key) implements Op {}

  record Advance(long millis) implements Op {}

  /** The standard policies, each with the same duration for what it sets. */
  enum Policy { ETERNAL, CREATED, MODIFIED, ACCESSED, TOUCHED }

  @Provide
  Arbitrary<List<Op>> sequences() {
    Arbitrary<Integer> keys = Arbitraries.integers().between(0, 2);
    Arbitrary<Integer> values = Arbitraries.integers().between(0, 2);
    Arbitrary<Op> op = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Combinators.combine(keys, values).as(Put::new)),
        net.jqwik.api.Tuple.of(4, keys.map(Get::new)),
        net.jqwik.api.Tuple.of(1, keys.map(ContainsKey::new)),
        net.jqwik.api.Tuple.of(2, keys.map(Remove::new)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(keys, values).as(RemoveValue::new)),
        net.jqwik.api.Tuple.of(2, Combinators.combine(keys, values).as(PutIfAbsent::new)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(keys, values).as(Replace::new)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(keys, values, values).as(ReplaceValue::new)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(keys, values).as(GetAndPut::new)),
        net.jqwik.api.Tuple.of(1, keys.map(GetAndRemove::new)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(keys, values).as(GetAndReplace::new)),
        net.jqwik.api.Tuple.of(1, keys.map(Increment::new)),
        net.jqwik.api.Tuple.of(3, Arbitraries.of(1L, 10L, 25L, 49L, 50L, 51L, 100L).map(Advance::new)));
    // sizes spread evenly up to 60 (jqwik favours short lists otherwise); shrinking may go down to one step
    return op.list().ofMinSize(1).ofMaxSize(60).withSizeDistribution(net.jqwik.api.RandomDistribution.uniform());
  }

  @Provide
  Arbitrary<Policy> policies() {
    return Arbitraries.of(Policy.class);
  }

  /** Larder and the model agree on every step. */
  @Property(tries = 300)
  void larderAgreesWithTheModel(@ForAll("sequences") List<Op> ops, @ForAll("policies") Policy policy) {
    FakeTime time = new FakeTime();
    long duration = 50;
    LarderConfiguration<Integer, Integer> configuration = new LarderConfiguration<Integer, Integer>().setTimeSource(time);
    if (storeFactory() != null) {
      configuration.setStoreFactory(storeFactory());
    }
    configuration.setTypes(Integer.class, Integer.class);
    configuration.setExpiryPolicyFactory(() -> policy(policy, duration));
    configuration.setStatisticsEnabled(true);
    List<String> events = new ArrayList<>();
    Recorder.sinks.put(Recorder.next.incrementAndGet(), events);
    configuration.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(new Recorder(Recorder.next.get())), null, true, true));
    String name = "model" + CACHES.incrementAndGet();
    Cache<Integer, Integer> cache = manager.createCache(name, configuration);
    Model model = new Model(policy, duration, time.millis());
    dev.larder.management.CacheStatistics statistics = cache.unwrap(StoreCache.class).statistics();
    try {
      for (int step = 0; step < ops.size(); step++) {
        Op op = ops.get(step);
        events.clear();
        Object expected = model.apply(op);
        Object actual = run(cache, op, time);
        String where = "step " + step + " of " + ops.subList(0, step + 1) + " under " + policy;
        assertThat(actual).as("result of " + where).isEqualTo(expected);
        assertThat(events).as("events of " + where).isEqualTo(model.events);
        assertThat(counts(statistics)).as("hits, misses, puts, removals after " + where)
            .isEqualTo(model.counts());
      }
    } finally {
      manager.destroyCache(name);
    }
  }

  /** Shrunk by jqwik from a run with the access update switched off: a hit must move the deadline. */
  @net.jqwik.api.Example
  void aHitUnderAccessExpiryMovesTheDeadline() {
    larderAgreesWithTheModel(List.of(new Put(0, 0), new Advance(1), new Get(0), new Advance(49), new Get(0)),
        Policy.ACCESSED);
  }

  /**
   * A putIfAbsent that finds the key counts a hit and no put; past the deadline it counts a miss and a
   * put (the TCK counts the first; the expired path is the model's rule for an expired entry).
   */
  @net.jqwik.api.Example
  void aPutIfAbsentThatFindsTheKeyCountsAHitAndNoPut() {
    larderAgreesWithTheModel(List.of(new Put(0, 0), new PutIfAbsent(0, 1), new Advance(50), new PutIfAbsent(0, 2)),
        Policy.CREATED);
  }

  private static List<Long> counts(dev.larder.management.CacheStatistics statistics) {
    return List.of(statistics.getCacheHits(), statistics.getCacheMisses(), statistics.getCachePuts(),
        statistics.getCacheRemovals(), statistics.getCacheGets(), statistics.getCacheEvictions());
  }

  private static Object run(Cache<Integer, Integer> cache, Op op, FakeTime time) {
    if (op instanceof Put put) {
      cache.put(put.key(), put.value());
      return null;
    } else if (op instanceof Get get) {
      return cache.get(get.key());
    } else if (op instanceof ContainsKey contains) {
      return cache.containsKey(contains.key());
    } else if (op instanceof Remove remove) {
      return cache.remove(remove.key());
    } else if (op instanceof RemoveValue remove) {
      return cache.remove(remove.key(), remove.value());
    } else if (op instanceof PutIfAbsent put) {
      return cache.putIfAbsent(put.key(), put.value());
    } else if (op instanceof Replace replace) {
      return cache.replace(replace.key(), replace.value());
    } else if (op instanceof ReplaceValue replace) {
      return cache.replace(replace.key(), replace.oldValue(), replace.newValue());
    } else if (op instanceof GetAndPut put) {
      return cache.getAndPut(put.key(), put.value());
    } else if (op instanceof GetAndRemove remove) {
      return cache.getAndRemove(remove.key());
    } else if (op instanceof GetAndReplace replace) {
      return cache.getAndReplace(replace.key(), replace.value());
    } else if (op instanceof Increment increment) {
      return cache.invoke(increment.key(), (entry, arguments) -> {
        entry.setValue(entry.exists() ? entry.getValue() + 1 : 0);
        return null;
      });
    } else if (op instanceof Advance advance) {
      time.advance(advance.millis());
      return null;
    }
    throw new IllegalArgumentException(op.toString());
  }

  static ExpiryPolicy policy(Policy policy, long millis) {
    Duration duration = new Duration(TimeUnit.MILLISECONDS, millis);
    return switch (policy) {
      case ETERNAL -> new EternalExpiryPolicy();
      case CREATED -> new CreatedExpiryPolicy(duration);
      case MODIFIED -> new ModifiedExpiryPolicy(duration);
      case ACCESSED -> new AccessedExpiryPolicy(duration);
      case TOUCHED -> new TouchedExpiryPolicy(duration);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The reference model

  /**
   * The JCache rules, for one cache: entries with deadlines; an entry is live while its deadline is
   * after now. A creation sets the policy's creation deadline; an update its update deadline (or keeps
   * the deadline where the policy says nothing: Created, Accessed, Eternal); an access (a hit, a failed
   * conditional replace or remove) its access deadline (Accessed, Touched). {@code putIfAbsent} on a
   * live key and {@code containsKey} consult no policy. An operation that finds an entry past its
   * deadline drops it with an EXPIRED event (its old value) and goes on as if the key were absent;
   * {@code containsKey} only looks.
   */
  static final class Model {
    private final Policy policy;
    private final long duration;
    private long now;
    private final Map<Integer, long[]> entries = new HashMap<>(); // key -> {value, deadline}
    final List<String> events = new ArrayList<>();
    /**
     * The statistics, as the TCK's CacheMBStatisticsBeanTest counts them: a read of the key (get, the
     * getAnd* operations, the conditional ones, an entry processor) is a hit or a miss; an expired entry
     * is a miss; every write a put, every removal of a live entry a removal; containsKey and an
     * unconditional remove count no hit or miss.
     */
    private long hits;
    private long misses;
    private long puts;
    private long removals;

    List<Long> counts() {
      return List.of(hits, misses, puts, removals, hits + misses, 0L);
    }

    /** The key's live value, read by the operation: a hit or a miss. */
    private Integer read(int key) {
      Integer value = live(key);
      if (value != null) {
        hits++;
      } else {
        misses++;
      }
      return value;
    }

    Model(Policy policy, long duration, long now) {
      this.policy = policy;
      this.duration = duration;
      this.now = now;
    }

    private Integer live(int key) {
      long[] entry = entries.get(key);
      if (entry != null && entry[1] <= now) {
        entries.remove(key);
        events.add("EXPIRED " + key + "=" + entry[0]);
        return null;
      }
      return entry != null ? (int) entry[0] : null;
    }

    private void create(int key, int value) {
      long deadline = policy == Policy.ETERNAL ? Long.MAX_VALUE : now + duration;
      entries.put(key, new long[] {value, deadline});
      events.add("CREATED " + key + "=" + value);
      puts++;
    }

    private void update(int key, int value) {
      long[] entry = entries.get(key);
      long deadline = policy == Policy.MODIFIED || policy == Policy.TOUCHED ? now + duration : entry[1];
      entries.put(key, new long[] {value, deadline});
      events.add("UPDATED " + key + "=" + value);
      puts++;
    }

    private void access(int key) {
      if (policy == Policy.ACCESSED || policy == Policy.TOUCHED) {
        entries.get(key)[1] = now + duration;
      }
    }

    private void remove(int key) {
      entries.remove(key);
      events.add("REMOVED " + key);
      removals++;
    }

    /** Applies the operation; returns what the cache must answer. */
    Object apply(Op op) {
      events.clear();
      if (op instanceof Put put) {
        if (live(put.key()) != null) {
          update(put.key(), put.value());
        } else {
          create(put.key(), put.value());
        }
        return null;
      } else if (op instanceof Get get) {
        Integer value = read(get.key());
        if (value != null) {
          access(get.key());
        }
        return value;
      } else if (op instanceof ContainsKey contains) {
        long[] entry = entries.get(contains.key()); // a look, as in the RI: an expired entry stays, no event
        return entry != null && entry[1] > now;
      } else if (op instanceof Remove remove) {
        if (live(remove.key()) == null) {
          return false;
        }
        remove(remove.key());
        return true;
      } else if (op instanceof RemoveValue remove) {
        Integer value = read(remove.key());
        if (value == null) {
          return false;
        }
        if (value != remove.value()) {
          access(remove.key());
          return false;
        }
        remove(remove.key());
        return true;
      } else if (op instanceof PutIfAbsent put) {
        if (read(put.key()) != null) {
          return false;
        }
        create(put.key(), put.value());
        return true;
      } else if (op instanceof Replace replace) {
        if (read(replace.key()) == null) {
          return false;
        }
        update(replace.key(), replace.value());
        return true;
      } else if (op instanceof ReplaceValue replace) {
        Integer value = read(replace.key());
        if (value == null) {
          return false;
        }
        if (value != replace.oldValue()) {
          access(replace.key());
          return false;
        }
        update(replace.key(), replace.newValue());
        return true;
      } else if (op instanceof GetAndPut put) {
        Integer old = read(put.key());
        if (old != null) {
          update(put.key(), put.value());
        } else {
          create(put.key(), put.value());
        }
        return old;
      } else if (op instanceof GetAndRemove remove) {
        Integer old = read(remove.key());
        if (old != null) {
          remove(remove.key());
        }
        return old;
      } else if (op instanceof GetAndReplace replace) {
        Integer old = read(replace.key());
        if (old != null) {
          update(replace.key(), replace.value());
        }
        return old;
      } else if (op instanceof Increment increment) {
        Integer value = read(increment.key());
        if (value != null) {
          update(increment.key(), value + 1);
        } else {
          create(increment.key(), 0);
        }
        return null;
      } else if (op instanceof Advance advance) {
        now += advance.millis();
        return null;
      }
      throw new IllegalArgumentException(op.toString());
    }
  }

  /** Records CREATED, UPDATED, REMOVED and EXPIRED events, synchronously, into the sink of its cache. */
  public static final class Recorder extends RecordingListener<Integer, Integer> {
    private static final long serialVersionUID = 1L;
    static final AtomicInteger next = new AtomicInteger();
    static final Map<Integer, List<String>> sinks = new java.util.concurrent.ConcurrentHashMap<>();
    private final int sink;

    Recorder(int sink) {
      this.sink = sink;
    }

    @Override
    protected void heard(CacheEntryEvent<? extends Integer, ? extends Integer> event) {
      sinks.get(sink).add(event.getEventType() + " " + event.getKey()
          + (event.getEventType() == EventType.REMOVED ? "" : "=" + event.getValue()));
    }
  }
}
