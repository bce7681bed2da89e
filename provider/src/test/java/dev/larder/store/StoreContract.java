package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} must do, whatever it keeps its entries in: each store's module runs these
 * tests on its store by extending this class ({@code InProcessStoreContractTest} here, the memcached and
 * App Engine modules theirs). The cache layer relies on nothing else of a store.
 */
public abstract class StoreContract {

  private final List<Store<?, ?>> stores = new ArrayList<>();

  /**
   * A new store of the named cache, empty: each call with another name gives another cache's store, with
   * the same name the same cache's (as a second JVM would open it, for remote stores).
   */
  protected abstract <K, V> Store<K, V> open(String cacheName, Class<K> keyType, Class<V> valueType);

  /** Whether two openings of one cache share its entries (remote stores: as two JVMs would). */
  protected abstract boolean shared();

  /**
   * Called after another opening of a cache wrote, before this one reads: a store that may serve a
   * bounded-stale copy (a near tier) lets its staleness bound pass here (on a fake ticker).
   */
  protected void letStalenessPass() {
  }

  /** Wraps work for another thread in what the store needs there (App Engine's environment). */
  protected Runnable onAnotherThread(Runnable task) {
    return task;
  }

  private Store<String, String> store(String name) {
    Store<String, String> store = open(name, String.class, String.class);
    stores.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    for (Store<?, ?> store : stores) {
      store.clear();
      store.close();
    }
  }

  private static StoreEntry<String> entry(String value) {
    return new StoreEntry<>(value, StoreEntry.NEVER);
  }

  @Test
  void anAbsentKeyHasNoEntry() {
    Store<String, String> store = store("absent");
    assertThat(store.get("nothing")).isNull();
    assertThat(store.getAll(Set.of("nothing", "none"))).isEmpty();
  }

  @Test
  void theReaderReadsWhatGetReads() {
    Store<String, String> store = store("reader");
    Store.Reader<String, String> reader = store.reader();
    assertThat(reader.get("k")).isNull();
    store.put("k", entry("v1"));
    assertThat(reader.get("k").value()).isEqualTo("v1");
    store.compute("k", (key, current) -> entry(current.value() + "+"));
    assertThat(reader.get("k").value()).as("handed out before the write, reads after it").isEqualTo("v1+");
    assertThat(reader.get("k").value()).isEqualTo(store.get("k").value());
    store.compute("k", (key, current) -> null);
    assertThat(reader.get("k")).isNull();
  }

  @Test
  void computeCreatesReplacesKeepsAndRemoves() {
    Store<String, String> store = store("compute");
    assertThat(store.compute("k", (key, current) -> {
      assertThat(current).isNull();
      return entry("one");
    }).value()).isEqualTo("one");
    assertThat(store.compute("k", (key, current) -> {
      assertThat(key).isEqualTo("k");
      assertThat(current.value()).isEqualTo("one");
      return entry("two");
    }).value()).isEqualTo("two");
    StoreEntry<String> kept = store.compute("k", (key, current) -> current);
    assertThat(kept.value()).isEqualTo("two");
    assertThat(store.get("k").value()).isEqualTo("two");
    assertThat(store.compute("k", (key, current) -> null)).isNull();
    assertThat(store.get("k")).isNull();
    assertThat(store.compute("k", (key, current) -> null)).as("removing the absent").isNull();
    assertThat(store.compute("k", (key, current) -> entry("again")).value()).isEqualTo("again");
  }

  @Test
  void putReturnsWhatTheKeyHeld() {
    Store<String, String> store = store("put");
    assertThat(store.put("k", entry("one"))).isNull();
    assertThat(store.put("k", entry("two")).value()).isEqualTo("one");
    assertThat(store.get("k").value()).isEqualTo("two");
  }

  @Test
  void theInstanceWrittenIsTheInstanceReadWhileTheEntryIsUnchanged() {
    // What a store-by-reference cache promises (the TCK's StoreByReferenceTest, on Dates), for each way
    // to write: a mutable value, which a caller can tell from an equal copy. (Short strings and numbers
    // may be read anew, equal: Serializer#readsCheaply.)
    Store<String, BitSet> store = open("identity", String.class, BitSet.class);
    stores.add(store);
    BitSet one = BitSet.valueOf(new long[] {1});
    BitSet two = BitSet.valueOf(new long[] {2});
    BitSet three = BitSet.valueOf(new long[] {3});
    store.put("k", new StoreEntry<>(one, StoreEntry.NEVER));
    assertThat(store.get("k").value()).isSameAs(one);
    assertThat(store.put("k", new StoreEntry<>(two, StoreEntry.NEVER)).value()).as("the previous value").isSameAs(one);
    assertThat(store.get("k").value()).as("over an existing entry").isSameAs(two);
    assertThat(store.getAll(Set.of("k")).get("k").value()).isSameAs(two);
    store.compute("k", (key, current) -> new StoreEntry<>(three, StoreEntry.NEVER));
    assertThat(store.get("k").value()).as("computed").isSameAs(three);
    BitSet four = BitSet.valueOf(new long[] {4});
    store.computeAll(Set.of("k", "other"), (key, current) -> new StoreEntry<>(four, StoreEntry.NEVER));
    assertThat(store.get("k").value()).as("computed in a batch").isSameAs(four);
    assertThat(store.get("other").value()).isSameAs(four);
  }

