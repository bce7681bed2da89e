package dev.larder.store;

/**
 * Which entry a bounded table drops: W-TinyLFU (Einziger, Friedman, Manes), as Caffeine runs it, with a
 * sketch and a window climber of Larder's own. New entries enter a small LRU window; an entry pushed out
 * of the window joins the main space (a segmented LRU: probation, then protected after a hit) only if its
 * estimated frequency ({@link FrequencySketch}) beats that of the main space's LRU entry, which is then
 * dropped in its place; otherwise the newcomer is dropped.
 *
 * <p><b>Hits are applied late.</b> A hit only marks its node ({@link BoundedTable.Node#accessed}) and
 * counts its key's hash for the sketch; the node moves when it reaches its segment's least recent end:
 * a marked node there gets another round (window, protected) or is promoted (probation), as a clock
 * does. Moving nodes on every hit, as Caffeine does, rewrote pointers between long-lived nodes, and G1's
 * card refinement of those writes and of the read buffer's references took 40% of a bounded get's
 * samples; with the window held at 1% the late moves give the same hit ratio (Zipf, capacity 1,000,
 * 46.52% against 46.51%).
 *
 * <p><b>The window climber.</b> The window starts at 1% of the bound. Every {@link #CLIMB_FACTOR} ×
 * capacity requests the climber compares the sample's hit rate with the previous sample's and steps the
 * window on if it rose, back if it fell, as Caffeine's does, but a step is scaled by how far the change
 * stands out of the sample's noise (a change of {@link #FULL_STEP_ERRORS} standard errors or more takes
 * the full step), and a large change does not restart the step (with scans, 10,000 never-repeated keys
 * every 50,000 accesses, the hit rate swings by 45 points at each scan, past Caffeine's 5% restart
 * threshold). Measured on the {@code HitRatio} traces, the mean over four Zipf seeds: at capacity 1,000,
 * 46.18% on Zipf and 36.51% with scans (Caffeine's rules with this sketch 45.12% and 35.55%; cache2k
 * 45.90% and 36.61%); at 10,000, 68.03% and 53.98% (Caffeine's rules 67.86% and 53.72%; cache2k 67.47%
 * and 52.55%). The climber still wanders on stationary traces: with the window held at 1% the same
 * cells are 46.48%, 36.95%, 68.15% and 54.07%, and a small change to any part of the policy moves them by
 * about 0.3 points either way. What it buys is a recency-heavy trace (each access within the last 0.9 ×
 * capacity of a stream of new keys; LRU 73%): 67.7% at 1,000 and 54.2% at 10,000, against 11.3% and
 * 14.2% with the window held (Caffeine's rules 70.4% and 55.5%). Its samples are {@link #CLIMB_FACTOR} ×
 * the bound (for a weight bound, × the entries the sketch is sized for), not the sketch's capacity, which
 * is 0 until a size-bounded cache is half full: sampled every 80 requests while the cache filled, the
 * climber took full steps on noise and left Zipf at 45.4%. The step decays by 2% a sample down to a
 * floor of 1% of the bound, so the window can still follow a workload that changes hours later. Tried and
 * dropped: ghost lists of recently rejected and evicted keys steering the window (ARC's signal), best on
 * the recency trace (72%) but the loop trace collapsed to 10-18%, since every rejected loop key comes back
 * one loop later; a dead zone for growth (stationary traces +0.7, the recency trace down to 24-51%).
 *
 * <p><b>Admission.</b> As in Caffeine, a warm candidate (estimate at least {@link #ADMIT_ANYWAY_FREQUENCY})
 * that loses is admitted anyway one time in 128, so that an attacker who inflates the victims' estimates
 * with colliding keys cannot stop the cache from admitting; here every 128th such loss rather than a
 * random one, so that the same trace always gives the same hit ratio (a random one moved the
 * {@code HitRatio} cells by up to 0.45 points between runs).
 *
 * <p>Weights: the bound, the window and the protected segment are in weight units (1 an entry for a size
 * bound). Not thread-safe: run under the bounded table's lock.
 */
final class EvictionPolicy<K, V> {

  /** Drops a node the policy chose (and already forgot) from the table, if it is still the key's node there. */
  interface Evictor<K, V> {
    void evict(BoundedTable.Node<K, V> node);
  }

  static final byte UNLINKED = 0;
  static final byte WINDOW = 1;
  static final byte PROBATION = 2;
  static final byte PROTECTED = 3;

  /** Requests a climber sample holds, as a multiple of the bound (of the sketch's entries under a weight bound). */
  static final int CLIMB_FACTOR = 5;
  static final double INITIAL_WINDOW = 0.01;
  static final double PROTECTED_SHARE = 0.8;
  /** The climber's first step, as a share of the bound. */
  static final double STEP = 0.0625;
  static final double STEP_DECAY = 0.98;
  static final double STEP_FLOOR = 0.01;
  /** Standard errors of a hit-rate change that earn a full step. */
  static final double FULL_STEP_ERRORS = 2;
  static final int ADMIT_ANYWAY_FREQUENCY = 6;
  private static final int ADMIT_ANYWAY_MASK = 127;

