package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The unbounded in-process store's hash table, on its own: what the store and the TCK rely on. */
class EntryTableTest {

  @Test
  void holdsWhatWasWrittenAsItsOwnNodes() {
    EntryTable<String, String> table = new EntryTable<>();
    StoreEntry<String> written = new StoreEntry<>("v1", 100);
    assertThat(table.put("k", written)).isNull();
    StoreEntry<String> held = table.get("k");
    assertThat(held).isInstanceOf(EntryTable.Node.class);
    assertThat(held.value()).isSameAs("v1");
    assertThat(held.expiresAt()).isEqualTo(100);
    assertThat(held.isSameWriteAs(written)).isTrue();

    assertThat(table.put("k", new StoreEntry<>("v2", StoreEntry.NEVER))).as("the node it replaced").isSameAs(held);
    assertThat(table.get("k").value()).isEqualTo("v2");
    StoreEntry<String> now = table.get("k");
    assertThat(table.compute("k", (k, current) -> current)).as("the same node leaves it").isSameAs(now);
    assertThat(table.get("k")).isSameAs(now);
    assertThat(table.compute("k", (k, current) -> new StoreEntry<>(current.value() + "+", 5)).value()).isEqualTo("v2+");
    assertThat(table.compute("absent", (k, current) -> current)).isNull();
    assertThat(table.containsKey("absent")).isFalse();
    assertThat(table).hasSize(1);

    assertThat(table.replace("k", written, new StoreEntry<>("no", 1))).as("not that write any more").isFalse();
    assertThat(table.replace("k", table.get("k"), new StoreEntry<>("v3", 1))).isTrue();
    assertThat(table.putIfAbsent("k", new StoreEntry<>("no", 1)).value()).isEqualTo("v3");
    assertThat(table.putIfAbsent("j", new StoreEntry<>("j", 1))).isNull();
    assertThat(table.remove("j", new StoreEntry<>("j", 2))).as("another deadline").isFalse();
    assertThat(table.remove("j", new StoreEntry<>(new String("j"), 1)))
        .as("an equal immutable value and deadline: nothing tells the two writes apart").isTrue();
    EntryTable<String, java.util.BitSet> bits = new EntryTable<>();
    bits.put("b", new StoreEntry<>(java.util.BitSet.valueOf(new long[] {1}), 1));
    assertThat(bits.remove("b", new StoreEntry<>(java.util.BitSet.valueOf(new long[] {1}), 1)))
        .as("another write of an equal mutable value").isFalse();
    assertThat(bits.remove("b", bits.get("b"))).isTrue();
    assertThat(table.compute("k", (k, current) -> null)).isNull();
    assertThat(table.get("k")).isNull();
    assertThat(table).isEmpty();
  }

  /** A key of another class than {@code Integer} whose hash code is an {@code Integer}'s. */
  private record SameHashAsAnInteger(int value) {
    @Override
    public int hashCode() {
      return value;
    }
  }

  @Test
  void integerKeysAreMatchedByTheirHashOnlyWhenBothAreIntegers() {
    EntryTable<Object, String> table = new EntryTable<>();
    table.put(1, new StoreEntry<>("one", StoreEntry.NEVER));
    // 0x80008001 folds to 0x80000001, which differs from 1's folded hash in the top bit only.
    assertThat(table.get(0x80008001)).as("an Integer that is not 1").isNull();

    // New nodes go to the head of their chain: each order puts the other class's node in front once.
    table.put(new SameHashAsAnInteger(1007), new StoreEntry<>("record 1007", StoreEntry.NEVER));
    table.put(Integer.valueOf(1007), new StoreEntry<>("integer 1007", StoreEntry.NEVER));
    table.put(Integer.valueOf(2007), new StoreEntry<>("integer 2007", StoreEntry.NEVER));
    table.put(new SameHashAsAnInteger(2007), new StoreEntry<>("record 2007", StoreEntry.NEVER));

    Integer equalNotSame = Integer.valueOf(1007);
    assertThat(equalNotSame).as("a lookup key other than the one written").isNotSameAs(Integer.valueOf(1007));
    assertThat(table.get(equalNotSame).value()).isEqualTo("integer 1007");
    assertThat(table.get(Integer.valueOf(2007)).value()).isEqualTo("integer 2007");
    assertThat(table.get(new SameHashAsAnInteger(1007)).value()).isEqualTo("record 1007");
    assertThat(table.get(new SameHashAsAnInteger(2007)).value()).isEqualTo("record 2007");

    table.put(Integer.valueOf(2007), new StoreEntry<>("integer 2007 again", StoreEntry.NEVER));
    assertThat(table).as("an equal Integer replaces, it does not add").hasSize(5);
    assertThat(table.get(new SameHashAsAnInteger(2007)).value()).isEqualTo("record 2007");
  }