  @Test
  void anEntryOfAnImmutableValueReadAnewIsStillTheSameWrite() {
    // A remote store may read a short string anew (an equal instance, not the one written): the entry
    // read is still that write's, for this opening and for the near tier's own copy of it.
    Store<String, String> store = store("immutable");
    StoreEntry<String> written = entry(new String("one"));
    store.put("k", written);
    StoreEntry<String> read = store.get("k");
    assertThat(read.value()).isEqualTo("one");
    assertThat(read.isSameWriteAs(written)).as("read against written").isTrue();
    assertThat(written.isSameWriteAs(read)).as("written against read").isTrue();
    assertThat(store.replaceIfSame("k", written, entry("two"))).as("replaced over the write as written").isTrue();
    assertThat(store.get("k").value()).isEqualTo("two");
    assertThat(store.replaceIfSame("k", written, entry("three"))).as("not over the next write").isFalse();
  }

  @Test
  void deadlinesAreKeptToTheMillisecond() {
    Store<String, String> store = store("deadlines");
    long deadline = System.currentTimeMillis() + 123_457;
    store.put("k", new StoreEntry<>("v", deadline));
    assertThat(store.get("k").expiresAt()).isEqualTo(deadline);
    assertThat(store.getAll(Set.of("k")).get("k").expiresAt()).isEqualTo(deadline);
    store.compute("k", (key, current) -> current.withExpiresAt(deadline + 1));
    assertThat(store.get("k").expiresAt()).isEqualTo(deadline + 1);
  }

  @Test
  void anEntryPastItsDeadlineIsTheCachesToJudge() {
    Store<String, String> store = store("past");
    long deadline = System.currentTimeMillis() - 1;
    store.put("k", new StoreEntry<>("old", deadline));
    StoreEntry<String> read = store.get("k");
    if (read != null) { // a store may drop it by itself, but never change it
      assertThat(read.value()).isEqualTo("old");
      assertThat(read.expiresAt()).isEqualTo(deadline);
    }
  }

  @Test
  void replaceIfSameAppliesOnlyOverTheWriteThatWasRead() {
    Store<String, String> store = store("replaceIfSame");
    store.put("k", entry("one"));
    StoreEntry<String> first = store.get("k");
    long deadline = System.currentTimeMillis() + 60_000;
    assertThat(store.replaceIfSame("k", first, new StoreEntry<>("two", deadline))).isTrue();
    StoreEntry<String> second = store.get("k");
    assertThat(second.value()).isEqualTo("two");
    assertThat(second.expiresAt()).isEqualTo(deadline);
    assertThat(store.replaceIfSame("k", first, entry("three"))).as("that write was replaced").isFalse();
    assertThat(store.replaceIfSame("k", first, null)).as("nor removed").isFalse();
    assertThat(store.get("k").value()).isEqualTo("two");
    assertThat(store.replaceIfSame("k", second, null)).isTrue();
    assertThat(store.get("k")).isNull();
    assertThat(store.replaceIfSame("k", second, entry("four"))).as("gone").isFalse();
    assertThat(store.get("k")).isNull();
  }

  @Test
  void anEntryReadAgainWithoutAWriteBetweenIsTheSameWriteAndNotAfterOne() {
    Store<String, String> store = store("versions");
    store.put("k", entry("one"));
    StoreEntry<String> first = store.get("k");
    assertThat(store.get("k").isSameWriteAs(first)).isTrue();
    assertThat(store.getAll(Set.of("k")).get("k").isSameWriteAs(first)).isTrue();
    store.put("k", entry("two"));
    assertThat(store.get("k").isSameWriteAs(first)).isFalse();
    StoreEntry<String> second = store.get("k");
    store.compute("k", (key, current) -> current.withExpiresAt(System.currentTimeMillis() + 60_000));
    assertThat(store.get("k").isSameWriteAs(second)).as("the same value, written again").isFalse();
  }

