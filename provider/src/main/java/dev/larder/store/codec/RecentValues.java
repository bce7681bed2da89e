package dev.larder.store.codec;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Supplier;

/**
 * Values read from or written to a remote store, by the identity of the item version they belong to
 * (memcached's CAS token and server, an envelope's stamp), in a map of weakly held objects: while an
 * item is unchanged, a JVM that still holds its value gets the same instance back (what a
 * store-by-reference cache promises) without deserializing it again.
 *
 * <p>A value this JVM wrote is served from here only once the item's bytes have passed the
 * deserialization allow-list and limits, on their first read: whether a value is refused never
 * depends on whether the garbage collector has dropped it.
 */
public final class RecentValues {

  private static final String WRITTEN = "#written";

  /**
   * {@code reference}: a value whose item's bytes passed the allow-list; {@code reference#written}: one
   * this JVM wrote, not yet checked. Weakly held values either way.
   */
  private final Cache<String, Object> values = Caffeine.newBuilder().weakValues().build();

  /**
   * The value of the item version {@code reference} names: the instance this JVM holds if its bytes
   * were checked before, else what {@code deserialize} reads (the check), replaced by the instance this
   * JVM wrote if it still holds that one. A null reference (no identity known) always deserializes.
   */
  public <V> V value(String reference, Supplier<V> deserialize) {
    if (reference == null) {
      return deserialize.get();
    }
    @SuppressWarnings("unchecked")
    V known = (V) values.getIfPresent(reference);
    if (known != null) {
      return known;
    }
    V value = deserialize.get();
    @SuppressWarnings("unchecked")
    V written = (V) values.getIfPresent(reference + WRITTEN);
    if (written != null) {
      value = written; // the instance this JVM wrote, now that its bytes passed the check: the same object back
      values.invalidate(reference + WRITTEN);
    }
    values.put(reference, value);
    return value;
  }

  /** This JVM wrote {@code value} as the item version {@code reference}. */
  public void written(String reference, Object value) {
    if (reference != null && value != null) {
      values.put(reference + WRITTEN, value);
    }
  }

  public void clear() {
    values.invalidateAll();
  }
}
