package dev.larder;

/**
 * One JCache mutation of one key, defined once: from the entry found under the key (possibly past its
 * deadline, or none) and the time, what the key holds afterwards and what happened ({@link Outcome}).
 * The {@link OperationRunner} runs it inside the store's atomic update, publishes its events once the
 * store has committed, and counts its statistics.
 *
 * <p>An operation may call the writer: write-through happens inside the atomic update, so that a
 * failing writer leaves the cache unchanged. It may run more than once, on a store that retries on a
 * conflict: only the outcome of the run the store committed counts, so an operation keeps no state of
 * its own between runs.
 */
interface Operation<K, V> {

  /**
   * What the operation does to the entry found.
   *
   * @param key the caller's key (what the writer and listeners see)
   */
  Outcome<V> apply(K key, Found<V> found, Rules<K, V> rules);

  /** Which statistics the operation counts; most count their writes only. */
  default Counts counts() {
    return Counts.WRITES;
  }

  /** The statistics an operation counts, as the TCK expects them. */
  enum Counts {
    /** None: a value loaded by {@code loadAll} is neither a get nor a put. */
    NOTHING,
    /** A put for each creation or update, a removal for each removal. */
    WRITES,
    /** Those, and a hit or a miss: every operation that returns or tests the value it found. */
    READ_AND_WRITES
  }
}