  @Test
  void getAllAndComputeAllAnswerForEachKey() {
    Store<String, String> store = store("batches");
    Set<String> keys = new LinkedHashSet<>();
    for (int i = 0; i < 150; i++) {
      keys.add("k" + i);
    }
    Map<String, StoreEntry<String>> created = store.computeAll(keys, (key, current) -> {
      assertThat(current).isNull();
      return entry("v-" + key);
    });
    assertThat(created).hasSize(150);
    created.forEach((key, entry) -> assertThat(entry.value()).isEqualTo("v-" + key));
    Set<String> some = new LinkedHashSet<>(List.of("k1", "k2", "missing"));
    Map<String, StoreEntry<String>> found = store.getAll(some);
    assertThat(found.keySet()).containsExactlyInAnyOrder("k1", "k2");
    Map<String, StoreEntry<String>> mixed = store.computeAll(some, (key, current) -> switch (key) {
      case "k1" -> null; // removed
      case "k2" -> current; // kept
      default -> null; // absent and left absent
    });
    assertThat(mixed).containsOnlyKeys("k1", "k2", "missing");
    assertThat(mixed.get("k1")).isNull();
    assertThat(mixed.get("k2").value()).isEqualTo("v-k2");
    assertThat(mixed.get("missing")).isNull();
    assertThat(store.get("k1")).isNull();
    assertThat(store.get("k2").value()).isEqualTo("v-k2");
  }

  @Test
  void entriesListEachEntryOnceAndClearEmptiesOnlyThisCache() {
    Store<String, String> store = store("listed");
    Store<String, String> other = store("unlisted");
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 250; i++) {
      store.put("k" + i, entry("v" + i));
      expected.put("k" + i, "v" + i);
    }
    store.compute("k7", (key, current) -> null);
    expected.remove("k7");
    other.put("elsewhere", entry("kept"));
    Map<String, String> listed = new HashMap<>();
    for (Iterator<Map.Entry<String, StoreEntry<String>>> it = store.entries(); it.hasNext(); ) {
      Map.Entry<String, StoreEntry<String>> entry = it.next();
      assertThat(listed.put(entry.getKey(), entry.getValue().value())).as("once: " + entry.getKey()).isNull();
    }
    assertThat(listed).isEqualTo(expected);
    store.clear();
    assertThat(store.get("k1")).isNull();
    assertThat(store.entries().hasNext()).isFalse();
    assertThat(other.get("elsewhere").value()).isEqualTo("kept");
    store.put("k1", entry("after"));
    assertThat(store.get("k1").value()).isEqualTo("after");
  }

  @Test
  void aSecondOpeningOfTheSameCacheSeesItsEntries() {
    Store<String, String> first = store("same");
    first.put("k", entry("v"));
    Store<String, String> second = open("same", String.class, String.class);
    try {
      StoreEntry<String> read = second.get("k");
      if (shared()) {
        assertThat(read.value()).isEqualTo("v");
        second.put("k", entry("w"));
        letStalenessPass();
        assertThat(first.get("k").value()).isEqualTo("w");
      } else {
        assertThat(read).as("each opening of an in-process store is its own").isNull();
      }
    } finally {
      second.close();
    }
  }

  @Test
  void getOrComputeComputesAnAbsentKeyOnceAndServesALiveOne() {
    Store<String, String> store = store("computed");
    AtomicInteger computations = new AtomicInteger();
    Store.Computed<String> first = store.getOrCompute("k", key -> {
      computations.incrementAndGet();
      return entry("made");
    }, 0, 1000);
    assertThat(first.computedHere()).isTrue();
    assertThat(first.entry().value()).isEqualTo("made");
    Store.Computed<String> second = store.getOrCompute("k", key -> {
      computations.incrementAndGet();
      return entry("again");
    }, 0, 1000);
    assertThat(second.computedHere()).isFalse();
    assertThat(second.entry().value()).isEqualTo("made");
    assertThat(computations).hasValue(1);
    assertThat(store.get("k").value()).isEqualTo("made");
  }

  @Test
  void concurrentComputesLoseNoUpdate() throws Exception {
    Store<String, Long> store = open("counters", String.class, Long.class);
    stores.add(store);
    int threads = 4;
    int increments = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(onAnotherThread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < increments; i++) {
            store.compute("hot", (key, current) ->
                new StoreEntry<>(current == null ? 1L : current.value() + 1, StoreEntry.NEVER));
          }
        })));
      }
      start.countDown();
      for (Future<?> each : done) {
        each.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(store.get("hot").value()).isEqualTo((long) threads * increments);
  }
}
