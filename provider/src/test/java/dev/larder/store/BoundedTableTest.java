package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The bounded in-process table and its W-TinyLFU policy: the bound, what is evicted, and what is kept. */
class BoundedTableTest {

  /** Records every eviction the table reports, in order. */
  static final class Evictions implements StoreContext.StoreListener<Integer, String> {
    final List<Integer> keys = new ArrayList<>();
    final Map<Integer, String> values = new ConcurrentHashMap<>();

    @Override
    public void expired(Integer key, StoreEntry<String> entry) {
      throw new AssertionError("a bounded table expires nothing by itself");
    }

    @Override
    public synchronized void evicted(Integer key, StoreEntry<String> entry) {
      keys.add(key);
      values.put(key, entry.value());
    }
  }

  private static StoreEntry<String> entry(Object value) {
    return new StoreEntry<>(String.valueOf(value), StoreEntry.NEVER);
  }

  @Test
  void theBoundHoldsAndEveryEvictedEntryIsReportedOnce() {
    Evictions evictions = new Evictions();
    BoundedTable<Integer, String> table = new BoundedTable<>(100, null, evictions);
    for (int key = 0; key < 10_000; key++) {
      table.put(key, entry(key));
      assertThat(table.size()).as("no write in flight after a put returns").isLessThanOrEqualTo(100);
    }
    assertThat(table).hasSize(100);
    assertThat(table.policyWeight()).isEqualTo(100);
    assertThat(evictions.keys).hasSize(9_900).doesNotHaveDuplicates();
    Set<Integer> all = new HashSet<>(evictions.keys);
    all.addAll(table.keySet());
    assertThat(all).hasSize(10_000);
    evictions.values.forEach((key, value) -> assertThat(value).isEqualTo(String.valueOf(key)));
    table.forEach((key, held) -> assertThat(held.value()).isEqualTo(String.valueOf(key)));
  }

  @Test
  void aWeightBoundCountsWeightsReweighsUpdatesAndDropsWhatCannotFit() {
    Evictions evictions = new Evictions();
    BoundedTable<Integer, String> table = new BoundedTable<>(1_000, (key, value) -> value.length(), evictions);
    for (int key = 0; key < 20; key++) {
      table.put(key, entry("x".repeat(100)));
    }
    assertThat(totalLength(table)).isLessThanOrEqualTo(1_000).isGreaterThanOrEqualTo(900);
    assertThat(table.policyWeight()).isEqualTo(totalLength(table));

    Integer kept = table.keySet().iterator().next();
    table.put(kept, entry("y".repeat(600)));
    assertThat(totalLength(table)).as("an update is weighed again").isLessThanOrEqualTo(1_000);
    assertThat(table.policyWeight()).isEqualTo(totalLength(table));

    table.put(99, entry("z".repeat(1_001)));
    assertThat(table.get(99)).as("heavier than the bound: never kept").isNull();
    assertThat(evictions.keys).contains(99);
    assertThat(table).isNotEmpty();
    assertThat(table.policyWeight()).isEqualTo(totalLength(table));
  }

  @Test
  void frequentKeysSurviveAScanOfNewKeysThatLruWouldNotSurvive() {
    BoundedTable<Integer, String> table = new BoundedTable<>(100, null, new Evictions());
    for (int key = 0; key < 50; key++) {
      table.put(key, entry(key));
    }
    for (int round = 0; round < 10; round++) {
      for (int key = 0; key < 50; key++) {
        assertThat(table.get(key)).isNotNull();
      }
    }
    for (int key = 1_000; key < 11_000; key++) { // each asked once: get (a miss), then put
      assertThat(table.get(key)).isNull();
      table.put(key, entry(key));
    }
    long hotKept = java.util.stream.IntStream.range(0, 50).filter(table::containsKey).count();
    assertThat(hotKept).as("hot keys left after a scan 100 times the bound (LRU keeps none)").isGreaterThanOrEqualTo(45);
    assertThat(table).hasSize(100);
  }

  @Test
  void readsAloneAreCountedThoughNoWriteDrainsThem() {
    BoundedTable<Integer, String> table = new BoundedTable<>(40, null, new Evictions()); // half full: sketched
    for (int key = 0; key < 20; key++) {
      table.put(key, entry(key));
    }
    for (int round = 0; round < 10; round++) { // 200 reads, far more than a stripe of the read buffer holds
      for (int key = 0; key < 20; key++) {
        assertThat(table.get(key)).isNotNull();
      }
    }
    for (int key = 0; key < 20; key++) {
      // its 10 reads (the writes came before the sketch, made when the table was half full)
      assertThat(table.frequency(key)).as("key " + key).isGreaterThanOrEqualTo(10);
    }
  }

