package dev.larder.store;

import java.util.Arrays;

/**
 * A miniature of a bounded table's W-TinyLFU: key hashes only, a fixed number of entries, its own window
 * size, run over a sample of the table's requests. {@link EvictionPolicy} runs two, one a step smaller
 * and one a step larger than the cache's window, over the same requests: which of them hits more says
 * which way the window should move, a paired comparison that a workload's phases (a scan, a shift)
 * cannot fool, since both shadows live through the same phase (the idea of Waldspurger et al.,
 * "Cache Modeling and Optimization using Miniature Simulations", USENIX ATC 2017).
 *
 * <p>A model, not a copy: a hit moves its node at once (the table marks it and moves it later), two
 * keys with the same hash are one key, and admission asks the table's own sketch, which counted every
 * request. Nodes are array slots and the index an open-addressing table, so a request allocates nothing;
 * about 15 bytes an entry.
 * Not thread-safe: run under the bounded table's lock.
 */
final class ShadowCache {

  /** Nodes and index slots are numbered in shorts: a shadow is small by design. */
  static final int MAXIMUM_CAPACITY = 4_096;
  private static final int NONE = -1;
  private static final byte FREE = 0;
  private static final byte WINDOW = 1;
  private static final byte PROBATION = 2;
  private static final byte PROTECTED = 3;

  private final int capacity;
  private final EvictionPolicy.Admission admission;
  /** Per node: its key's hash, its neighbours in its segment, and which segment (FREE: unused). */
  private final int[] hashes;
  private final short[] previous;
  private final short[] next;
  private final byte[] segments;
  /** Node + 1 of each key, at its hash's slot or the next free one after it; 0 for an empty slot. */
  private final short[] index;
  private final int indexMask;
  /** Per segment (WINDOW, PROBATION, PROTECTED): least recent node, most recent node, size. */
  private final int[] heads = {NONE, NONE, NONE, NONE};
  private final int[] tails = {NONE, NONE, NONE, NONE};
  private final int[] sizes = new int[4];
  private int freeNodes = NONE;
  private int unusedNodes;
  private int windowMaximum;
  private int protectedMaximum;

  /** A shadow of {@code capacity} entries (at least 2), its window {@code windowMaximum} entries. */
  ShadowCache(int capacity, int windowMaximum, EvictionPolicy.Admission admission) {
    if (capacity < 2 || capacity > MAXIMUM_CAPACITY) {
      throw new IllegalArgumentException("a shadow cache holds 2 to " + MAXIMUM_CAPACITY + " entries: " + capacity);
    }
    this.capacity = capacity;
    this.admission = admission;
    int nodes = capacity + 1; // a newcomer joins before the policy drops one
    hashes = new int[nodes];
    previous = new short[nodes];
    next = new short[nodes];
    segments = new byte[nodes];
    index = new short[Integer.highestOneBit(nodes) << 2]; // at most half full
    indexMask = index.length - 1;
    resize(windowMaximum);
  }

  int capacity() {
    return capacity;
  }

  int windowMaximum() {
    return windowMaximum;
  }

  int size() {
    return sizes[WINDOW] + sizes[PROBATION] + sizes[PROTECTED];
  }

  boolean contains(int hash) {
    return find(hash) != NONE;
  }

  /** A request of the key with this hash: whether it hit; a miss admits it as the table would. */
  boolean access(int hash) {
    int node = find(hash);
    if (node == NONE) {
      insert(hash);
      evict();
      return false;
    }
    switch (segments[node]) {
      case WINDOW -> moveTo(node, WINDOW);
      case PROBATION -> {
        moveTo(node, PROTECTED);
        trimProtected();
      }
      default -> moveTo(node, PROTECTED);
    }
    return true;
  }

