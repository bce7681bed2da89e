package dev.larder;

import dev.larder.expiry.TimeSource;
import dev.larder.management.CacheStatistics;
import dev.larder.store.Store;
import dev.larder.store.StoreEntry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs every {@link Operation}: inside the store's atomic update, at the store's time, then publishes
 * the outcome the store committed and counts it. The one place a mutation touches the store.
 */
final class OperationRunner<K, V> {

  private final Store<K, V> store;
  private final Rules<K, V> rules;
  private final TimeSource time;
  private final CacheStatistics statistics;
  private final CacheEvents<K, V> events;

  OperationRunner(Store<K, V> store, Rules<K, V> rules, TimeSource time, CacheStatistics statistics,
      CacheEvents<K, V> events) {
    this.store = store;
    this.rules = rules;
    this.time = time;
    this.statistics = statistics;
    this.events = events;
  }

  /**
   * Runs the operation on one key and returns the outcome the store committed.
   *
   * @param key the caller's key; {@code storedKey} is its copy for store-by-value (or the same)
   */
  Outcome<V> run(K key, K storedKey, Operation<K, V> operation) {
    return events.inKeyOrder(storedKey, () -> commitAndPublish(key, storedKey, operation));
  }

  private Outcome<V> commitAndPublish(K key, K storedKey, Operation<K, V> operation) {
    long start = statistics.startTimer();
    Run run = new Run(key, operation);
    store.compute(storedKey, run);
    Outcome<V> outcome = run.last;
    count(operation.counts(), outcome, start);
    events.publish(key, outcome);
    return outcome;
  }

  /**
   * Runs an operation on each key in one batch of the store (each key atomic on its own), then
   * publishes every key's events. Throws {@code failedBefore} if given (the writer's failure of the
   * batch, which comes first), else the first listener failure.
   *
   * @param keys each stored key with the caller's key, in the order events are published
   */
  void runAll(Map<K, K> keys, Function<K, Operation<K, V>> operationFor, RuntimeException failedBefore) {
    events.inKeyOrderAll(keys.keySet(), () -> commitAndPublishAll(keys, operationFor, failedBefore));
  }

  private void commitAndPublishAll(Map<K, K> keys, Function<K, Operation<K, V>> operationFor,
      RuntimeException failedBefore) {
    long start = statistics.startTimer();
    Map<K, Outcome<V>> outcomes = new LinkedHashMap<>(Math.max(4, keys.size() * 2));
    store.computeAll(keys.keySet(), (storedKey, current) -> {
      Outcome<V> outcome = operationFor.apply(storedKey)
          .apply(keys.get(storedKey), new Found<>(current, time.millis()), rules);
      outcomes.put(storedKey, outcome); // every run replaces the one before: the last is the committed one
      return outcome.stored();
    });
    long puts = 0;
    long removals = 0;
    RuntimeException failure = failedBefore;
    for (Map.Entry<K, Outcome<V>> entry : outcomes.entrySet()) {
      puts += entry.getValue().wrote() ? 1 : 0;
      removals += entry.getValue().removed() ? 1 : 0;
      try {
        events.publish(keys.get(entry.getKey()), entry.getValue());
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    statistics.recordPuts(puts, start);
    statistics.recordRemovals(removals, start);
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * A put that does not read the key first, one write instead of an atomic update: the caller makes
   * sure nothing needs the old entry (no writer, no listener, no old value returned) and creation and
   * update give the same deadline (a fixed one, or an eternal, modified or touched policy). The rare
   * update under an eternal policy of an entry with a deadline of its own (from the per-entry-timeout
   * put) restores that deadline afterwards.
   */
  void putBlind(K storedKey, V stored, long fixedDeadline) {
    long start = statistics.startTimer();
    long now = time.millis();
    long deadline = fixedDeadline != StoreEntry.NEVER ? fixedDeadline : rules.expiry().creationDeadline(now);
    if (deadline <= now) {
      // Stored already expired: the atomic update does the rest (the old entry goes or is expired).
      run(storedKey, storedKey, new Operations.Put<>(stored, stored, fixedDeadline, false));
      return;
    }
    StoreEntry<V> written = new StoreEntry<>(stored, deadline);
    StoreEntry<V> previous = store.put(storedKey, written);
    boolean wasLive = previous != null && !previous.isExpiredAt(now);
    if (wasLive && fixedDeadline == StoreEntry.NEVER && rules.expiry().updatesKeepDeadline()
        && previous.expiresAt() != deadline) {
      store.replaceIfSame(storedKey, written, written.withExpiresAt(previous.expiresAt()));
    }
    statistics.recordPuts(1, start);
  }

  private void count(Operation.Counts counts, Outcome<V> outcome, long start) {
    if (counts == Operation.Counts.NOTHING) {
      return;
    }
    if (counts == Operation.Counts.READ_AND_WRITES) {
      statistics.recordHitOrMiss(outcome.hit());
    }
    if (outcome.wrote()) {
      statistics.recordPuts(1, start);
    } else if (outcome.removed()) {
      statistics.recordRemovals(1, start);
    }
  }

  /**
   * The store's update function for one operation: it keeps the outcome of its last run, which is the
   * run the store committed (a store that retries runs it again after a conflict).
   */
  private final class Run implements Store.Remapping<K, V> {
    private final K key;
    private final Operation<K, V> operation;
    private Outcome<V> last;

    Run(K key, Operation<K, V> operation) {
      this.key = key;
      this.operation = operation;
    }

    @Override
    public StoreEntry<V> apply(K storedKey, StoreEntry<V> current) {
      last = operation.apply(key, new Found<>(current, time.millis()), rules);
      return last.stored();
    }
  }
}