  /**
   * The admission on its own (the window held at 1%, so that the climber's path does not blur it): a fixed
   * Zipf(0.9) trace over 100,000 keys (an inverse-CDF approximation, seeded), capacity 1,000, "get; on a
   * miss, put". Measured 45.04%; the same with Caffeine's sketch (16 counters an entry, each raised on
   * every access, halved every 10 × capacity) 43.81%, and LRU 32.41%. Trace and policy are deterministic.
   */
  @Test
  void aZipfTraceHitsAsOftenAsMeasured() {
    BoundedTable<Integer, String> table = new BoundedTable<>(1_000, null, new Evictions(), false);
    Random random = new Random(11);
    double top = Math.pow(100_000, 0.1) - 1;
    long hits = 0;
    int accesses = 1_000_000;
    StoreEntry<String> value = entry("v");
    for (int i = 0; i < accesses; i++) {
      int key = (int) Math.pow(top * random.nextDouble() + 1, 10);
      if (table.get(key) != null) {
        hits++;
      } else {
        table.put(key, value);
      }
    }
    assertThat((double) hits / accesses).isGreaterThan(0.447);
    assertThat(table.windowMaximum()).as("held").isEqualTo(10);
  }

  /**
   * The climber against scans: the Zipf trace above with 10,000 never-repeated keys every 50,000
   * accesses, capacity 1,000. A hill climber that compares one sample's hit rate with the last takes each
   * scan for a verdict on its last step; the shadows see each scan together. Measured on this seed: the
   * window held at 1% 35.81%, climbing 35.80% with the window at 4 entries in the end (35.84% with every
   * key in the shadows' sample); the hill climber used before 32.72%, its window at 545.
   */
  @Test
  void scansDoNotMoveTheWindowOffItsBestSize() {
    double held = zipfWithScans(new BoundedTable<>(1_000, null, new Evictions(), false));
    BoundedTable<Integer, String> climbing = new BoundedTable<>(1_000, null, new Evictions());
    assertThat(zipfWithScans(climbing)).as("within 0.05 points of the window held").isGreaterThan(held - 0.0005);
    assertThat(climbing.windowMaximum()).as("of 1,000").isLessThan(30);
  }

  private static double zipfWithScans(BoundedTable<Integer, String> table) {
    Random random = new Random(11);
    double top = Math.pow(100_000, 0.1) - 1;
    long hits = 0;
    int accesses = 1_000_000;
    int scanned = 100_000;
    StoreEntry<String> value = entry("v");
    for (int i = 0; i < accesses; i++) {
      int zipf = (int) Math.pow(top * random.nextDouble() + 1, 10);
      if (getOrPut(table, i % 50_000 < 10_000 ? scanned++ : zipf, value)) {
        hits++;
      }
    }
    return (double) hits / accesses;
  }

  /** "get; on a miss, put": whether it hit. */
  private static boolean getOrPut(BoundedTable<Integer, String> table, int key, StoreEntry<String> value) {
    if (table.get(key) != null) {
      return true;
    }
    table.put(key, value);
    return false;
  }

  /** Access {@code i} of a recency-heavy trace: within the last 900 of a stream of new keys, the newest most often (LRU's case). */
  private static int recencyKey(int i, Random random) {
    int newest = i / 4;
    return newest - (int) Math.min(newest, 900 * Math.pow(random.nextDouble(), 3));
  }

  @Test
  void theWindowOpensUnderARecencyWorkloadAndStaysSmallUnderScans() {
    BoundedTable<Integer, String> recency = new BoundedTable<>(1_000, null, new Evictions());
    BoundedTable<Integer, String> scans = new BoundedTable<>(1_000, null, new Evictions());
    Random random = new Random(3);
    StoreEntry<String> value = entry("v");
    for (int i = 0; i < 300_000; i++) {
      getOrPut(recency, recencyKey(i, random), value);
      getOrPut(scans, i % 10 < 5 ? i : random.nextInt(200), value);
    }
    assertThat(recency.windowMaximum()).as("starts at 10 (1%%)").isGreaterThan(200);
    assertThat(scans.windowMaximum()).isLessThan(100);
    assertThat(scans.keySet().stream().filter(key -> key < 200).count()).as("the hot 200 kept through the scan").isGreaterThan(190);
  }

  @Test
  void underAWeightBoundTheWindowOpensForRecencyToo() {
    // each entry weighs 3: a bound of 3,000 holds 1,000, as above; the shadows count entries
    BoundedTable<Integer, String> recency = new BoundedTable<>(3_000, (key, value) -> 3, new Evictions());
    Random random = new Random(3);
    StoreEntry<String> value = entry("v");
    for (int i = 0; i < 300_000; i++) {
      getOrPut(recency, recencyKey(i, random), value);
    }
    assertThat(recency.windowMaximum()).as("starts at 30 (1%%), in weight").isGreaterThan(600);
    assertThat(recency.size()).isEqualTo(1_000);
  }

