package dev.larder.memcached;

/** Turns keys and values into the bytes memcached keeps, and back. Pluggable on the store factory. */
public interface Serializer {

  /** @throws IllegalArgumentException naming the object's class if it cannot be serialized */
  byte[] serialize(Object object);

  Object deserialize(byte[] bytes, ClassLoader classLoader);
}
