package dev.larder;

import dev.larder.store.StoreEntry;
import java.util.Objects;

/**
 * The JCache mutations, each written once, as data and one rule: what it writes for the entry it finds.
 * ({@link Invoke}, the entry processor, is in its own file.) Values are held as stored (copied for
 * store-by-value) and as the caller gave them (what the writer sees).
 */
final class Operations {

  private Operations() {
  }

  /** {@code put}, {@code getAndPut} and the per-entry-timeout {@code put}: write whatever the key holds. */
  record Put<K, V>(V stored, V given, long fixedDeadline, boolean returnsOld) implements Operation<K, V> {
    @Override
    public Outcome<V> apply(K key, Found<V> found, Rules<K, V> rules) {
      rules.writer().write(key, given);
      return found.write(stored, rules.expiry(), fixedDeadline);
    }

    @Override
    public Counts counts() {
      return returnsOld ? Counts.READ_AND_WRITES : Counts.WRITES;
    }
  }

  /** {@code putIfAbsent}: write only where the key holds no live entry. */
  record PutIfAbsent<K, V>(V stored, V given) implements Operation<K, V> {
    @Override
    public Outcome<V> apply(K key, Found<V> found, Rules<K, V> rules) {
      if (found.isLive()) {
        return found.keep();
      }
      rules.writer().write(key, given);
      return found.write(stored, rules.expiry(), StoreEntry.NEVER);
    }

    @Override
    public Counts counts() {
      return Counts.READ_AND_WRITES;
    }
  }

  /**
   * {@code replace}, {@code replace(key, old, new)} and {@code getAndReplace}: write only over a live
   * entry (holding {@code expected}, when given); a mismatch is an access of the entry.
   */
  record Replace<K, V>(V expected, V stored, V given) implements Operation<K, V> {
    @Override
    public Outcome<V> apply(K key, Found<V> found, Rules<K, V> rules) {
      StoreEntry<V> live = found.live();
      if (live == null) {
        return found.keep();
      }
      if (expected != null && !Objects.equals(live.value(), expected)) {
        return found.access(rules.expiry());
      }
      rules.writer().write(key, given);
      return found.write(stored, rules.expiry(), StoreEntry.NEVER);
    }

    @Override
    public Counts counts() {
      return Counts.READ_AND_WRITES;
    }
  }

  /**
   * The removes. The writer deletes the key even where the cache holds none, except for a conditional
   * remove ({@code expected} given), which deletes only what it removes; its mismatch is an access.
   */
  record Remove<K, V>(V expected, Counts counts) implements Operation<K, V> {
    /** {@code remove(key)}: counts its removal only, as the TCK's statistics expect. */
    static <K, V> Remove<K, V> plain() {
      return new Remove<>(null, Counts.WRITES);
    }

    /** {@code getAndRemove} and {@code remove(key, value)}: count a hit or a miss too. */
    static <K, V> Remove<K, V> reading(V expected) {
      return new Remove<>(expected, Counts.READ_AND_WRITES);
    }

    @Override
    public Outcome<V> apply(K key, Found<V> found, Rules<K, V> rules) {
      StoreEntry<V> live = found.live();
      if (expected != null && (live == null || !Objects.equals(live.value(), expected))) {
        return live == null ? found.keep() : found.access(rules.expiry());
      }
      rules.writer().delete(key);
      return found.remove();
    }
  }

  /**
   * A key of a batch ({@code putAll}, {@code removeAll}) whose writer call was made for the whole batch
   * beforehand: write the value, or remove the entry for a {@code null} value.
   */
  record Batched<K, V>(V stored) implements Operation<K, V> {
    @Override
    public Outcome<V> apply(K key, Found<V> found, Rules<K, V> rules) {
      return stored == null ? found.remove() : found.write(stored, rules.expiry(), StoreEntry.NEVER);
    }
  }

  /**
   * A value from the loader by {@code loadAll}: no writer (it came from the system of record), nothing
   * counted, a live entry kept unless the caller asked to replace existing values.
   */
  record Loaded<K, V>(V stored, boolean replaceExisting) implements Operation<K, V> {
    @Override
    public Outcome<V> apply(K key, Found<V> found, Rules<K, V> rules) {
      if (found.isLive() && !replaceExisting) {
        return found.keep();
      }
      return found.write(stored, rules.expiry(), StoreEntry.NEVER);
    }

    @Override
    public Counts counts() {
      return Counts.NOTHING;
    }
  }
}