  /**
   * Sets the window to {@code windowMaximum} entries (within 1 and capacity - 1), the main space taking
   * the rest, as the table's policy resizes its own: a smaller main space gives its least recent entries
   * back to the window, whose overflow is then judged again.
   */
  void resize(int windowMaximum) {
    this.windowMaximum = Math.max(1, Math.min(capacity - 1, windowMaximum));
    this.protectedMaximum = (int) (EvictionPolicy.PROTECTED_SHARE * (capacity - this.windowMaximum));
    trimProtected();
    while (sizes[PROBATION] + sizes[PROTECTED] > capacity - this.windowMaximum && heads[PROBATION] != NONE) {
      moveTo(heads[PROBATION], WINDOW);
    }
    evict();
  }

  private void evict() {
    while (sizes[WINDOW] > windowMaximum) {
      int candidate = heads[WINDOW];
      moveTo(candidate, PROBATION);
      if (size() > capacity) {
        int victim = heads[PROBATION] != candidate ? heads[PROBATION] : heads[PROTECTED];
        if (victim == NONE) {
          remove(candidate);
        } else {
          remove(admission.admits(hashes[candidate], hashes[victim]) ? victim : candidate);
        }
      }
    }
    while (size() > capacity) {
      int victim = heads[PROBATION] != NONE ? heads[PROBATION]
          : heads[PROTECTED] != NONE ? heads[PROTECTED] : heads[WINDOW];
      remove(victim);
    }
  }

  private void trimProtected() {
    while (sizes[PROTECTED] > protectedMaximum) {
      moveTo(heads[PROTECTED], PROBATION);
    }
  }

  private void insert(int hash) {
    int node;
    if (freeNodes != NONE) {
      node = freeNodes;
      freeNodes = next[node];
    } else {
      node = unusedNodes++;
    }
    hashes[node] = hash;
    int slot = slotOf(hash);
    while (index[slot] != 0) {
      slot = (slot + 1) & indexMask;
    }
    index[slot] = (short) (node + 1);
    link(node, WINDOW);
  }

  private void remove(int node) {
    unlink(node);
    segments[node] = FREE;
    next[node] = (short) freeNodes;
    freeNodes = node;
    int slot = slotOf(hashes[node]);
    while (index[slot] != node + 1) {
      slot = (slot + 1) & indexMask;
    }
    // backward-shift deletion: each later entry of the run that may sit at the hole moves into it
    int hole = slot;
    for (int at = (hole + 1) & indexMask; index[at] != 0; at = (at + 1) & indexMask) {
      int home = slotOf(hashes[index[at] - 1]);
      if (((at - home) & indexMask) >= ((at - hole) & indexMask)) {
        index[hole] = index[at];
        hole = at;
      }
    }
    index[hole] = 0;
  }

  private int find(int hash) {
    for (int slot = slotOf(hash); index[slot] != 0; slot = (slot + 1) & indexMask) {
      int node = index[slot] - 1;
      if (hashes[node] == hash) {
        return node;
      }
    }
    return NONE;
  }

  /**
   * The slot a hash starts its search at, mixed again: the sample is chosen by the hash's bits, which
   * are then alike in every key here.
   */
  private int slotOf(int hash) {
    int mixed = hash * 0x9E3779B9;
    mixed ^= mixed >>> 16;
    mixed *= 0x85EBCA6B;
    return (mixed ^ (mixed >>> 13)) & indexMask;
  }

  private void moveTo(int node, byte segment) {
    unlink(node);
    link(node, segment);
  }

  private void link(int node, byte segment) {
    segments[node] = segment;
    previous[node] = (short) tails[segment];
    next[node] = NONE;
    if (tails[segment] == NONE) {
      heads[segment] = node;
    } else {
      next[tails[segment]] = (short) node;
    }
    tails[segment] = node;
    sizes[segment]++;
  }

  private void unlink(int node) {
    byte segment = segments[node];
    if (previous[node] == NONE) {
      heads[segment] = next[node];
    } else {
      next[previous[node]] = next[node];
    }
    if (next[node] == NONE) {
      tails[segment] = previous[node];
    } else {
      previous[next[node]] = previous[node];
    }
    sizes[segment]--;
  }

  @Override
  public String toString() {
    return "ShadowCache[capacity=" + capacity + ", window=" + windowMaximum + ", sizes="
        + Arrays.toString(Arrays.copyOfRange(sizes, 1, 4)) + "]";
  }
}
