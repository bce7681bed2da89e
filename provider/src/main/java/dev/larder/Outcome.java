package dev.larder;

import dev.larder.store.StoreEntry;
import javax.cache.event.EventType;

/**
 * What one {@link Operation} decided for one key: what the key holds afterwards and what happened. Made
 * only by {@link Found}; immutable, so the outcome of the run a store committed is simply the last one
 * returned.
 *
 * @param stored what the key holds afterwards: the entry found (unchanged), a new entry, or {@code null}
 * @param hit whether a live entry was found (the hit or miss of the operations that count one)
 * @param event CREATED, UPDATED or REMOVED, or {@code null} for no change
 * @param value the new value (CREATED, UPDATED), as stored
 * @param old the value replaced or removed (UPDATED, REMOVED), as stored
 * @param expired an entry found past its deadline and dropped (reported EXPIRED first), or {@code null}
 * @param result what an entry processor returned, or {@code null}
 */
record Outcome<V>(StoreEntry<V> stored, boolean hit, EventType event, V value, V old, StoreEntry<V> expired,
    Object result) {

  /** The same outcome carrying an entry processor's result. */
  Outcome<V> withResult(Object processorResult) {
    return new Outcome<>(stored, hit, event, value, old, expired, processorResult);
  }

  boolean wrote() {
    return event == EventType.CREATED || event == EventType.UPDATED;
  }

  boolean removed() {
    return event == EventType.REMOVED;
  }
}
