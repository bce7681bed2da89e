package dev.larder.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * The unbounded in-process store's map: a hash table whose nodes are the entries themselves. In a
 * {@code ConcurrentHashMap} a hit reads the map's node and then the {@link StoreEntry} it holds, one
 * dependent load more than raw Caffeine's get: measured, a raw Caffeine holding the same wrapper ran
 * at 0.83× raw Caffeine. Here the node is the entry (40 bytes an entry, not 32 + 24).
 *
 * <p>The values are the table's own nodes: {@code put(key, entry)} keeps the entry's value and deadline
 * in a node of the key, and that node is what {@code get} returns (an in-process entry's identity is
 * its value and deadline: {@link StoreEntry#isSameWriteAs}), and the conditional {@code remove} and
 * {@code replace} compare so. A node may be copied when the table grows.
 *
 * <p>Reads take no lock: the table and each bin's chain are published with release writes, and a
 * node's key, value and deadline are final. A write to a key holds the lock of its stripe (one of
 * {@link #STRIPES}, chosen by the low bits of the hash, which every bin of a table at least that long
 * shares) and replaces the key's node rather than changing it, so a reader holds the old node or the
 * new, never half of each, and one still walking a chain reaches the nodes after the one replaced. The
 * table doubles under every stripe's lock, copying the nodes into new chains, so that a reader still
 * walking the old table finds what it held.
 */
final class EntryTable<K, V> extends AbstractMap<K, StoreEntry<V>> implements ConcurrentMap<K, StoreEntry<V>> {

  /** Locks of writes; a power of two. 64: two writers on different keys rarely wait on each other. */
  static final int STRIPES = 64;
  private static final int INITIAL_LENGTH = STRIPES * 2;
  /** The longest chain a bin holds; keys past it go to the overflow map. */
  static final int MAX_CHAIN = 8;
  private static final VarHandle BIN = MethodHandles.arrayElementVarHandle(Node[].class);

  /** An entry that is its own hash node. */
  static final class Node<K, V> extends StoreEntry<V> {
    final int hash;
    final K key;
    volatile Node<K, V> next;

    Node(int hash, K key, V value, long expiresAt, Node<K, V> next) {
      super(value, expiresAt);
      this.hash = hash;
      this.key = key;
      this.next = next;
    }
  }

  private final Object[] locks = new Object[STRIPES];
  /** Nodes per stripe, each guarded by its stripe's lock. */
  private final int[] counts = new int[STRIPES];
  private volatile Node<K, V>[] table = newTable(INITIAL_LENGTH);
  /** The keys that found their chain full; each written under its stripe's lock, as the chains. */
  private final ConcurrentHashMap<K, Node<K, V>> overflow = new ConcurrentHashMap<>();

  EntryTable() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  @SuppressWarnings("unchecked")
  private static <K, V> Node<K, V>[] newTable(int length) {
    return (Node<K, V>[]) new Node<?, ?>[length];
  }

  /** As {@code ConcurrentHashMap}: the high bits folded into the low ones, which pick bin and stripe. */
  private static int spread(int h) {
    return (h ^ (h >>> 16)) & 0x7fffffff;
  }

  @SuppressWarnings("unchecked")
  private static <K, V> Node<K, V> first(Node<K, V>[] tab, int index) {
    return (Node<K, V>) BIN.getAcquire(tab, index);
  }

  @Override
  public StoreEntry<V> get(Object key) {
    int hash = spread(key.hashCode());
    Node<K, V>[] tab = table;
    for (Node<K, V> node = first(tab, hash & (tab.length - 1)); node != null; node = node.next) {
      if (node.hash == hash && (node.key == key || key.equals(node.key))) {
        return node;
      }
    }
    return overflow.get(key); // an empty map when no chain ever filled: one null table read
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  /** Writes the entry whatever the key held; returns the node it held, or null. */
  @Override
  public StoreEntry<V> put(K key, StoreEntry<V> entry) {
    return write(key, null, entry.value(), entry.expiresAt()); // taken apart: the caller's entry need not exist
  }

  /** Returns the key's node afterwards, or null. */
  @Override
  public StoreEntry<V> compute(K key, BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping) {
    return write(key, remapping, null, StoreEntry.NEVER);
  }

  @Override
  public StoreEntry<V> computeIfPresent(K key,
      BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping) {
    return compute(key, (k, current) -> current == null ? null : remapping.apply(k, current));
  }

  @Override
  public StoreEntry<V> computeIfAbsent(K key,
      java.util.function.Function<? super K, ? extends StoreEntry<V>> mapping) {
    return compute(key, (k, current) -> current != null ? current : mapping.apply(k));
  }

  @Override
  public StoreEntry<V> putIfAbsent(K key, StoreEntry<V> entry) {
    Objects.requireNonNull(entry);
    List<StoreEntry<V>> previous = new ArrayList<>(1);
    compute(key, (k, current) -> {
      previous.add(current);
      return current != null ? current : entry;
    });
    return previous.get(0);
  }

  @Override
  public boolean remove(Object key, Object entry) {
    @SuppressWarnings("unchecked")
    K typed = (K) key;
    AtomicBoolean removed = new AtomicBoolean();
    compute(typed, (k, current) -> {
      removed.set(current != null && entry instanceof StoreEntry<?> read && current.isSameWriteAs(read));
      return removed.get() ? null : current;
    });
    return removed.get();
  }

  @Override
  public StoreEntry<V> remove(Object key) {
    @SuppressWarnings("unchecked")
    K typed = (K) key;
    List<StoreEntry<V>> previous = new ArrayList<>(1);
    compute(typed, (k, current) -> {
      previous.add(current);
      return null;
    });
    return previous.get(0);
  }

  @Override
  public boolean replace(K key, StoreEntry<V> expected, StoreEntry<V> entry) {
    Objects.requireNonNull(entry);
    AtomicBoolean replaced = new AtomicBoolean();
    compute(key, (k, current) -> {
      replaced.set(current != null && current.isSameWriteAs(expected));
      return replaced.get() ? entry : current;
    });
    return replaced.get();
  }

  @Override
  public StoreEntry<V> replace(K key, StoreEntry<V> entry) {
    Objects.requireNonNull(entry);
    List<StoreEntry<V>> previous = new ArrayList<>(1);
    compute(key, (k, current) -> {
      previous.add(current);
      return current == null ? null : entry;
    });
    return previous.get(0);
  }

  /**
   * The one write, under the key's stripe lock. With a {@code remapping}, what it returns for the key's
   * node (or null) replaces it (the same node leaves it, null removes it) and the key's node afterwards
   * is returned; without, {@code value} and {@code deadline} replace it (the blind put, which makes the
   * node and nothing else) and the node it replaced is returned.
   */
  private StoreEntry<V> write(K key, BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping,
      V value, long deadline) {
    int hash = spread(key.hashCode());
    int stripe = hash & (STRIPES - 1);
    Node<K, V> node;
    Node<K, V> result;
    boolean grow = false;
    synchronized (locks[stripe]) {
      Node<K, V>[] tab = table; // no resize while this stripe is held: a resize holds every stripe
      int index = hash & (tab.length - 1);
      Node<K, V> before = null;
      int length = 0;
      node = first(tab, index);
      while (node != null && !(node.hash == hash && (node.key == key || key.equals(node.key)))) {
        before = node;
        node = node.next;
        length++;
      }
      boolean overflowing = false;
      if (node == null && (node = overflow.get(key)) != null) {
        overflowing = true;
      }
      V newValue = value;
      long newDeadline = deadline;
      if (remapping != null) {
        StoreEntry<V> next = remapping.apply(key, node);
        if (next == node) {
          return node;
        }
        if (next == null) {
          if (overflowing) {
            overflow.remove(key);
          } else {
            link(tab, index, before, node.next);
            counts[stripe]--;
          }
          return null;
        }
        newValue = next.value();
        newDeadline = next.expiresAt();
      }
      Objects.requireNonNull(newValue);
      if (overflowing || (node == null && length >= MAX_CHAIN)) {
        // A full chain (keys whose hashes collide, by chance or by design): the key goes to a
        // ConcurrentHashMap, whose bins of comparable keys become trees, so no chain grows past MAX_CHAIN.
        result = new Node<>(hash, node == null ? key : node.key, newValue, newDeadline, null);
        overflow.put(result.key, result);
      } else if (node == null) {
        result = new Node<>(hash, key, newValue, newDeadline, first(tab, index));
        BIN.setRelease(tab, index, result); // a new key goes first in its bin
        grow = ++counts[stripe] > tab.length / STRIPES * 3 / 4;
      } else {
        result = new Node<>(hash, node.key, newValue, newDeadline, node.next);
        link(tab, index, before, result);
      }
    }
    if (grow) {
      grow();
    }
    return remapping == null ? node : result;
  }

  /** Makes {@code node} follow {@code before} (the bin's first node if none). */
  private static <K, V> void link(Node<K, V>[] tab, int index, Node<K, V> before, Node<K, V> node) {
    if (before == null) {
      BIN.setRelease(tab, index, node);
    } else {
      before.next = node;
    }
  }

  /** Doubles the table, under every stripe's lock. */
  private void grow() {
    Node<K, V>[] seen = table;
    holdAll(0, () -> {
      if (table != seen) {
        return; // another writer grew it meanwhile
      }
      Node<K, V>[] bigger = newTable(seen.length * 2);
      for (int i = 0; i < seen.length; i++) {
        for (Node<K, V> node = first(seen, i); node != null; node = node.next) {
          int index = node.hash & (bigger.length - 1);
          bigger[index] = new Node<>(node.hash, node.key, node.value(), node.expiresAt(), bigger[index]);
        }
      }
      table = bigger; // volatile: publishes the new chains
    });
  }

  /** Runs {@code task} holding the locks of stripes {@code from} and above, taken in order. */
  private void holdAll(int from, Runnable task) {
    if (from == STRIPES) {
      task.run();
      return;
    }
    synchronized (locks[from]) {
      holdAll(from + 1, task);
    }
  }

  @Override
  public void clear() {
    holdAll(0, () -> {
      java.util.Arrays.fill(counts, 0);
      table = newTable(INITIAL_LENGTH);
      overflow.clear();
    });
  }

  /** How many entries it holds; exact when no write is under way. */
  @Override
  public int size() {
    long sum = 0;
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      synchronized (locks[stripe]) {
        sum += counts[stripe];
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, sum + overflow.size());
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  /** Every entry, weakly consistent: the table as it was when the iteration began, bin by bin. */
  @Override
  public Set<Map.Entry<K, StoreEntry<V>>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<K, StoreEntry<V>>> iterator() {
        return new Entries();
      }

      @Override
      public int size() {
        return EntryTable.this.size();
      }
    };
  }

  private final class Entries implements Iterator<Map.Entry<K, StoreEntry<V>>> {
    private final Node<K, V>[] tab = table;
    private final Iterator<Node<K, V>> overflowing = overflow.values().iterator();
    private int index;
    private Node<K, V> next;
    private Node<K, V> last;

    Entries() {
      advance(null);
    }

    private void advance(Node<K, V> from) {
      Node<K, V> node = from == null ? null : from.next;
      while (node == null && index < tab.length) {
        node = first(tab, index++);
      }
      if (node == null && overflowing.hasNext()) {
        node = overflowing.next();
      }
      next = node;
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public Map.Entry<K, StoreEntry<V>> next() {
      Node<K, V> node = next;
      if (node == null) {
        throw new NoSuchElementException();
      }
      advance(node);
      last = node;
      return new AbstractMap.SimpleImmutableEntry<>(node.key, node);
    }

    @Override
    public void remove() {
      if (last == null) {
        throw new IllegalStateException();
      }
      EntryTable.this.remove(last.key, last);
      last = null;
    }
  }
}
