package dev.larder.store;

/**
 * Which entry a bounded table drops: W-TinyLFU (Einziger, Friedman, Manes), as Caffeine runs it, with a
 * sketch and a window climber of Larder's own. New entries enter a small LRU window; an entry pushed out
 * of the window joins the main space (a segmented LRU: probation, then protected after a hit) only if its
 * estimated frequency ({@link FrequencySketch}) beats that of the main space's LRU entry, which is then
 * dropped in its place; otherwise the newcomer is dropped.
 *
 * <p><b>The window climber.</b> The window starts at 1% of the bound. Every {@link #CLIMB_FACTOR} ×
 * capacity requests the climber compares the sample's hit rate with the previous sample's and steps the
 * window on if it rose, back if it fell, as Caffeine's does, with two differences, measured on the
 * {@code HitRatio} traces at capacity 1,000 with this sketch (in brackets, with Caffeine's rules):
 * <ul>
 *   <li>A step is scaled by how far the change stands out of the sample's noise: a change of
 *       {@link #FULL_STEP_ERRORS} standard errors or more takes the full step, a smaller one a part of it.
 *       On a stationary Zipf trace the sampled hit rate wanders by about one standard error (0.01), and
 *       a full step every time random-walks the window (Zipf 46.3% against 43.5%).</li>
 *   <li>A large change does not restart the step. With scans (10,000 never-repeated keys every 50,000
 *       accesses) the hit rate swings by 45 points at each scan, past Caffeine's 5% restart threshold
 *       (36.7% against 35.3%).</li>
 * </ul>
 * Some wandering is left: with the window held at 1% the same traces give 46.5% and 37.0%, and small
 * changes to the climber move them by about 0.3 points either way. The step decays by 2% a sample down
 * to a floor of 1% of the bound, so the window can still follow a workload that changes hours later. On
 * a recency-heavy trace (each access within the last 0.9 × capacity of a stream of new keys; LRU 73%)
 * the window opens up: 68% at capacity 1,000, 53% at 10,000 (Caffeine's rules 71% and 55%; the window
 * held at 1%, 12% and 14%). Tried and dropped: ghost lists of recently rejected and evicted keys steering
 * the window (ARC's signal), best on that trace (72%) but the loop trace collapsed to 10-18%, since
 * every rejected loop key comes back one loop later.
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

  /** Requests a climber sample holds, as a multiple of the sketch's capacity. */
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
  private final boolean weighted;
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

  EvictionPolicy(long maximum, boolean weighted) {
    this.maximum = maximum;
    this.weighted = weighted;
    this.windowMaximum = Math.max(maximum > 1 ? 1 : 0, (long) (maximum * INITIAL_WINDOW));
    this.protectedMaximum = (long) (PROTECTED_SHARE * (maximum - windowMaximum));
    this.step = -STEP * maximum;
    if (!weighted) {
      sketch.ensureCapacity(Math.min(maximum, 1L << 26));
    }
  }

  /** A read of a node the table held: an access, and a hit for the climber if the policy knows the node. */
  void onRead(BoundedTable.Node<K, V> node) {
    sketch.increment(node.key);
    if (node.queue != UNLINKED) {
      hitsInSample++;
      touch(node);
    }
  }

  /**
   * A write of a node: {@code current} whether it is still the key's node in the table. A current node
   * the policy does not know yet is linked into the window; one it knows is touched and reweighed; one
   * no longer current is unlinked (the table removed it).
   */
  void onWrite(BoundedTable.Node<K, V> node, boolean current) {
    if (!current) {
      unlink(node);
      return;
    }
    sketch.increment(node.key);
    long weight = node.weight;
    if (node.queue == UNLINKED) {
      missesInSample++;
      entries++;
      if (weighted && entries > sketch.capacity()) {
        sketch.ensureCapacity(2 * entries);
      }
      node.policyWeight = weight;
      totalWeight += weight;
      windowWeight += weight;
      node.queue = WINDOW;
      window.addLast(node);
    } else {
      long change = weight - node.policyWeight;
      node.policyWeight = weight;
      totalWeight += change;
      if (node.queue == WINDOW) {
        windowWeight += change;
      } else if (node.queue == PROTECTED) {
        protectedWeight += change;
      }
      touch(node);
    }
  }

  /** Drops entries until the total weight is within the bound; adapts the window first when a sample is complete. */
  void evict(Evictor<K, V> evictor) {
    climb();
    while (windowWeight > windowMaximum) {
      BoundedTable.Node<K, V> candidate = window.first();
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

  private void drop(BoundedTable.Node<K, V> node, Evictor<K, V> evictor) {
    unlink(node);
    evictor.evict(node);
  }

  private void touch(BoundedTable.Node<K, V> node) {
    if (node.queue == WINDOW) {
      window.moveToLast(node);
    } else if (node.queue == PROTECTED) {
      protectedSegment.moveToLast(node);
    } else if (node.queue == PROBATION) {
      probation.remove(node);
      node.queue = PROTECTED;
      protectedSegment.addLast(node);
      protectedWeight += node.policyWeight;
      while (protectedWeight > protectedMaximum && protectedSegment.first() != node) {
        demote(protectedSegment.first());
      }
    }
    // UNLINKED: its write, still queued, will link it
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

  /** The main space's LRU entry other than the candidate, probation first. */
  private BoundedTable.Node<K, V> mainVictim(BoundedTable.Node<K, V> candidate) {
    BoundedTable.Node<K, V> victim = probation.first();
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
    int candidateFrequency = sketch.frequency(candidate.key);
    if (candidateFrequency > sketch.frequency(victim.key)) {
      return true;
    }
    return candidateFrequency >= ADMIT_ANYWAY_FREQUENCY && (++warmLosses & ADMIT_ANYWAY_MASK) == 0;
  }

  private void climb() {
    long requests = hitsInSample + missesInSample;
    if (maximum < 2 || requests < CLIMB_FACTOR * Math.max(sketch.capacity(), 16)) {
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
    while (protectedWeight > protectedMaximum) {
      demote(protectedSegment.first());
    }
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

    BoundedTable.Node<K, V> first() {
      return head;
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
    }

    void moveToLast(BoundedTable.Node<K, V> node) {
      if (node != tail) {
        remove(node);
        addLast(node);
      }
    }
  }
}
