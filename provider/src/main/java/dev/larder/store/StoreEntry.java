package dev.larder.store;

/**
 * What a store keeps for one key: the value (in the form the cache hands it, already copied for
 * store-by-value) and the wall-clock deadline in milliseconds after which it is expired.
 *
 * <p>Immutable, so an in-process store can hand out the very instance it holds: a hit allocates nothing.
 */
public final class StoreEntry<V> {

  /** The deadline of an entry that never expires. */
  public static final long NEVER = Long.MAX_VALUE;

  private final V value;
  private final long expiresAt;

  public StoreEntry(V value, long expiresAt) {
    this.value = value;
    this.expiresAt = expiresAt;
  }

  public V value() {
    return value;
  }

  /** Epoch milliseconds at which the entry stops being visible; {@link #NEVER} if it never does. */
  public long expiresAt() {
    return expiresAt;
  }

  public boolean isExpiredAt(long nowMillis) {
    return expiresAt <= nowMillis;
  }

  public StoreEntry<V> withExpiresAt(long deadline) {
    return deadline == expiresAt ? this : new StoreEntry<>(value, deadline);
  }

  @Override
  public String toString() {
    return "StoreEntry{value=" + value + ", expiresAt=" + (expiresAt == NEVER ? "never" : expiresAt) + '}';
  }
}