  private final long maximum;
  /** A weight bound says nothing of how many entries fit: the sketch grows with them past any bound. */
  private final boolean weighted;
  /** False only in tests of the admission on its own: the window stays at 1%. */
  private final boolean climbs;
  /** Under a size bound, the entries the sketch is made for and a climber sample is counted in. */
  private final long boundEntries;
  private final FrequencySketch sketch = new FrequencySketch();
  private final AccessOrder<K, V> window = new AccessOrder<>();
  private final AccessOrder<K, V> probation = new AccessOrder<>();
  private final AccessOrder<K, V> protectedSegment = new AccessOrder<>();
  private long windowMaximum;
  private long protectedMaximum;
  private long windowWeight;
  private long protectedWeight;
  private long totalWeight;
  private long entries;
  private long warmLosses;

  private long hitsInSample;
  private long missesInSample;
  private double previousHitRate;
  private double step;

  EvictionPolicy(long maximum, boolean weighted, boolean climbs) {
    this.maximum = maximum;
    this.weighted = weighted;
    this.climbs = climbs;
    this.boundEntries = Math.min(maximum, 1L << 26);
    this.windowMaximum = Math.max(maximum > 1 ? 1 : 0, (long) (maximum * INITIAL_WINDOW));
    this.protectedMaximum = (long) (PROTECTED_SHARE * (maximum - windowMaximum));
    this.step = -STEP * maximum;
  }

  /**
   * A hit of the key with this hash ({@link FrequencySketch#hash}): counted for the sketch and the
   * climber. Where the node stands in its segment the table has already noted on the node itself
   * ({@link BoundedTable.Node#accessed}), applied when the node reaches its segment's end.
   */
  void onRead(int hash) {
    sketch.increment(hash);
    hitsInSample++;
  }

  /**
   * A write of a node: {@code current} whether it is still the key's node in the table. A current node
   * the policy does not know yet is linked into the window; one it knows is reweighed and counts as
   * accessed; one no longer current is unlinked (the table removed it).
   */
  void onWrite(BoundedTable.Node<K, V> node, boolean current) {
    if (!current) {
      unlink(node);
      return;
    }
    sketch.increment(FrequencySketch.hash(node.key));
    int weight = node.weight;
    if (node.queue == UNLINKED) {
      missesInSample++;
      entries++;
      if (weighted ? entries > sketch.capacity() : entries >= maximum / 2 && sketch.capacity() < boundEntries) {
        // As Caffeine's, a size-bounded sketch is made when the cache is half full (nothing is evicted
        // before it is full), for the whole bound; under a weight bound it grows with the entries.
        sketch.ensureCapacity(weighted ? 2 * entries : boundEntries);
      }
      node.policyWeight = weight;
      node.accessed = false;
      totalWeight += weight;
      windowWeight += weight;
      node.queue = WINDOW;
      window.addLast(node);
    } else {
      long change = (long) weight - node.policyWeight;
      node.policyWeight = weight;
      totalWeight += change;
      if (node.queue == WINDOW) {
        windowWeight += change;
      } else if (node.queue == PROTECTED) {
        protectedWeight += change;
        trimProtected();
      }
      node.accessed = true;
    }
  }

  /** Drops entries until the total weight is within the bound; adapts the window first when a sample is complete. */
  void evict(Evictor<K, V> evictor) {
    climb();
    int secondChances = window.size();
    while (windowWeight > windowMaximum) {
      BoundedTable.Node<K, V> candidate = window.first();
      if (candidate.accessed && secondChances-- > 0) {
        candidate.accessed = false;
        window.remove(candidate);
        window.addLast(candidate);
        continue;
      }
      moveToProbation(candidate);
      if (totalWeight - windowWeight > maximum - windowMaximum) {
        BoundedTable.Node<K, V> victim = mainVictim(candidate);
        if (victim != null) {
          drop(admit(candidate, victim) ? victim : candidate, evictor);
        }
      }
    }
    BoundedTable.Node<K, V> victim;
    while (totalWeight > maximum && (victim = anyVictim()) != null) {
      drop(victim, evictor);
    }
  }

  /** The node is gone from the table (evicted, removed): forget it. */
  void unlink(BoundedTable.Node<K, V> node) {
    switch (node.queue) {
      case WINDOW -> {
        window.remove(node);
        windowWeight -= node.policyWeight;
      }
      case PROBATION -> probation.remove(node);
      case PROTECTED -> {
        protectedSegment.remove(node);
        protectedWeight -= node.policyWeight;
      }
      default -> {
        return;
      }
    }
    node.queue = UNLINKED;
    totalWeight -= node.policyWeight;
    entries--;
  }

  /** The total weight of the nodes the policy knows (their number, under a size bound). */
  long totalWeight() {
    return totalWeight;
  }

  long windowMaximum() {
    return windowMaximum;
  }

  int frequency(int hash) {
    return sketch.frequency(hash);
  }

  private void drop(BoundedTable.Node<K, V> node, Evictor<K, V> evictor) {
    unlink(node);
    evictor.evict(node);
  }

