package dev.larder;

import java.util.Map;
import java.util.Objects;
import javax.cache.Cache;

/** A key and its value, as handed to iterators and cache writers. */
public final class LarderEntry<K, V> implements Cache.Entry<K, V> {

  private final K key;
  private final V value;

  public LarderEntry(K key, V value) {
    this.key = key;
    this.value = value;
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
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("A cache entry is not a " + type.getName());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cache.Entry<?, ?> entry
        && Objects.equals(key, entry.getKey()) && Objects.equals(value, entry.getValue());
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(key) ^ Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return key + "=" + value;
  }

  static <K, V> LarderEntry<K, V> of(Map.Entry<K, V> entry) {
    return new LarderEntry<>(entry.getKey(), entry.getValue());
  }
}
