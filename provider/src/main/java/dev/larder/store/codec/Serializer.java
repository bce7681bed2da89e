package dev.larder.store.codec;

/**
 * Turns keys and values into the bytes a remote store keeps, and back. Pluggable on the store
 * factories of memcached and App Engine.
 */
public interface Serializer {

  /**
   * The object as bytes.
   *
   * @throws IllegalArgumentException naming the object's class if it cannot be serialized
   */
  byte[] serialize(Object object);

  Object deserialize(byte[] bytes, ClassLoader classLoader);

  /**
   * Deserializes only what {@code filter} allows. Bytes read from a shared service come from whoever
   * can write to it: a serializer that can instantiate arbitrary classes must apply the filter. The
   * default ignores it, for serializers that cannot (JSON into fixed types, for example).
   *
   * @throws javax.cache.CacheException naming the class if the filter rejects one
   */
  default Object deserialize(byte[] bytes, ClassLoader classLoader, java.io.ObjectInputFilter filter) {
    return deserialize(bytes, classLoader);
  }

  /**
   * Whether {@code length} bytes of {@link #serialize}'s output, from {@code offset}, deserialize into
   * an immutable value for less than a look-up of the instance this JVM may still hold
   * ({@link RecentValues}): such values are read anew each time and never held, and their identity is
   * not kept (an immutable value's equality stands for it: {@link dev.larder.store.StoreEntry#isSameWriteAs}).
   * The default, false, holds every value.
   */
  default boolean readsCheaply(byte[] bytes, int offset, int length) {
    return false;
  }
}