  /** A probation node hit since it got there: to the protected segment, whose overflow goes back to probation. */
  private void promote(BoundedTable.Node<K, V> node) {
    probation.remove(node);
    node.queue = PROTECTED;
    protectedSegment.addLast(node);
    protectedWeight += node.policyWeight;
    trimProtected();
  }

  /** Demotes the protected segment's least recent nodes until it fits, giving a hit node one more round first. */
  private void trimProtected() {
    int secondChances = protectedSegment.size();
    while (protectedWeight > protectedMaximum) {
      BoundedTable.Node<K, V> head = protectedSegment.first();
      if (head.accessed && secondChances-- > 0) {
        head.accessed = false;
        protectedSegment.remove(head);
        protectedSegment.addLast(head);
      } else {
        demote(head);
      }
    }
  }

  private void demote(BoundedTable.Node<K, V> node) {
    protectedSegment.remove(node);
    protectedWeight -= node.policyWeight;
    node.queue = PROBATION;
    probation.addLast(node);
  }

  private void moveToProbation(BoundedTable.Node<K, V> windowNode) {
    window.remove(windowNode);
    windowWeight -= windowNode.policyWeight;
    windowNode.queue = PROBATION;
    probation.addLast(windowNode);
  }

  /**
   * The main space's least recent node not hit since it got there, other than the candidate, probation
   * first; hit probation nodes met on the way are promoted (their hits, applied late).
   */
  private BoundedTable.Node<K, V> mainVictim(BoundedTable.Node<K, V> candidate) {
    int secondChances = probation.size();
    BoundedTable.Node<K, V> victim;
    while ((victim = probation.first()) != null && victim != candidate && victim.accessed && secondChances-- > 0) {
      victim.accessed = false;
      promote(victim);
    }
    victim = probation.first();
    return victim != null && victim != candidate ? victim : protectedSegment.first();
  }

  private BoundedTable.Node<K, V> anyVictim() {
    BoundedTable.Node<K, V> victim = probation.first();
    if (victim == null) {
      victim = protectedSegment.first();
    }
    return victim != null ? victim : window.first();
  }

  private boolean admit(BoundedTable.Node<K, V> candidate, BoundedTable.Node<K, V> victim) {
    if (candidate.policyWeight > maximum) {
      return false;
    }
    int candidateFrequency = sketch.frequency(FrequencySketch.hash(candidate.key));
    if (candidateFrequency > sketch.frequency(FrequencySketch.hash(victim.key))) {
      return true;
    }
    return candidateFrequency >= ADMIT_ANYWAY_FREQUENCY && (++warmLosses & ADMIT_ANYWAY_MASK) == 0;
  }

  private void climb() {
    long requests = hitsInSample + missesInSample;
    long sampleEntries = weighted ? sketch.capacity() : boundEntries;
    if (!climbs || maximum < 2 || requests < CLIMB_FACTOR * Math.max(sampleEntries, 16)) {
      return;
    }
    double hitRate = (double) hitsInSample / requests;
    double change = hitRate - previousHitRate;
    double direction = change >= 0 ? step : -step;
    double rate = Math.min(Math.max(hitRate, 1e-3), 1 - 1e-3);
    double standardError = Math.sqrt(2 * rate * (1 - rate) / requests);
    double amount = direction * Math.min(1, Math.abs(change) / (FULL_STEP_ERRORS * standardError));
    double floor = Math.max(1, STEP_FLOOR * maximum);
    step = Math.abs(STEP_DECAY * direction) < floor ? Math.copySign(floor, direction) : STEP_DECAY * direction;
    previousHitRate = hitRate;
    hitsInSample = 0;
    missesInSample = 0;
    resizeWindow((long) amount);
  }

  private void resizeWindow(long amount) {
    windowMaximum = Math.max(1, Math.min(maximum - 1, windowMaximum + amount));
    protectedMaximum = (long) (PROTECTED_SHARE * (maximum - windowMaximum));
    trimProtected();
    // A smaller main space: its LRU entries go back to the window, whose overflow is then judged again.
    BoundedTable.Node<K, V> node;
    while (totalWeight - windowWeight > maximum - windowMaximum && (node = probation.first()) != null) {
      probation.remove(node);
      node.queue = WINDOW;
      window.addLast(node);
      windowWeight += node.policyWeight;
    }
  }

  /** A doubly linked list of nodes, least recently used first. */
  static final class AccessOrder<K, V> {
    private BoundedTable.Node<K, V> head;
    private BoundedTable.Node<K, V> tail;
    private int size;

    BoundedTable.Node<K, V> first() {
      return head;
    }

    int size() {
      return size;
    }

    void addLast(BoundedTable.Node<K, V> node) {
      node.previous = tail;
      node.next = null;
      if (tail == null) {
        head = node;
      } else {
        tail.next = node;
      }
      tail = node;
      size++;
    }

    void remove(BoundedTable.Node<K, V> node) {
      if (node.previous == null) {
        head = node.next;
      } else {
        node.previous.next = node.next;
      }
      if (node.next == null) {
        tail = node.previous;
      } else {
        node.next.previous = node.previous;
      }
      node.previous = null;
      node.next = null;
      size--;
    }
  }
}