  @Test
  void anIntegerKeyIsKeptAsItsHashAndHandedOutEqual() {
    EntryTable<Integer, String> table = new EntryTable<>();
    List<Integer> extremes = List.of(Integer.MIN_VALUE, -70_000, -1, 0, 1, 127, 128, 65_535, 65_536, 0x12345678,
        Integer.MAX_VALUE);
    for (Integer key : extremes) {
      table.put(key, new StoreEntry<>("v" + key, StoreEntry.NEVER));
    }
    assertThat(table.get(128)).as("no key object kept: a 32-byte node").isInstanceOf(EntryTable.IntegerNode.class);
    assertThat(table.keySet()).containsExactlyInAnyOrderElementsOf(extremes);

    for (int i = 1_000; i < 20_000; i++) { // grows the table several times: each node copied as it was
      table.put(i, new StoreEntry<>("v" + i, StoreEntry.NEVER));
    }
    for (Integer key : extremes) {
      assertThat(table.get(Integer.valueOf(key)).value()).isEqualTo("v" + key);
    }
    Set<Integer> handedOut = new HashSet<>();
    for (Iterator<Map.Entry<Integer, StoreEntry<String>>> it = table.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, StoreEntry<String>> entry = it.next();
      assertThat(entry.getValue().value()).isEqualTo("v" + entry.getKey());
      handedOut.add(entry.getKey());
      if (entry.getKey() < 0) {
        it.remove();
      }
    }
    assertThat(handedOut).hasSize(extremes.size() + 19_000).containsAll(extremes);
    assertThat(table.get(Integer.MIN_VALUE)).as("removed through the iterator's key").isNull();
    assertThat(table.get(-1)).isNull();
    assertThat(table).hasSize(extremes.size() - 3 + 19_000);
  }

  @Test
  void theRestOfTheMapInterfaceGoesThroughTheSameWrite() {
    EntryTable<String, String> table = new EntryTable<>();
    assertThat(table.isEmpty()).isTrue();
    assertThat(table.computeIfAbsent("k", k -> new StoreEntry<>("made", 1)).value()).isEqualTo("made");
    assertThat(table.computeIfAbsent("k", k -> new StoreEntry<>("again", 1)).value()).as("present: kept").isEqualTo("made");
    assertThat(table.computeIfPresent("absent", (k, current) -> new StoreEntry<>("no", 1))).isNull();
    assertThat(table.containsKey("absent")).isFalse();
    assertThat(table.computeIfPresent("k", (k, current) -> new StoreEntry<>(current.value() + "!", 2)).value())
        .isEqualTo("made!");
    assertThat(table.replace("absent", new StoreEntry<>("no", 1))).isNull();
    assertThat(table.containsKey("absent")).isFalse();
    assertThat(table.replace("k", new StoreEntry<>("replaced", 3)).value()).as("what it held").isEqualTo("made!");
    assertThat(table.get("k").value()).isEqualTo("replaced");
    assertThat(table.isEmpty()).isFalse();
    assertThat(table.entrySet()).hasSize(1);
    Iterator<Map.Entry<String, StoreEntry<String>>> it = table.entrySet().iterator();
    assertThat(it.next().getKey()).isEqualTo("k");
    it.remove();
    assertThat(table.get("k")).isNull();
    assertThat(table.remove("k")).isNull();
    assertThat(table.isEmpty()).isTrue();
    table.put("a", new StoreEntry<>("1", 1));
    table.put("b", new StoreEntry<>("2", 1));
    table.clear();
    assertThat(table.size()).isZero();
    table.put("c", new StoreEntry<>("3", 1));
    assertThat(table.size()).as("counted from zero again after a clear").isEqualTo(1);
  }

  @Test
  void growsWithoutLosingOrRepeatingAKey() {
    EntryTable<Integer, Integer> table = new EntryTable<>();
    int keys = 100_000;
    for (int i = 0; i < keys; i++) {
      table.put(i, new StoreEntry<>(i, StoreEntry.NEVER));
    }
    assertThat(table).hasSize(keys);
    for (int i = 0; i < keys; i++) {
      assertThat(table.get(i).value()).isEqualTo(i);
    }
    Set<Integer> seen = new HashSet<>();
    for (Map.Entry<Integer, StoreEntry<Integer>> entry : table.entrySet()) {
      assertThat(seen.add(entry.getKey())).as("listed once: %s", entry.getKey()).isTrue();
      assertThat(entry.getValue().value()).isEqualTo(entry.getKey());
    }
    assertThat(seen).hasSize(keys);
    for (int i = 0; i < keys; i += 2) {
      table.remove(i);
    }
    assertThat(table).hasSize(keys / 2);
    assertThat(table.get(2)).isNull();
    assertThat(table.get(3).value()).isEqualTo(3);
    table.clear();
    assertThat(table).isEmpty();
    assertThat(table.get(3)).isNull();
  }

