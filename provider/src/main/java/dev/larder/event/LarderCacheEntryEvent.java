package dev.larder.event;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;

/**
 * One event as a listener sees it. For REMOVED and EXPIRED events the value is the old value, present
 * only when the listener asked for old values (so {@code getValue()} and {@code getOldValue()} are both
 * the old value, or both {@code null}).
 */
final class LarderCacheEntryEvent<K, V> extends CacheEntryEvent<K, V> {

  private static final long serialVersionUID = 1L;

  private final K key;
  private final V value;
  private final V oldValue;
  private final boolean oldValueAvailable;

  LarderCacheEntryEvent(Cache<K, V> source, EventType type, K key, V value, V oldValue,
      boolean oldValueAvailable) {
    super(source, type);
    this.key = key;
    this.value = value;
    this.oldValue = oldValue;
    this.oldValueAvailable = oldValueAvailable;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    return value;
  }

  @Override
  public V getOldValue() {
    return oldValue;
  }

  @Override
  public boolean isOldValueAvailable() {
    return oldValueAvailable;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("A cache entry event is not a " + type.getName());
  }

  @Override
  public String toString() {
    return "CacheEntryEvent{" + getEventType() + ", key=" + key + ", value=" + value
        + (oldValueAvailable ? ", oldValue=" + oldValue : "") + '}';
  }
}
