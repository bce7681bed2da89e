package dev.larder.memcached;

import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.cache.CacheException;

/**
 * What Larder stores under a memcached key: a header, the expiry deadline in milliseconds, the full
 * serialized key (so a hashed key can never answer for another key, and iteration can rebuild keys),
 * and the serialized value.
 *
 * <pre>'L' 1 | deadline: long | key length: int | key bytes | value bytes</pre>
 */
final class Envelope {

  private static final byte MAGIC = 'L';
  private static final byte VERSION = 1;
  private static final int HEADER = 2 + 8 + 4;

  final long deadline;
  final byte[] bytes;
  private final int keyLength;

  private Envelope(byte[] bytes, long deadline, int keyLength) {
    this.bytes = bytes;
    this.deadline = deadline;
    this.keyLength = keyLength;
  }

  static byte[] encode(byte[] key, byte[] value, long deadline) {
    return ByteBuffer.allocate(HEADER + key.length + value.length)
        .put(MAGIC).put(VERSION).putLong(deadline).putInt(key.length).put(key).put(value).array();
  }

  /** @throws CacheException if the bytes are not an envelope Larder wrote */
  static Envelope decode(byte[] bytes, String memcachedKey) {
    if (bytes.length < HEADER || bytes[0] != MAGIC || bytes[1] != VERSION) {
      throw new CacheException("The item " + memcachedKey + " in memcached was not written by this version"
          + " of Larder (" + bytes.length + " bytes)");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    long deadline = buffer.getLong(2);
    int keyLength = buffer.getInt(10);
    if (keyLength < 0 || HEADER + keyLength > bytes.length) {
      throw new CacheException("The item " + memcachedKey + " in memcached is damaged: key length " + keyLength);
    }
    return new Envelope(bytes, deadline, keyLength);
  }

  boolean hasKey(byte[] key) {
    return Arrays.equals(bytes, HEADER, HEADER + keyLength, key, 0, key.length);
  }

  byte[] key() {
    return Arrays.copyOfRange(bytes, HEADER, HEADER + keyLength);
  }

  byte[] value() {
    return Arrays.copyOfRange(bytes, HEADER + keyLength, bytes.length);
  }
}