  /** A key whose hash is the same for all, as an attacker would choose them. */
  record Colliding(int id) implements Comparable<Colliding> {
    static final AtomicInteger EQUALS = new AtomicInteger();

    @Override
    public int hashCode() {
      return 42;
    }

    @Override
    public boolean equals(Object other) {
      EQUALS.incrementAndGet();
      return other instanceof Colliding colliding && colliding.id == id;
    }

    @Override
    public int compareTo(Colliding other) {
      return Integer.compare(id, other.id);
    }
  }

  @Test
  void keysWhoseHashesCollideCostNoLongChain() {
    EntryTable<Colliding, Integer> table = new EntryTable<>();
    int keys = 4_000;
    for (int i = 0; i < keys; i++) {
      table.put(new Colliding(i), new StoreEntry<>(i, StoreEntry.NEVER));
    }
    assertThat(table).hasSize(keys);
    Colliding.EQUALS.set(0);
    for (int i = 0; i < keys; i++) {
      assertThat(table.get(new Colliding(i)).value()).isEqualTo(i);
    }
    // A chain of 4,000 costs 2,000 comparisons a look-up on average; the chain holds at most
    // MAX_CHAIN, the overflow map's tree bin about log2(4,000) = 12.
    assertThat(Colliding.EQUALS.get() / keys).isLessThan(40);

    table.put(new Colliding(keys - 1), new StoreEntry<>(-1, 7));
    assertThat(table.get(new Colliding(keys - 1)).value()).as("rewritten where it is").isEqualTo(-1);
    assertThat(table).hasSize(keys);
    for (int i = 0; i < keys; i += 2) {
      assertThat(table.remove(new Colliding(i))).isNotNull();
    }
    assertThat(table).hasSize(keys / 2);
    List<Integer> listed = new ArrayList<>();
    for (Iterator<Map.Entry<Colliding, StoreEntry<Integer>>> it = table.entrySet().iterator(); it.hasNext(); ) {
      listed.add(it.next().getKey().id());
    }
    assertThat(listed).hasSize(keys / 2).doesNotHaveDuplicates().allMatch(id -> id % 2 == 1);
    table.clear();
    assertThat(table).isEmpty();
    assertThat(table.get(new Colliding(1))).isNull();
  }

