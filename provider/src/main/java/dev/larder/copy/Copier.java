package dev.larder.copy;

/**
 * Makes an independent copy of a key or value for store-by-value caches. Pluggable on
 * {@code LarderConfiguration}; values of {@link Immutables immutable types} never reach it.
 */
@FunctionalInterface
public interface Copier {

  /**
   * A copy of {@code object} that shares no mutable state with it.
   *
   * @throws IllegalArgumentException if the object cannot be copied (naming its class)
   */
  <T> T copy(T object, ClassLoader classLoader);
}
