package dev.larder.processor;

import java.util.Objects;
import java.util.function.Function;
import javax.cache.processor.MutableEntry;

/**
 * The entry an {@code EntryProcessor} works on. It records what the processor did, and the cache
 * applies the net effect once the processor returns:
 * nothing, a read, a load (read-through), a create, an update or a remove.
 */
public final class ProcessorEntry<K, V> implements MutableEntry<K, V> {

  /** The net effect of a processor on its entry. */
  public enum Outcome {
    /** Nothing the cache needs to record beyond the hit or miss. */
    NONE,
    /** The existing value was read: an access. */
    READ,
    /** The value was loaded by read-through and left as loaded. */
    LOADED,
    /** A value was set where there was none. */
    CREATED,
    /** The existing value was replaced. */
    UPDATED,
    /** The value was removed (possibly an absent one: the writer still deletes the key). */
    REMOVED
  }

  private final K key;
  private final boolean existed;
  private final Function<K, V> loader;
  private V value;
  private Outcome outcome = Outcome.NONE;

  /**
   * @param value the current value (as the processor may see it), or {@code null} if absent
   * @param loader loads the value on a read of an absent entry, or {@code null} without read-through
   */
  public ProcessorEntry(K key, V value, Function<K, V> loader) {
    this.key = key;
    this.value = value;
    this.existed = value != null;
    this.loader = loader;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    if (value == null && loader != null && outcome == Outcome.NONE && !existed) {
      V loaded = loader.apply(key);
      if (loaded != null) {
        value = loaded;
        outcome = Outcome.LOADED;
      }
    } else if (outcome == Outcome.NONE && existed) {
      outcome = Outcome.READ;
    }
    return value;
  }

  @Override
  public boolean exists() {
    return value != null;
  }

  /**
   * Removing what this processor created undoes the creation; any other remove is a remove, even of an
   * absent entry, so that write-through deletes the key from the system of record.
   */
  @Override
  public void remove() {
    value = null;
    outcome = outcome == Outcome.CREATED ? Outcome.NONE : Outcome.REMOVED;
  }

  @Override
  public void setValue(V newValue) {
    Objects.requireNonNull(newValue, "an entry processor cannot set a null value");
    value = newValue;
    outcome = existed ? Outcome.UPDATED : Outcome.CREATED;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("A mutable entry is not a " + type.getName());
  }

  public boolean existed() {
    return existed;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The value after the processor: what to store on CREATED, UPDATED or LOADED. */
  public V value() {
    return value;
  }
}
