package dev.larder.store;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The in-process store's entries under a size or weight bound: a {@link ConcurrentHashMap} of nodes,
 * each holding its entry, and an {@link EvictionPolicy} (W-TinyLFU) that chooses which to drop.
 *
 * <p>Reads take no lock and store no reference: a hit marks its node {@link Node#accessed} and notes the
 * key's hash in a lossy {@link ReadBuffer} for the frequency sketch. A write changes the map under
 * its key's lock, queues its node and then only <em>tries</em> the policy's lock: whoever holds it
 * drains the queue (and the reads) into the policy and evicts down to the bound before letting go, so
 * the bound holds whenever no write is in flight, and no writer ever waits for the policy, even one
 * writing from inside another key's compute. The policy learns a node's state by looking the key up
 * again under its lock (is this node still the key's?), so writes of one key may reach it in any order.
 *
 * <p>Evicted entries are reported to the listener after the lock is released.
 */
final class BoundedTable<K, V> extends AbstractMap<K, StoreEntry<V>> implements ConcurrentMap<K, StoreEntry<V>> {

  /**
   * A key's node: its current entry, and the policy's bookkeeping (guarded by the policy's lock). 40
   * bytes with compressed pointers, as a weight fits an int (a larger one is taken as
   * {@code Integer.MAX_VALUE}, as Caffeine's weigher does).
   */
  static final class Node<K, V> {
    final K key;
    volatile StoreEntry<V> entry;
    volatile int weight;

    /**
     * Read since the policy last placed it: set by a hit (only if not set already, so that a hot node's
     * cache line is not written again and again), and acted on by the policy when the node reaches its
     * segment's least recent end, as a hit there. A plain field: a hit seen late costs the order a little, never
     * an entry.
     */
    boolean accessed;

    Node<K, V> previous;
    Node<K, V> next;
    byte queue;
    int policyWeight;

    Node(K key, StoreEntry<V> entry, int weight) {
      this.key = key;
      this.entry = entry;
      this.weight = weight;
    }
  }

  private final ConcurrentHashMap<K, Node<K, V>> data = new ConcurrentHashMap<>();
  private final EvictionPolicy<K, V> policy;
  /** Null for a size bound: every entry weighs 1. */
  private final StoreContext.Weigher<? super K, ? super V> weigher;
  private final StoreContext.StoreListener<K, V> listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Node<K, V>> writes = new ConcurrentLinkedQueue<>();
  private final ReadBuffer reads = new ReadBuffer();
  /** Nodes evicted under the lock, reported once it is released. */
  private List<Node<K, V>> evicted = new ArrayList<>();

  /**
   * @param maximum the bound: entries, or total weight when {@code weigher} is set
   * @param weigher weighs an entry; null for a bound on the number of entries
   */
  BoundedTable(long maximum, StoreContext.Weigher<? super K, ? super V> weigher, StoreContext.StoreListener<K, V> listener) {
    this(maximum, weigher, listener, true);
  }

  /** With {@code climbs} false the policy's window stays at 1% of the bound: for tests of the admission on its own. */
  BoundedTable(long maximum, StoreContext.Weigher<? super K, ? super V> weigher, StoreContext.StoreListener<K, V> listener,
      boolean climbs) {
    if (maximum < 0) {
      throw new IllegalArgumentException("maximum must not be negative: " + maximum);
    }
    this.policy = new EvictionPolicy<>(maximum, weigher != null, climbs);
    this.weigher = weigher;
    this.listener = listener;
  }

  @Override
  public StoreEntry<V> get(Object key) {
    Node<K, V> node = data.get(key);
    if (node == null) {
      return null;
    }
    if (!node.accessed) {
      node.accessed = true;
    }
    int hash = FrequencySketch.hash(key);
    if (!reads.offer(hash)) {
      maintain();
      reads.offer(hash); // dropped if another thread is draining: the buffer is lossy
    }
    return node.entry;
  }

  @Override
  public boolean containsKey(Object key) {
    return data.containsKey(key);
  }

  @Override
  public int size() {
    return data.size();
  }

  @Override
  public StoreEntry<V> compute(K key, BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping) {
    return update(key, remapping).result;
  }

  @Override
  public StoreEntry<V> computeIfPresent(K key, BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping) {
    return update(key, (k, current) -> current == null ? null : remapping.apply(k, current)).result;
  }

  @Override
  public StoreEntry<V> computeIfAbsent(K key, Function<? super K, ? extends StoreEntry<V>> mapping) {
    return update(key, (k, current) -> current != null ? current : mapping.apply(k)).result;
  }

  @Override
  public StoreEntry<V> merge(K key, StoreEntry<V> value, BiFunction<? super StoreEntry<V>, ? super StoreEntry<V>, ? extends StoreEntry<V>> merging) {
    java.util.Objects.requireNonNull(value);
    return update(key, (k, current) -> current == null ? value : merging.apply(current, value)).result;
  }

  @Override
  public StoreEntry<V> put(K key, StoreEntry<V> entry) {
    java.util.Objects.requireNonNull(entry);
    return update(key, (k, current) -> entry).previous;
  }

  @Override
  public StoreEntry<V> putIfAbsent(K key, StoreEntry<V> entry) {
    java.util.Objects.requireNonNull(entry);
    return update(key, (k, current) -> current == null ? entry : current).previous;
  }

  @Override
  public StoreEntry<V> replace(K key, StoreEntry<V> entry) {
    java.util.Objects.requireNonNull(entry);
    return update(key, (k, current) -> current == null ? null : entry).previous;
  }

  @Override
  public boolean replace(K key, StoreEntry<V> expected, StoreEntry<V> entry) {
    java.util.Objects.requireNonNull(entry);
    Update update = update(key, (k, current) -> current != null && current.equals(expected) ? entry : current);
    return update.previous != null && update.previous.equals(expected);
  }

  @Override
  @SuppressWarnings("unchecked")
  public StoreEntry<V> remove(Object key) {
    return update((K) key, (k, current) -> null).previous;
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean remove(Object key, Object expected) {
    Update update = update((K) key, (k, current) -> current != null && current.equals(expected) ? null : current);
    return update.previous != null && update.previous.equals(expected);
  }

  /** Removes every key one by one, so that the policy hears of each (no lock is held across the map). */
  @Override
  public void clear() {
    for (K key : data.keySet()) {
      remove(key);
    }
  }

  @Override
  public Set<Map.Entry<K, StoreEntry<V>>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<K, StoreEntry<V>>> iterator() {
        return new Entries();
      }

      @Override
      public int size() {
        return data.size();
      }
    };
  }

  /**
   * Evicts what the bound requires now, unless another thread is evicting (which then does it). Only tries
   * the lock, as writes do: a blocking wait, from inside another key's compute, could wait for a thread
   * that waits for that key's bin to evict from it.
   */
  void cleanUp() {
    maintain();
  }

  /** The policy's window bound now (for tests of the climber). */
  long windowMaximum() {
    return locked(policy::windowMaximum);
  }

  /** The policy's estimate of how often the key was asked for lately, with every read so far counted (for tests). */
  int frequency(K key) {
    return locked(() -> {
      reads.drain(policy::onRead); // the reads only: an eviction here would go unreported
      return policy.frequency(FrequencySketch.hash(key));
    });
  }

  /** The total weight of the entries the policy knows, which must be the table's once no write is in flight (for tests). */
  long policyWeight() {
    return locked(policy::totalWeight);
  }

  private <T> T locked(java.util.function.Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  private Update update(K key, BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping) {
    Update update = new Update(remapping);
    data.compute(key, update);
    if (update.written != null) {
      writes.add(update.written);
      maintain();
    }
    return update;
  }

  /**
   * Drains reads and writes into the policy and evicts, at least once if the lock is free, unless another
   * thread holds the lock (it will).
   */
  private void maintain() {
    while (lock.tryLock()) {
      List<Node<K, V>> dropped;
      try {
        dropped = drainLocked();
      } finally {
        lock.unlock();
      }
      report(dropped);
      if (writes.isEmpty()) {
        return;
      }
      // A write queued after the drain whose writer found the lock taken: take it for them.
    }
  }

  private List<Node<K, V>> drainLocked() {
    reads.drain(policy::onRead);
    Node<K, V> node;
    while ((node = writes.poll()) != null) {
      policy.onWrite(node, data.get(node.key) == node);
    }
    policy.evict(this::evictLocked);
    if (evicted.isEmpty()) {
      return List.of();
    }
    List<Node<K, V>> dropped = evicted;
    evicted = new ArrayList<>();
    return dropped;
  }

  private void evictLocked(Node<K, V> node) {
    if (data.remove(node.key, node)) {
      evicted.add(node);
    }
  }

  private void report(List<Node<K, V>> dropped) {
    for (Node<K, V> node : dropped) {
      listener.evicted(node.key, node.entry);
    }
  }

  private int weigh(K key, StoreEntry<V> entry) {
    return weigher == null ? 1 : (int) Math.min(Integer.MAX_VALUE, Math.max(0, weigher.weigh(key, entry.value())));
  }

  /** One write of one key, run by the map under the key's lock: what it found, made, and which node it wrote. */
  private final class Update implements BiFunction<K, Node<K, V>, Node<K, V>> {
    private final BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping;
    StoreEntry<V> previous;
    StoreEntry<V> result;
    Node<K, V> written;

    Update(BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping) {
      this.remapping = remapping;
    }

    @Override
    public Node<K, V> apply(K key, Node<K, V> node) {
      previous = node == null ? null : node.entry;
      StoreEntry<V> next = remapping.apply(key, previous);
      result = next;
      if (next == null) {
        written = node;
        return null;
      }
      if (next == previous) {
        return node;
      }
      int weight = weigh(key, next);
      if (node == null) {
        node = new Node<>(key, next, weight);
      } else {
        node.entry = next;
        node.weight = weight;
      }
      written = node;
      return node;
    }
  }

  /** The entries as they are while iterated; {@code remove} removes the entry returned if it is still there. */
  private final class Entries implements Iterator<Map.Entry<K, StoreEntry<V>>> {
    private final Iterator<Node<K, V>> nodes = data.values().iterator();
    private K lastKey;
    private StoreEntry<V> lastEntry;

    @Override
    public boolean hasNext() {
      return nodes.hasNext();
    }

    @Override
    public Map.Entry<K, StoreEntry<V>> next() {
      if (!nodes.hasNext()) {
        throw new NoSuchElementException();
      }
      Node<K, V> node = nodes.next();
      lastKey = node.key;
      lastEntry = node.entry;
      return new AbstractMap.SimpleImmutableEntry<>(lastKey, lastEntry);
    }

    @Override
    public void remove() {
      if (lastKey == null) {
        throw new IllegalStateException("next() first");
      }
      BoundedTable.this.remove(lastKey, lastEntry);
      lastKey = null;
    }
  }
}
