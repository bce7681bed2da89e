package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The near tier on its own, over a map-backed remote store that counts its reads and can hold one read
 * back, with a fake ticker and a fake wall clock: staleness, deadlines, and that no read can put back a
 * value older than a write this JVM made.
 */
class NearCacheStoreTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicLong wallMillis = new AtomicLong(1_000_000L);
  private final MapStore remote = new MapStore();
  private final NearCacheStore<String, String> near = new NearCacheStore<>(remote, 100,
      TimeUnit.MILLISECONDS.toNanos(500), nanos::get, wallMillis::get);
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aNearEntryIsServedUntilItsStalenessBoundThenFetchedAgain() {
    remote.map.put("k", entry("v1"));
    assertThat(near.get("k").value()).isEqualTo("v1");
    assertThat(remote.reads.get()).isEqualTo(1);
    remote.map.put("k", entry("v2")); // another JVM's write: this one cannot know
    advanceMillis(499);
    assertThat(near.get("k").value()).as("within the bound: the near value").isEqualTo("v1");
    assertThat(remote.reads.get()).isEqualTo(1);
    advanceMillis(1);
    assertThat(near.get("k").value()).as("at the bound: fetched again").isEqualTo("v2");
    assertThat(remote.reads.get()).isEqualTo(2);
    assertThat(near.nearHits()).isEqualTo(1);
    assertThat(near.remoteReads()).isEqualTo(2);
  }

  @Test
  void theReaderIsTheNearTiersOwnGet() {
    remote.map.put("k", entry("v1"));
    Store.Reader<String, String> reader = near.reader();
    assertThat(reader.get("k").value()).isEqualTo("v1");
    remote.map.put("k", entry("v2"));
    assertThat(reader.get("k").value()).as("served near, within the bound").isEqualTo("v1");
    assertThat(remote.reads.get()).isEqualTo(1);
    assertThat(near.nearHits()).isEqualTo(1);
  }

  @Test
  void aNearEntryIsNeverServedPastItsOwnDeadline() {
    remote.map.put("k", new StoreEntry<>("v", wallMillis.get() + 100));
    assertThat(near.get("k").value()).isEqualTo("v");
    wallMillis.addAndGet(100);
    remote.map.remove("k"); // as memcached drops it
    assertThat(near.get("k")).as("expired: asked again, and gone").isNull();
    assertThat(remote.reads.get()).isEqualTo(2);
  }

  @Test
  void thisJvmsWritesAreSeenAtOnce() {
    remote.map.put("k", entry("v1"));
    near.get("k");
    near.put("k", entry("v2"));
    assertThat(near.get("k").value()).isEqualTo("v2");
    near.compute("k", (key, current) -> entry(current.value() + "+"));
    assertThat(near.get("k").value()).isEqualTo("v2+");
    near.compute("k", (key, current) -> null);
    assertThat(near.get("k")).isNull();
    near.computeAll(Set.of("a", "b"), (key, current) -> entry(key));
    assertThat(near.get("a").value()).isEqualTo("a");
    near.clear();
    assertThat(near.get("a")).isNull();
    assertThat(near.getOrCompute("c", key -> entry("computed"), 0, 1000).entry().value()).isEqualTo("computed");
    int reads = remote.reads.get();
    assertThat(near.get("c").value()).as("kept near after get-or-compute").isEqualTo("computed");
    assertThat(remote.reads.get()).isEqualTo(reads);
  }

  @Test
  void aReadThatRacedAWriteCannotPutBackTheOlderValue() throws Exception {
    remote.map.put("k", entry("old"));
    remote.holdNextRead();
    Future<StoreEntry<String>> slowRead = pool.submit(() -> near.get("k")); // fetches "old", then waits
    assertThat(remote.readHeld.await(5, TimeUnit.SECONDS)).isTrue();
    near.put("k", entry("new")); // this JVM's write, while the read is in flight
    remote.releaseRead();
    assertThat(slowRead.get(5, TimeUnit.SECONDS).value()).as("the read returns what it read").isEqualTo("old");
    assertThat(near.get("k").value()).as("but it did not put it near").isEqualTo("new");
  }

  @Test
  void overlappingWritesLeaveNothingNearForTheRemoteToOrder() throws Exception {
    remote.map.put("k", entry("v0"));
    remote.holdNextCompute();
    Future<StoreEntry<String>> slowWrite = pool.submit(() -> near.compute("k", (key, current) -> entry("slow")));
    assertThat(remote.computeHeld.await(5, TimeUnit.SECONDS)).isTrue();
    near.put("k", entry("fast")); // lands first at the remote store
    remote.releaseCompute(); // then "slow" lands: the remote holds "slow"
    slowWrite.get(5, TimeUnit.SECONDS);
    int reads = remote.reads.get();
    assertThat(near.get("k").value()).as("what the remote store holds").isEqualTo("slow");
    assertThat(remote.reads.get()).as("fetched, not served near").isEqualTo(reads + 1);
  }

  @Test
  void theBoundHoldsAsWritesReturn() {
    for (int i = 0; i < 1_000; i++) {
      near.put("k" + i, entry("v"));
    }
    assertThat(near.nearSize()).isLessThanOrEqualTo(100);
  }

  @Test
  void aBatchReadServesWhatIsNearAndFetchesOnlyTheRestWithoutKeepingIt() {
    remote.map.put("a", entry("1"));
    remote.map.put("b", entry("2"));
    near.get("a"); // near now
    int before = remote.reads.get();
    Map<String, StoreEntry<String>> found = near.getAll(Set.of("a", "b", "absent"));
    assertThat(found).containsOnlyKeys("a", "b");
    assertThat(found.get("b").value()).isEqualTo("2");
    assertThat(remote.reads.get() - before).as("b and absent only").isEqualTo(2);
    assertThat(near.nearHits()).isEqualTo(1);
    near.getAll(Set.of("b"));
    assertThat(remote.reads.get() - before).as("a batch read keeps nothing near").isEqualTo(3);
  }

  @Test
  void aComputationIsServedNearWhenFreshAndGoesToTheRemoteStoreWhenItsRefreshIsDue() {
    AtomicInteger computations = new AtomicInteger();
    java.util.function.Function<String, StoreEntry<String>> compute =
        key -> new StoreEntry<>("c" + computations.incrementAndGet(), wallMillis.get() + 1_000);
    Store.Computed<String> first = near.getOrCompute("k", compute, 0, 100);
    assertThat(first.computedHere()).isTrue();
    assertThat(first.entry().value()).isEqualTo("c1");
    assertThat(near.get("k").value()).as("this JVM's write is near at once").isEqualTo("c1");
    int reads = remote.reads.get();
    Store.Computed<String> fresh = near.getOrCompute("k", compute, 300, 100);
    assertThat(fresh.computedHere()).isFalse();
    assertThat(fresh.entry().value()).isEqualTo("c1");
    assertThat(remote.reads.get()).as("served near").isEqualTo(reads);
    wallMillis.addAndGet(800); // 200 ms left, inside the 300 ms window
    Store.Computed<String> refreshed = near.getOrCompute("k", compute, 300, 100);
    assertThat(refreshed.computedHere()).isTrue();
    assertThat(refreshed.entry().value()).isEqualTo("c2");
    assertThat(near.get("k").value()).isEqualTo("c2");
    assertThat(computations).hasValue(2);
  }

  @Test
  void clearingAndRemovingEverythingListedLeaveNothingNear() {
    remote.map.put("a", entry("1"));
    near.get("a");
    assertThat(near.nearSize()).isPositive();
    near.clear();
    assertThat(remote.map).isEmpty();
    remote.map.put("a", entry("2"));
    assertThat(near.get("a").value()).isEqualTo("2");
    remote.map.put("a", entry("3"));
    near.removedAllListed();
    assertThat(near.get("a").value()).as("dropped near, read again").isEqualTo("3");
    assertThat(near.maxStalenessMillis()).isEqualTo(500);
    assertThat(near.unwrap(NearCacheStore.class)).isSameAs(near);
    assertThat(near.entries()).toIterable().hasSize(1);
    near.close();
    assertThat(near.nearSize()).isZero();
  }

  private void advanceMillis(long millis) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private static StoreEntry<String> entry(String value) {
    return new StoreEntry<>(value, StoreEntry.NEVER);
  }

  /** A remote store in a map: atomic per key, counting its reads, able to hold one read or compute. */
  private static final class MapStore implements Store<String, String> {
    final Map<String, StoreEntry<String>> map = new ConcurrentHashMap<>();
    final AtomicInteger reads = new AtomicInteger();
    volatile CountDownLatch readHeld = new CountDownLatch(0);
    volatile CountDownLatch computeHeld = new CountDownLatch(0);
    private volatile CountDownLatch readRelease = new CountDownLatch(0);
    private volatile CountDownLatch computeRelease = new CountDownLatch(0);

    void holdNextRead() {
      readHeld = new CountDownLatch(1);
      readRelease = new CountDownLatch(1);
    }

    void releaseRead() {
      readRelease.countDown();
    }

    void holdNextCompute() {
      computeHeld = new CountDownLatch(1);
      computeRelease = new CountDownLatch(1);
    }

    void releaseCompute() {
      computeRelease.countDown();
    }

    @Override
    public StoreEntry<String> get(String key) {
      reads.incrementAndGet();
      StoreEntry<String> found = map.get(key);
      if (readHeld.getCount() > 0) {
        readHeld.countDown();
        await(readRelease);
      }
      return found;
    }

    @Override
    public Map<String, StoreEntry<String>> getAll(Set<? extends String> keys) {
      return Store.getEach(this, keys);
    }

    @Override
    public StoreEntry<String> compute(String key, Remapping<String, String> remapping) {
      StoreEntry<String> next = remapping.apply(key, map.get(key));
      if (computeHeld.getCount() > 0) {
        computeHeld.countDown();
        await(computeRelease);
      }
      if (next == null) {
        map.remove(key);
      } else {
        map.put(key, next);
      }
      return next;
    }

    @Override
    public Iterator<Map.Entry<String, StoreEntry<String>>> entries() {
      return map.entrySet().stream()
          .<Map.Entry<String, StoreEntry<String>>>map(e -> new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()))
          .toList().iterator();
    }

    @Override
    public void clear() {
      map.clear();
    }

    @Override
    public void close() {
    }

    private static void await(CountDownLatch latch) {
      try {
        if (!latch.await(5, TimeUnit.SECONDS)) {
          throw new IllegalStateException("not released within 5 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