  @Test
  void concurrentWritersLeaveTheBoundAndThePolicyInAgreement() throws Exception {
    Evictions evictions = new Evictions();
    BoundedTable<Integer, String> table = new BoundedTable<>(500, null, evictions);
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        try {
          start.await(10, TimeUnit.SECONDS);
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < 100_000; i++) {
            int key = random.nextInt(5_000);
            int action = random.nextInt(10);
            if (action < 6) {
              StoreEntry<String> held = table.get(key);
              if (held != null && !held.value().equals(String.valueOf(key))) {
                throw new AssertionError("key " + key + " held " + held.value());
              }
            } else if (action < 9) {
              table.put(key, entry(key));
            } else {
              table.compute(key, (k, current) -> null);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "bounded-writer-" + t);
      worker.start();
      workers.add(worker);
    }
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(worker.isAlive()).as(worker.getName() + " finished").isFalse();
    }
    assertThat(failure.get()).isNull();
    assertThat(table.size()).as("with no write in flight").isLessThanOrEqualTo(500);
    assertThat(table.policyWeight()).as("the policy knows exactly the table's entries").isEqualTo(table.size());
    table.forEach((key, held) -> assertThat(held.value()).isEqualTo(String.valueOf(key)));
    evictions.values.forEach((key, value) -> assertThat(value).isEqualTo(String.valueOf(key)));
  }

  /** A key whose hash, asked once by the armed thread, waits until released: it holds that thread where it asks. */
  static final class GateKey {
    volatile Thread armedFor;
    final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    @Override
    public int hashCode() {
      if (Thread.currentThread() == armedFor) {
        armedFor = null;
        entered.countDown();
        try {
          if (!release.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return 42;
    }

    @Override
    public boolean equals(Object other) {
      return this == other;
    }
  }

  /**
   * A writer that finds another thread evicting leaves its write to that thread, which must take it up
   * after it lets go of the lock: once every writer has returned, the bound holds. Here the evicting thread
   * is held inside the eviction (the candidate's hash, asked under the lock after the queue was drained)
   * while another thread writes 20 keys.
   */
  @Test
  void writesQueuedWhileAnotherThreadEvictsAreAppliedBeforeItLetsGo() throws Exception {
    Map<Object, String> evicted = new ConcurrentHashMap<>();
    BoundedTable<Object, String> table = new BoundedTable<>(2, null, new StoreContext.StoreListener<>() {
      @Override
      public void expired(Object key, StoreEntry<String> entry) {
      }

      @Override
      public void evicted(Object key, StoreEntry<String> entry) {
        evicted.put(key, entry.value());
      }
    });
    GateKey gate = new GateKey();
    table.put("a", entry("a"));
    table.put("b", entry("b"));
    table.put(gate, entry("gate")); // the window's entry, the next candidate for the main space
    Thread evicting = new Thread(() -> {
      gate.armedFor = Thread.currentThread();
      table.put("c", entry("c"));
    }, "evicting");
    evicting.start();
    assertThat(gate.entered.await(10, TimeUnit.SECONDS)).as("the evicting thread asks the candidate's hash").isTrue();
    Thread writer = new Thread(() -> {
      for (int key = 0; key < 20; key++) {
        table.put("w" + key, entry(key));
      }
    }, "writer");
    writer.start();
    writer.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(writer.isAlive()).as("a writer never waits for the policy").isFalse();
    gate.release.countDown();
    evicting.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(evicting.isAlive()).isFalse();

    assertThat(table.size()).as("every writer has returned").isLessThanOrEqualTo(2);
    assertThat(table.policyWeight()).isEqualTo(table.size());
    assertThat(evicted.size() + table.size()).as("every key written is held or was reported evicted").isEqualTo(24);
  }

  @Test
  void clearAndIteratorRemovalReachThePolicy() {
    BoundedTable<Integer, String> table = new BoundedTable<>(10, null, new Evictions());
    for (int key = 0; key < 10; key++) {
      table.put(key, entry(key));
    }
    var iterator = table.entrySet().iterator();
    iterator.next();
    iterator.remove();
    assertThat(table).hasSize(9);
    assertThat(table.policyWeight()).isEqualTo(9);
    table.clear();
    assertThat(table).isEmpty();
    assertThat(table.policyWeight()).isZero();
    for (int key = 100; key < 120; key++) {
      table.put(key, entry(key));
    }
    assertThat(table).hasSize(10);
    assertThat(table.policyWeight()).isEqualTo(10);
  }

  private static long totalLength(Map<Integer, StoreEntry<String>> table) {
    return table.values().stream().mapToLong(held -> held.value().length()).sum();
  }
}
