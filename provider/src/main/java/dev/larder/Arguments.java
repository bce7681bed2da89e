package dev.larder;

import dev.larder.expiry.ExpiryCalculator;
import dev.larder.store.StoreEntry;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The checks of what a caller passes in, with the messages the caller acts on: the cache's declared key
 * and value types ({@link ClassCastException}, as the spec says), null keys in a set, a timeout.
 */
final class Arguments<K, V> {

  private final String cacheName;
  private final Class<?> keyType;
  private final Class<?> valueType;

  Arguments(String cacheName, Class<?> keyType, Class<?> valueType) {
    this.cacheName = cacheName;
    this.keyType = keyType;
    this.valueType = valueType;
  }

  void check(K key, V value) {
    if (keyType != Object.class && !keyType.isInstance(key)) {
      throw new ClassCastException("Cache " + cacheName + " holds keys of type " + keyType.getName()
          + ", not " + key.getClass().getName());
    }
    checkValue(value);
  }

  void checkValue(V value) {
    if (valueType != Object.class && !valueType.isInstance(value)) {
      throw new ClassCastException("Cache " + cacheName + " holds values of type " + valueType.getName()
          + ", not " + value.getClass().getName());
    }
  }

  static void requireNoNullKeys(Set<?> keys) {
    Objects.requireNonNull(keys, "keys");
    for (Object key : keys) {
      Objects.requireNonNull(key, "a key in the set is null");
    }
  }

  /** A caller's timeout: not null, not negative. */
  static void requireTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
  }

  /** The deadline a caller's timeout gives at {@code now}. */
  static long deadlineOf(Duration timeout, long now) {
    requireTimeout(timeout);
    long millis;
    try {
      millis = timeout.toMillis();
    } catch (ArithmeticException e) {
      return StoreEntry.NEVER - 1;
    }
    // NEVER itself means "use the expiry policy" to the write paths; a huge timeout is just very long.
    return Math.min(ExpiryCalculator.plus(now, millis), StoreEntry.NEVER - 1);
  }
}
