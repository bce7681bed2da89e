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
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * The unbounded in-process store's map: a hash table whose nodes are the entries themselves. In a
 * {@code ConcurrentHashMap} a hit reads the map's node and then the {@link StoreEntry} it holds, one
 * dependent load more than raw Caffeine's get: measured, a raw Caffeine holding the same wrapper ran
 * at 0.83× raw Caffeine. Here the node is the entry (32 or 40 bytes an entry, not 32 + 24).
 *
 * <p>The values are the table's own nodes: {@code put(key, entry)} keeps the entry's value and deadline
 * in a node of the key, and that node is what {@code get} returns (an in-process entry's identity is
 * its value and deadline: {@link StoreEntry#isSameWriteAs}), and the conditional {@code remove} and
 * {@code replace} compare so. A node may be copied when the table grows.
 *
 * <p>Reads take no lock: the table and each bin's chain are published with release writes, and a
 * node's key, value and deadline are final. A write to a key holds the lock of its bins: one lock per
 * {@link #BINS_PER_LOCK} bins, chosen by the low bits of the hash, so the locks grow with the table and a
 * slow update (a loader, a writer or a processor runs inside one) holds up the dozen or two keys of its
 * lock, not a share of the cache. A write replaces the key's node rather than changing it, so a reader
 * holds the old node or the new, never half of each, and one still walking a chain reaches the nodes
 * after the one replaced.
 *
 * <p>The table doubles holding every lock, copying the nodes into new chains, so that a reader still
 * walking the old table finds what it held. It takes them with {@code tryLock} and gives up (to try
 * again some inserts later) if one is busy or held by its own thread: growth never waits, so it can
 * never deadlock with an update that, from inside, writes another key (a loader that caches a related
 * value). Such a nested write under the same lock is noticed, and the outer write finds its place again.
 */
final class EntryTable<K, V> extends AbstractMap<K, StoreEntry<V>> implements ConcurrentMap<K, StoreEntry<V>>,
    Store.Reader<K, V> {

  /**
   * Bins per lock, once the table is large (at least {@link #MIN_LOCKS} locks). 32: a lock (a
   * {@code ReentrantLock}, 56 bytes) then costs under 5 bytes an entry, and guards a dozen to two dozen
   * keys. At 8 it cost 18 bytes an entry (measured by {@code EntryFootprint}: 82 bytes in all, more than
   * the {@code ConcurrentHashMap} it replaced).
   */
  static final int BINS_PER_LOCK = 32;
  private static final int MIN_LOCKS = 16;
  private static final int INITIAL_LENGTH = 128;
  /** The longest chain a bin holds; keys past it go to the overflow map. */
  static final int MAX_CHAIN = 8;
  private static final VarHandle BIN = MethodHandles.arrayElementVarHandle(Node[].class);

  /** The lock of some bins, counting the writes made under it (to notice one nested in another). */
  static final class BinLock extends ReentrantLock {
    private static final long serialVersionUID = 1L; // Serializable as every ReentrantLock; never serialized
    int writes;
  }

  /**
   * An entry that is its own hash node. With an {@code Integer} key ({@link IntegerNode}) it is 32 bytes,
   * as a {@code ConcurrentHashMap}'s node; another key's ({@link KeyNode}) is 40. Why 32: a hit is a
   * wait for the node's cache line, and a 40-byte node spans two lines about half the time. Measured
   * ({@code ReadWriteBenchmark.get}, 1 thread, jars alternating, 6 rounds): one node class of 40 bytes
   * 21.8 ops/µs, these 32.7 (1.44×, 1.20–1.79×, 6 of 6 faster); with every object on its own line
   * ({@code -XX:ObjectAlignmentInBytes=64}) the 40-byte node already ran 1.11–1.24× raw Caffeine.
   */
  abstract static sealed class Node<K, V> extends StoreEntry<V> permits IntegerNode, KeyNode {
    final int hash;
    volatile Node<K, V> next;

    Node(int hash, V value, long expiresAt, Node<K, V> next) {
      super(value, expiresAt);
      this.hash = hash;
      this.next = next;
    }

    /** A node of the key: an {@link IntegerNode} for an {@code Integer}, a {@link KeyNode} otherwise. */
    static <K, V> Node<K, V> of(int hash, K key, V value, long expiresAt, Node<K, V> next) {
      return key instanceof Integer ? new IntegerNode<>(hash, value, expiresAt, next)
          : new KeyNode<>(hash, key, value, expiresAt, next);
    }

    /** Whether this node holds the key of this hash. */
    final boolean holds(int hash, Object key) {
      return this.hash == hash && holdsKeyOfItsHash(key);
    }

    /** Whether the key, whose hash is this node's, is this node's key. */
    abstract boolean holdsKeyOfItsHash(Object key);

    abstract K key();

    /** This node's key with another value, deadline and successor. */
    abstract Node<K, V> with(V value, long expiresAt, Node<K, V> next);
  }

  /**
   * The node of an {@code Integer} key, which keeps no key object: an {@code Integer}'s hash code is its
   * value and {@link #spread} is one-to-one (and its own inverse), so the hash is the key. Two
   * {@code Integer} keys of one hash are equal without a read of the key object, a load that misses the
   * CPU cache more often than not: in Larder's profile of a hit, {@code Integer.equals} on the node's key
   * was 23% of the samples, 36% with expiry and statistics on. cache2k does the same (its
   * {@code IntHeapCache}). The key handed out (iteration) is an equal {@code Integer}, not the same one.
   */
  static final class IntegerNode<K, V> extends Node<K, V> {
    IntegerNode(int hash, V value, long expiresAt, Node<K, V> next) {
      super(hash, value, expiresAt, next);
    }

    @Override
    boolean holdsKeyOfItsHash(Object key) {
      return key instanceof Integer;
    }

    @Override
    @SuppressWarnings("unchecked") // an IntegerNode is made only for an Integer key, so K is Integer
    K key() {
      return (K) Integer.valueOf(spread(hash));
    }

    @Override
    Node<K, V> with(V value, long expiresAt, Node<K, V> next) {
      return new IntegerNode<>(hash, value, expiresAt, next);
    }
  }

  /** The node of any other key, which it keeps. */
  static final class KeyNode<K, V> extends Node<K, V> {
    private final K key;

    KeyNode(int hash, K key, V value, long expiresAt, Node<K, V> next) {
      super(hash, value, expiresAt, next);
      this.key = key;
    }

    @Override
    boolean holdsKeyOfItsHash(Object key) {
      return this.key == key || key.equals(this.key);
    }

    @Override
    K key() {
      return key;
    }

    @Override
    Node<K, V> with(V value, long expiresAt, Node<K, V> next) {
      return new KeyNode<>(hash, key, value, expiresAt, next);
    }
  }

  /** Published before {@link #locks} when the table grows: a writer holding a current lock sees it. */
  private volatile Node<K, V>[] table = newTable(INITIAL_LENGTH);
  private volatile BinLock[] locks = newLocks(INITIAL_LENGTH);
  /** Nodes in the table's chains (not the overflow map's). */
  private final LongAdder count = new LongAdder();
  /** Growth given up (a lock was busy) is tried again only once the count has passed this. */
  private volatile long retryGrowthAt;
  /** The keys that found their chain full; each written under its bin's lock, as the chains. */
  private final ConcurrentHashMap<K, Node<K, V>> overflow = new ConcurrentHashMap<>();

  private static BinLock[] newLocks(int tableLength) {
    BinLock[] locks = new BinLock[Math.max(MIN_LOCKS, tableLength / BINS_PER_LOCK)];
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new BinLock();
    }
    return locks;
  }

  /** Which of the current locks guards the key (for tests of what a held lock holds up). */
  int lockIndex(Object key) {
    BinLock[] current = locks;
    return spread(key.hashCode()) & (current.length - 1);
  }

  /** The lock of the hash's bins, held; the table is the one it guards until it is released. */
  @SuppressWarnings("LockNotBeforeTry") // released by the caller's finally, or here when it is stale
  private BinLock lock(int hash) {
    while (true) {
      BinLock[] seen = locks;
      BinLock lock = seen[hash & (seen.length - 1)];
      lock.lock();
      if (locks == seen) {
        return lock;
      }
      lock.unlock(); // the table grew meanwhile: its bins have other locks now
    }
  }

  @SuppressWarnings("unchecked")
  private static <K, V> Node<K, V>[] newTable(int length) {
    return (Node<K, V>[]) new Node<?, ?>[length];
  }

  /**
   * As {@code ConcurrentHashMap}: the high bits folded into the low ones, which pick bin and lock. Unlike
   * its spread, no bit is masked off: this one is one-to-one, which {@link Node#holds} relies on.
   */
  private static int spread(int h) {
    return h ^ (h >>> 16);
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
      if (node.holds(hash, key)) {
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
    return heldBefore(key, current -> current != null ? current : entry);
  }

  /** Updates the key to what {@code next} makes of its node, and returns the node it held before. */
  private StoreEntry<V> heldBefore(K key, java.util.function.UnaryOperator<StoreEntry<V>> next) {
    List<StoreEntry<V>> previous = new ArrayList<>(1);
    compute(key, (k, current) -> {
      previous.add(current);
      return next.apply(current);
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
    return heldBefore(typed, current -> null);
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
    return heldBefore(key, current -> current == null ? null : entry);
  }

  /**
   * The one write, under the key's lock. With a {@code remapping}, what it returns for the key's node
   * (or null) replaces it (the same node leaves it, null removes it) and the key's node afterwards is
   * returned; without, {@code value} and {@code deadline} replace it (the blind put, which makes the
   * node and nothing else) and the node it replaced is returned.
   *
   * @throws IllegalStateException if the remapping wrote the very key it is updating
   */
  private StoreEntry<V> write(K key, BiFunction<? super K, ? super StoreEntry<V>, ? extends StoreEntry<V>> remapping,
      V value, long deadline) {
    int hash = spread(key.hashCode());
    BinLock lock = lock(hash);
    Node<K, V> node;
    Node<K, V> result;
    boolean inserted = false;
    try {
      // The table cannot grow while this lock is held: growth takes every lock, and gives up on one
      // held by its own thread.
      Node<K, V>[] tab = table;
      int index = hash & (tab.length - 1);
      Place<K, V> place = find(tab, index, hash, key);
      node = place.node;
      V newValue = value;
      long newDeadline = deadline;
      if (remapping != null) {
        int writesBefore = lock.writes;
        StoreEntry<V> next = remapping.apply(key, node);
        if (lock.writes != writesBefore) {
          // The remapping wrote other keys under this lock (its thread holds it): find the place again.
          place = find(tab, index, hash, key);
          if (place.node != node) {
            throw new IllegalStateException("Key " + key + " was written while its own update ran (recursive update)");
          }
        }
        if (next == node) {
          return node;
        }
        if (next == null) {
          lock.writes++;
          if (place.overflowing) {
            overflow.remove(key);
          } else {
            link(tab, index, place.before, node.next);
            count.decrement();
          }
          return null;
        }
        newValue = next.value();
        newDeadline = next.expiresAt();
      }
      Objects.requireNonNull(newValue);
      lock.writes++;
      if (place.overflowing || (node == null && place.length >= MAX_CHAIN)) {
        // A full chain (keys whose hashes collide, by chance or by design): the key goes to a
        // ConcurrentHashMap, whose bins of comparable keys become trees, so no chain grows past MAX_CHAIN.
        result = node == null ? Node.of(hash, key, newValue, newDeadline, null) : node.with(newValue, newDeadline, null);
        overflow.put(key, result);
      } else if (node == null) {
        result = Node.of(hash, key, newValue, newDeadline, first(tab, index));
        BIN.setRelease(tab, index, result); // a new key goes first in its bin
        count.increment();
        inserted = true;
      } else {
        result = node.with(newValue, newDeadline, node.next);
        link(tab, index, place.before, result);
      }
    } finally {
      lock.unlock();
    }
    if (inserted) {
      growIfFull();
    }
    return remapping == null ? node : result;
  }

  /** Where a key is: its node (or null), the node before it in the chain, the chain's length. */
  private record Place<K, V>(Node<K, V> node, Node<K, V> before, int length, boolean overflowing) {}

  private Place<K, V> find(Node<K, V>[] tab, int index, int hash, K key) {
    Node<K, V> before = null;
    int length = 0;
    Node<K, V> node = first(tab, index);
    while (node != null && !node.holds(hash, key)) {
      before = node;
      node = node.next;
      length++;
    }
    if (node == null) {
      Node<K, V> overflowing = overflow.get(key);
      if (overflowing != null) {
        return new Place<>(overflowing, null, length, true);
      }
    }
    return new Place<>(node, before, length, false);
  }

  /** Makes {@code node} follow {@code before} (the bin's first node if none). */
  private static <K, V> void link(Node<K, V>[] tab, int index, Node<K, V> before, Node<K, V> node) {
    if (before == null) {
      BIN.setRelease(tab, index, node);
    } else {
      before.next = node;
    }
  }

  /** Doubles the table once it holds more than three quarters of its length in chained nodes. */
  private void growIfFull() {
    Node<K, V>[] seen = table;
    long nodes = count.sum();
    if (nodes <= seen.length / 4 * 3L || nodes < retryGrowthAt) {
      return;
    }
    BinLock[] held = locks;
    int taken = 0;
    try {
      while (taken < held.length) {
        BinLock lock = held[taken];
        if (lock.isHeldByCurrentThread() || !lock.tryLock()) {
          // Busy, or held by this thread's own outer update (a nested write): never wait for it.
          retryGrowthAt = nodes + Math.max(MIN_LOCKS, seen.length / 16);
          return;
        }
        taken++;
      }
      if (table != seen || locks != held) {
        return; // another writer grew it meanwhile
      }
      Node<K, V>[] bigger = newTable(seen.length * 2);
      for (int i = 0; i < seen.length; i++) {
        for (Node<K, V> node = first(seen, i); node != null; node = node.next) {
          int index = node.hash & (bigger.length - 1);
          bigger[index] = node.with(node.value(), node.expiresAt(), bigger[index]);
        }
      }
      table = bigger; // first: a writer that takes one of the new locks finds the new table
      locks = newLocks(bigger.length);
    } finally {
      for (int i = 0; i < taken; i++) {
        held[i].unlock();
      }
    }
  }

  /** Empties each lock's bins in turn (not at one instant, as {@code ConcurrentHashMap.clear}). */
  @Override
  public void clear() {
    int next = 0;
    while (true) {
      BinLock[] seen = locks;
      if (next >= seen.length) {
        break;
      }
      BinLock lock = seen[next];
      lock.lock();
      try {
        if (locks != seen) {
          next = 0; // grown meanwhile: its bins have other locks; emptying again is harmless
          continue;
        }
        Node<K, V>[] tab = table;
        lock.writes++;
        for (int index = next; index < tab.length; index += seen.length) {
          int removed = 0;
          for (Node<K, V> node = first(tab, index); node != null; node = node.next) {
            removed++;
          }
          BIN.setRelease(tab, index, null);
          count.add(-removed);
        }
      } finally {
        lock.unlock();
      }
      next++;
    }
    overflow.clear();
  }

  /** How many entries it holds; exact when no write is under way. */
  @Override
  public int size() {
    return (int) Math.min(Integer.MAX_VALUE, count.sum() + overflow.size());
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
      return new AbstractMap.SimpleImmutableEntry<>(node.key(), node);
    }

    @Override
    public void remove() {
      if (last == null) {
        throw new IllegalStateException();
      }
      EntryTable.this.remove(last.key(), last);
      last = null;
    }
  }
}