  /**
   * A reader never misses a key written before it looked while the writer makes the table grow under
   * it (a resize that relinked the nodes in place would hide keys from a reader walking the old chains).
   */
  @Test
  void readersSeeEveryWrittenKeyWhileTheTableGrows() throws InterruptedException {
    EntryTable<Integer, Integer> table = new EntryTable<>();
    int keys = 1 << 20; // 14 doublings, the last ones copying half a million nodes each
    AtomicInteger published = new AtomicInteger(-1);
    AtomicReference<String> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      await(start);
      for (int i = 0; i < keys && failure.get() == null; i++) {
        table.put(scattered(i), new StoreEntry<>(i, StoreEntry.NEVER));
        published.set(i);
      }
    });
    Thread reader = new Thread(() -> {
      await(start);
      java.util.SplittableRandom random = new java.util.SplittableRandom(7);
      int upTo;
      do {
        upTo = published.get();
        for (int read = 0; read < 1_000 && upTo >= 0 && failure.get() == null; read++) {
          int i = random.nextInt(upTo + 1);
          StoreEntry<Integer> entry = table.get(scattered(i));
          if (entry == null || entry.value() != i) {
            failure.set("key " + i + " written, then read as " + entry);
          }
        }
      } while (upTo < keys - 1 && failure.get() == null);
    });
    writer.start();
    reader.start();
    start.countDown();
    writer.join(TimeUnit.SECONDS.toMillis(60));
    reader.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(writer.isAlive() || reader.isAlive()).as("finished within a minute").isFalse();
    assertThat(failure.get()).isNull();
    assertThat(table).hasSize(keys);
  }

  @Test
  void concurrentUpdatesOfTheSameKeysLoseNone() throws InterruptedException {
    EntryTable<Integer, Integer> table = new EntryTable<>();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] incrementers = new Thread[2];
    for (int t = 0; t < incrementers.length; t++) {
      incrementers[t] = new Thread(() -> {
        await(start);
        for (int round = 0; round < 50_000; round++) {
          table.compute(round & 63,
              (k, current) -> new StoreEntry<>(current == null ? 1 : current.value() + 1, StoreEntry.NEVER));
        }
      });
      incrementers[t].start();
    }
    start.countDown();
    for (Thread incrementer : incrementers) {
      incrementer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(incrementer.isAlive()).as("finished within a minute").isFalse();
    }
    int sum = 0;
    for (int k = 0; k < 64; k++) {
      sum += table.get(k).value();
    }
    assertThat(sum).as("no increment lost").isEqualTo(2 * 50_000);
    assertThat(table).hasSize(64);
  }

  /**
   * An update whose remapping writes other keys (as a loader caching related values does) loses none of
   * them and none of its own, whether they share its lock or make the table grow under it; one that
   * writes its own key is refused, as ConcurrentHashMap refuses a recursive update.
   */
  @Test
  void writesNestedInAnUpdateAreKeptAndGrowthWaitsForTheOuterUpdate() {
    EntryTable<Integer, Integer> table = new EntryTable<>();
    int nested = 5_000; // past several doublings of the initial 128 bins
    table.put(-1, new StoreEntry<>(0, StoreEntry.NEVER)); // first in its bin: the nested writes go before it
    StoreEntry<Integer> outer = table.compute(-1, (key, current) -> {
      for (int i = 0; i < nested; i++) {
        table.put(scattered(i), new StoreEntry<>(i, StoreEntry.NEVER));
      }
      return new StoreEntry<>(-1, StoreEntry.NEVER);
    });
    assertThat(outer.value()).isEqualTo(-1);
    assertThat(table.get(-1).value()).isEqualTo(-1);
    for (int i = 0; i < nested; i++) {
      assertThat(table.get(scattered(i)).value()).isEqualTo(i);
    }
    assertThat(table).hasSize(nested + 1);
    table.put(1 << 30, new StoreEntry<>(0, StoreEntry.NEVER)); // grows now that no update holds a lock
    for (int i = 0; i < nested; i++) {
      assertThat(table.get(scattered(i)).value()).isEqualTo(i);
    }
    assertThatThrownBy(() -> table.compute(-1, (key, current) -> {
      table.put(-1, new StoreEntry<>(-2, StoreEntry.NEVER));
      return new StoreEntry<>(-3, StoreEntry.NEVER);
    })).isInstanceOf(IllegalStateException.class).hasMessageContaining("recursive update");
  }

  /**
   * A slow update (a loader running inside it) holds up only the keys of its lock, while writes of every
   * other key go on.
   */
  @Test
  void aSlowUpdateHoldsUpOnlyTheKeysOfItsLock() throws InterruptedException {
    EntryTable<Integer, Integer> table = new EntryTable<>();
    int keys = 20_000;
    for (int i = 0; i < keys; i++) {
      table.put(scattered(i), new StoreEntry<>(i, StoreEntry.NEVER));
    }
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread slow = new Thread(() -> table.compute(scattered(0), (key, current) -> {
      inside.countDown();
      await(release);
      return new StoreEntry<>(-1, StoreEntry.NEVER);
    }));
    slow.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    Set<Integer> skipped = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Thread writer = new Thread(() -> {
      for (int i = 1; i < 2 * keys; i++) {
        int key = scattered(i);
        if (table.lockIndex(key) == table.lockIndex(scattered(0))) {
          skipped.add(i); // would wait for the slow update: that is the lock's purpose
          continue;
        }
        table.put(key, new StoreEntry<>(i, StoreEntry.NEVER));
      }
    });
    writer.start();
    writer.join(TimeUnit.SECONDS.toMillis(30));
    boolean writerDone = !writer.isAlive();
    release.countDown();
    slow.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(writerDone).as("every key outside the slow update's lock written while it ran").isTrue();
    // 40,000 keys over 1,024 locks: about 40 share its lock (64 fixed stripes would be 625).
    assertThat(skipped).as("the keys that share its lock").hasSizeLessThan(2 * keys / 200);
    assertThat(slow.isAlive()).isFalse();
    assertThat(table.get(scattered(0)).value()).isEqualTo(-1);
    for (int i = 1; i < 2 * keys; i++) {
      if (!skipped.contains(i)) {
        assertThat(table.get(scattered(i)).value()).isEqualTo(i);
      }
    }
  }

  /** Distinct keys that share bins (consecutive integers would each have a bin of their own). */
  private static int scattered(int i) {
    return i * 0x9E3779B1;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
