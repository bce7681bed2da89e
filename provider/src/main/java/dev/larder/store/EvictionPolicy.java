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
 * <p><b>The window climber.</b> The window starts at 1% of the bound. Once the cache is full, two
 * {@link ShadowCache}s model it on a sample of the keys (all of them up to {@value #SHADOW_ENTRIES}
 * entries, else one key in 2<sup>n</sup>, so that each shadow holds 128 to 255 entries), one with a
 * window {@link #SHADOW_STEP} of the bound smaller than the cache's and one as much larger. Every
 * {@link #SAMPLE_FACTOR} × a shadow's entries sampled requests, if one shadow hit where the other missed
 * more often than chance explains ({@link #SIGNIFICANCE} standard deviations of the requests where they
 * differed), the window moves to that shadow's size and both are centred on it again; else it stays.
 * The shadows see the same requests, so a scan or a shift of the workload that lowers the hit rate
 * lowers both: the hill climber used before (Caffeine's: compare this sample's hit rate with the last
 * one's and keep stepping while it rises) took each scan of the {@code HitRatio} trace, 10,000
 * never-repeated keys every 50,000 accesses, for a verdict on its last step. Measured on the
 * {@code HitRatio} traces, the mean over four Zipf seeds, shadows against that climber: at capacity
 * 1,000 (one key in 4 sampled), Zipf 46.52% (46.18%), with scans 36.97% (36.51%; cache2k 36.61%, the
 * window held at 1% 36.95%), the loop trace 90.35% (90.17%), a recency-heavy trace (each access within
 * the last 0.9 × capacity of a stream of new keys; LRU 73%) 71.1% (67.7%; Caffeine's rules 70.4%, the
 * window held 11.3%); at 10,000 (one key in 64), 68.15%, 54.08%, 88.85% and 54.6% (68.03%, 53.98%,
 * 86.12%, 54.2%); ahead of the climber at 128, 512 and 2,048 too, save the loop at 512 (90.12% against
 * 90.51%). In a prototype the sample rate, the step (3% to 10%), the verdict's length (2 to 10 × the
 * entries) and the threshold (1 to 3 deviations) moved the first three traces by 0.1 point or less;
 * the recency trace adapts faster with larger steps and shorter samples (42% to 72%). The two shadows
 * take some 9 KB at most (about 17 bytes an entry), and a sampled request two look-ups in arrays,
 * and on a miss an admission, under the lock the policy already holds. Under a weight bound the
 * shadows count entries, as many as the cache held when it first filled, and the window's share of
 * the bound is mapped onto theirs.
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

  static final double INITIAL_WINDOW = 0.01;
  static final double PROTECTED_SHARE = 0.8;
  /**
   * Entries a shadow holds at least, if the cache does: the sample is one key in the largest power of
   * two that leaves it this many. At 512, every request of a cache bounded to 512 ran through both
   * shadows, and its miss-heavy get-or-put ran at 0.64× the climber's (median of 4 pairs); at 128,
   * 0.79×. The hit ratios moved by 0.1 point or less between 64 and 512.
   */
  static final int SHADOW_ENTRIES = 128;
  /** How much smaller and larger the shadows' windows are than the cache's, as a share of the bound. */
  static final double SHADOW_STEP = 0.05;
  /** Sampled requests between two verdicts of the shadows, as a multiple of a shadow's entries. */
  static final int SAMPLE_FACTOR = 5;
  /** Standard deviations by which one shadow's lead must stand out of chance for the window to move. */
  static final int SIGNIFICANCE = 2;
  static final int ADMIT_ANYWAY_FREQUENCY = 6;
  private static final int ADMIT_ANYWAY_MASK = 127;

  private final long maximum;
  /** A weight bound says nothing of how many entries fit: the sketch grows with them past any bound. */
  private final boolean weighted;
  /** False only in tests of the admission on its own: the window stays at 1%. */
  private final boolean climbs;
  /** Under a size bound, the entries the sketch is made for and the shadows are sampled from. */
  private final long boundEntries;
  private final FrequencySketch sketch = new FrequencySketch();
  private final Admission admission = new Admission(sketch);
  private final AccessOrder<K, V> window = new AccessOrder<>();
  private final AccessOrder<K, V> probation = new AccessOrder<>();
  private final AccessOrder<K, V> protectedSegment = new AccessOrder<>();
  private long windowMaximum;
  private long protectedMaximum;
  private long windowWeight;
  private long protectedWeight;
  private long totalWeight;
  private long entries;

  /** The shadows (null until the cache first fills), the sample's mask, and the current verdict's counts. */
  private ShadowCache smaller;
  private ShadowCache larger;
  private int sampleMask;
  private long sampledRequests;
  private long smallerOnlyHits;
  private long largerOnlyHits;

  EvictionPolicy(long maximum, boolean weighted, boolean climbs) {
    this.maximum = maximum;
    this.weighted = weighted;
    this.climbs = climbs;
    this.boundEntries = Math.min(maximum, 1L << 26);
    this.windowMaximum = Math.max(maximum > 1 ? 1 : 0, (long) (maximum * INITIAL_WINDOW));
    this.protectedMaximum = (long) (PROTECTED_SHARE * (maximum - windowMaximum));
  }

  /**
   * A hit of the key with this hash ({@link FrequencySketch#hash}): counted for the sketch and the
   * climber. Where the node stands in its segment the table has already noted on the node itself
   * ({@link BoundedTable.Node#accessed}), applied when the node reaches its segment's end.
   */
  void onRead(int hash) {
    sketch.increment(hash);
    shadow(hash);
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
    int hash = FrequencySketch.hash(node.key);
    sketch.increment(hash);
    shadow(hash);
    int weight = node.weight;
    if (node.queue == UNLINKED) {
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

  /** Drops entries until the total weight is within the bound; adapts the window first when a verdict is due. */
  void evict(Evictor<K, V> evictor) {
    if (smaller == null && totalWeight > maximum) {
      makeShadows();
    }
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
    return candidate.policyWeight <= maximum
        && admission.admits(FrequencySketch.hash(candidate.key), FrequencySketch.hash(victim.key));
  }

  /**
   * TinyLFU's admission over the table's sketch: a candidate estimated more frequent than the victim
   * wins, and a warm one that loses wins anyway at every {@value #ADMIT_ANYWAY_MASK} + 1st such loss.
   * One for the cache and one for each shadow, each counting its own losses.
   */
  static final class Admission {
    private final FrequencySketch sketch;
    private long warmLosses;

    Admission(FrequencySketch sketch) {
      this.sketch = sketch;
    }

    boolean admits(int candidateHash, int victimHash) {
      int candidateFrequency = sketch.frequency(candidateHash);
      if (candidateFrequency > sketch.frequency(victimHash)) {
        return true;
      }
      return candidateFrequency >= ADMIT_ANYWAY_FREQUENCY && (++warmLosses & ADMIT_ANYWAY_MASK) == 0;
    }
  }

  /** The cache is full for the first time: shadows of what it holds, if it can climb and holds 2 or more. */
  private void makeShadows() {
    long known = weighted ? entries : Math.min(entries, boundEntries);
    if (!climbs || known < 2) {
      return;
    }
    int sample = (int) Long.highestOneBit(Math.max(1, known / SHADOW_ENTRIES));
    sampleMask = sample - 1;
    int capacity = (int) (known / sample);
    smaller = new ShadowCache(capacity, 1, new Admission(sketch));
    larger = new ShadowCache(capacity, 1, new Admission(sketch));
    centreShadows();
  }

  /** A request of the key with this hash, for the shadows if the key is in their sample. */
  private void shadow(int hash) {
    if (smaller == null || (Integer.rotateLeft(hash * 0x85EBCA6B, 16) & sampleMask) != 0) {
      return;
    }
    sampledRequests++;
    boolean smallerHit = smaller.access(hash);
    if (larger.access(hash) != smallerHit) {
      if (smallerHit) {
        smallerOnlyHits++;
      } else {
        largerOnlyHits++;
      }
    }
  }

  /** When a verdict is due: the window moves to the size of the shadow that hit more, if it clearly did. */
  private void climb() {
    if (smaller == null || sampledRequests < (long) SAMPLE_FACTOR * smaller.capacity()) {
      return;
    }
    long differing = smallerOnlyHits + largerOnlyHits;
    long lead = largerOnlyHits - smallerOnlyHits;
    sampledRequests = 0;
    smallerOnlyHits = 0;
    largerOnlyHits = 0;
    // each request where they differ is a coin toss if neither window is better: the lead's deviation is √differing
    if (lead * lead <= (long) SIGNIFICANCE * SIGNIFICANCE * differing) {
      return;
    }
    ShadowCache better = lead > 0 ? larger : smaller;
    resizeWindow(Math.round((double) better.windowMaximum() * maximum / better.capacity()) - windowMaximum);
    centreShadows();
  }

  private void centreShadows() {
    int capacity = smaller.capacity();
    int window = (int) Math.max(1, Math.round((double) windowMaximum * capacity / maximum));
    int step = (int) Math.max(1, Math.round(SHADOW_STEP * capacity));
    smaller.resize(window - step);
    larger.resize(window + step);
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
