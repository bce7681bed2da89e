package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.expiry.TimeSource;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The "miss" policy around a store whose keys on one "server" fail: reads of them are misses, writes to
 * them are skipped, batches go key by key so the live keys still answer, and every failure is counted.
 * The store here is a map that throws for the keys it is told are down (the real outages, with
 * memcached processes killed and stopped, are in the memcached module's tests).
 */
class FailurePolicyStoreTest {

  private final PartlyDownStore store = new PartlyDownStore();
  private final FailurePolicyStore<String, String> policy = new FailurePolicyStore<>(store, "test");

  @Test
  void whileTheStoreAnswersEverythingPassesThrough() {
    policy.put("a", entry("1"));
    assertThat(policy.get("a").value()).isEqualTo("1");
    assertThat(policy.compute("a", (k, current) -> entry(current.value() + "2")).value()).isEqualTo("12");
    assertThat(policy.getAll(Set.of("a", "b"))).containsOnlyKeys("a");
    StoreEntry<String> read = policy.get("a");
    assertThat(policy.replaceIfSame("a", read, entry("3"))).isTrue();
    assertThat(policy.computeAll(Set.of("a", "b"), (k, current) -> entry(k))).hasSize(2);
    Store.Computed<String> computed = policy.getOrCompute("c", k -> entry("computed"), 0, 100);
    assertThat(computed.computedHere()).isTrue();
    assertThat(store.map).containsKey("c");
    assertThat(policy.failures()).isZero();
  }

  @Test
  void readsOfADownKeyAreMissesAndWritesToItAreSkippedAndCounted() {
    store.map.put("down", entry("kept"));
    store.down.add("down");
    assertThat(policy.get("down")).isNull();
    assertThat(policy.put("down", entry("new"))).isNull();
    assertThat(policy.compute("down", (k, current) -> entry("new"))).isNull();
    assertThat(policy.replaceIfSame("down", entry("kept"), entry("new"))).isFalse();
    assertThat(store.map.get("down").value()).as("nothing written").isEqualTo("kept");
    assertThat(policy.failures()).isEqualTo(4);
  }

  @Test
  void theReaderIsThePolicysOwnGet() {
    store.map.put("down", entry("kept"));
    store.down.add("down");
    assertThat(policy.reader().get("down")).as("a miss, not the store's failure").isNull();
    assertThat(policy.failures()).isEqualTo(1);
  }

  @Test
  void aBatchOverADownServerStillServesAndWritesTheLiveKeys() {
    store.map.put("live", entry("1"));
    store.map.put("down", entry("2"));
    store.down.add("down");
    assertThat(policy.getAll(Set.of("live", "down"))).containsOnlyKeys("live");
    Map<String, StoreEntry<String>> written = policy.computeAll(Set.of("live", "down"), (k, current) -> entry(k + "!"));
    assertThat(written.get("live").value()).isEqualTo("live!");
    assertThat(written).containsEntry("down", null);
    assertThat(written).hasSize(2);
    assertThat(store.map.get("live").value()).isEqualTo("live!");
    assertThat(store.map.get("down").value()).isEqualTo("2");
    // the failed batch, then the down key on its own, for each of the two batches
    assertThat(policy.failures()).isEqualTo(4);
  }

  @Test
  void aComputationWhileDownIsHandedToTheCallerAndNotKept() {
    store.down.add("k");
    Store.Computed<String> computed = policy.getOrCompute("k", k -> entry("computed"), 0, 100);
    assertThat(computed.entry().value()).isEqualTo("computed");
    assertThat(computed.computedHere()).isTrue();
    assertThat(computed.replaced()).isNull();
    assertThat(store.map).doesNotContainKey("k");
  }

  @Test
  void aListingThatFailsMidwayEndsThereAndTheRestAreMisses() {
    store.map.put("a", entry("1"));
    store.map.put("b", entry("2"));
    store.map.put("c", entry("3"));
    store.failListingAfter = 1;
    Iterator<Map.Entry<String, StoreEntry<String>>> entries = policy.entries();
    assertThat(entries.hasNext()).isTrue();
    assertThat(entries.next()).isNotNull();
    assertThat(entries.hasNext()).as("the store failed: the listing ends").isFalse();
    assertThat(entries.hasNext()).isFalse();
    assertThatThrownBy(entries::next).isInstanceOf(NoSuchElementException.class);
    assertThat(policy.failures()).isEqualTo(1);

    store.listingDown = true;
    assertThat(policy.entries().hasNext()).as("a store that cannot list at all lists nothing").isFalse();
    assertThat(policy.failures()).isEqualTo(2);
  }

  @Test
  void clearStillThrowsAndTheRestIsTheStoresOwn() {
    store.clearDown = true;
    assertThatThrownBy(policy::clear).isInstanceOf(StoreUnavailableException.class);
    assertThat(policy.unwrap(FailurePolicyStore.class)).isSameAs(policy);
    assertThat(policy.unwrap(PartlyDownStore.class)).isSameAs(store);
    assertThat(policy.time()).isSameAs(store.time);
    Runnable task = () -> { };
    assertThat(policy.carryCallerContext(task)).isSameAs(store.carried);
    policy.removedAllListed();
    assertThat(store.removedAllListed).isTrue();
    policy.close();
    assertThat(store.closed).isTrue();
    assertThat(policy.toString()).contains("PartlyDownStore");
  }

  private static StoreEntry<String> entry(String value) {
    return new StoreEntry<>(value, StoreEntry.NEVER);
  }

  /** A map that throws StoreUnavailableException for the keys marked down, as a dead server's do. */
  static final class PartlyDownStore implements Store<String, String> {
    final Map<String, StoreEntry<String>> map = new ConcurrentHashMap<>();
    final Set<String> down = ConcurrentHashMap.newKeySet();
    final TimeSource time = () -> 42;
    final Runnable carried = () -> { };
    int failListingAfter = -1;
    boolean listingDown;
    boolean clearDown;
    boolean removedAllListed;
    boolean closed;

    private void check(String key) {
      if (down.contains(key)) {
        throw new StoreUnavailableException("server of " + key + " down", null);
      }
    }

    @Override
    public StoreEntry<String> get(String key) {
      check(key);
      return map.get(key);
    }

    @Override
    public Map<String, StoreEntry<String>> getAll(Set<? extends String> keys) {
      return Store.getEach(this, keys);
    }

    @Override
    public StoreEntry<String> compute(String key, Remapping<String, String> remapping) {
      check(key);
      return map.compute(key, remapping::apply);
    }

    @Override
    public Iterator<Map.Entry<String, StoreEntry<String>>> entries() {
      if (listingDown) {
        throw new StoreUnavailableException("listing down", null);
      }
      Iterator<Map.Entry<String, StoreEntry<String>>> listed = List.copyOf(map.entrySet()).iterator();
      return new Iterator<>() {
        int returned;

        @Override
        public boolean hasNext() {
          if (failListingAfter >= 0 && returned >= failListingAfter) {
            throw new StoreUnavailableException("listing failed", null);
          }
          return listed.hasNext();
        }

        @Override
        public Map.Entry<String, StoreEntry<String>> next() {
          returned++;
          return listed.next();
        }
      };
    }

    @Override
    public void removedAllListed() {
      removedAllListed = true;
    }

    @Override
    public void clear() {
      if (clearDown) {
        throw new StoreUnavailableException("clear failed", null);
      }
      map.clear();
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public TimeSource time() {
      return time;
    }

    @Override
    public Runnable carryCallerContext(Runnable task) {
      return carried;
    }
  }
}
