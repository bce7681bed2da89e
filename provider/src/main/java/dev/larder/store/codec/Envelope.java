package dev.larder.store.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.cache.CacheException;

/**
 * What a remote store keeps under an item's key: a header, the expiry deadline in milliseconds, the
 * full serialized key (so a hashed key can never answer for another key, and iteration can rebuild
 * keys), and the serialized value. Version 2 adds a stamp, a random number per write, for services
 * that give a client no identity of an item's version (App Engine's memcache hides its CAS ids): two
 * reads of the same stamp are the same write.
 *
 * <pre>'L' 1 | deadline: long | key length: int | key bytes | value bytes
 *'L' 2 | deadline: long | stamp: long | key length: int | key bytes | value bytes</pre>
 */
public final class Envelope {

  private static final byte MAGIC = 'L';
  private static final byte PLAIN = 1;
  private static final byte STAMPED = 2;
  private static final int PLAIN_HEADER = 2 + 8 + 4;
  private static final int STAMPED_HEADER = PLAIN_HEADER + 8;

  private final long deadline;
  private final long stamp;
  private final byte[] bytes;
  private final int header;
  private final int keyLength;

  private Envelope(byte[] bytes, long deadline, long stamp, int header, int keyLength) {
    this.bytes = bytes;
    this.deadline = deadline;
    this.stamp = stamp;
    this.header = header;
    this.keyLength = keyLength;
  }

  public static byte[] encode(byte[] key, byte[] value, long deadline) {
    return ByteBuffer.allocate(PLAIN_HEADER + key.length + value.length)
        .put(MAGIC).put(PLAIN).putLong(deadline).putInt(key.length).put(key).put(value).array();
  }

  /** An envelope carrying {@code stamp}, which {@link #stamp()} gives back on every read of it. */
  public static byte[] encode(byte[] key, byte[] value, long deadline, long stamp) {
    return ByteBuffer.allocate(STAMPED_HEADER + key.length + value.length)
        .put(MAGIC).put(STAMPED).putLong(deadline).putLong(stamp).putInt(key.length).put(key).put(value).array();
  }

  /**
   * The envelope the bytes hold.
   *
   * @param item the item's key, and {@code store} where it is ({@code "memcached"}), to name it in an
   *     error: two arguments, not one string made for a message that a read almost never needs
   * @throws CacheException if the bytes are not an envelope Larder wrote
   */
  public static Envelope decode(byte[] bytes, String item, String store) {
    if (bytes.length < PLAIN_HEADER || bytes[0] != MAGIC || (bytes[1] != PLAIN && bytes[1] != STAMPED)
        || (bytes[1] == STAMPED && bytes.length < STAMPED_HEADER)) {
      throw new CacheException("The item " + item + " in " + store + " was not written by this version of Larder ("
          + bytes.length + " bytes)");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    boolean stamped = bytes[1] == STAMPED;
    int header = stamped ? STAMPED_HEADER : PLAIN_HEADER;
    int keyLength = buffer.getInt(header - 4);
    if (keyLength < 0 || header + keyLength > bytes.length) {
      throw new CacheException("The item " + item + " in " + store + " is damaged: key length " + keyLength);
    }
    return new Envelope(bytes, buffer.getLong(2), stamped ? buffer.getLong(10) : 0L, header, keyLength);
  }

  public long deadline() {
    return deadline;
  }

  /** The stamp of a version-2 envelope, 0 for version 1. */
  public long stamp() {
    return stamp;
  }

  public boolean hasKey(byte[] key) {
    return Arrays.equals(bytes, header, header + keyLength, key, 0, key.length);
  }

  public byte[] key() {
    return Arrays.copyOfRange(bytes, header, header + keyLength);
  }

  public byte[] value() {
    return Arrays.copyOfRange(bytes, header + keyLength, bytes.length);
  }

  /** {@link Serializer#readsCheaply} of the value, without copying it out. */
  public boolean valueReadsCheaply(Serializer serializer) {
    return readsCheaply(bytes, header + keyLength, serializer);
  }

  /**
   * {@link Serializer#readsCheaply} of the value in {@code envelope}, the bytes of an envelope this JVM
   * just encoded, in place: a writer asks this of every write, so it neither checks nor decodes them.
   */
  static boolean valueReadsCheaply(byte[] envelope, Serializer serializer) {
    int header = envelope[1] == STAMPED ? STAMPED_HEADER : PLAIN_HEADER;
    return readsCheaply(envelope, header + ByteBuffer.wrap(envelope).getInt(header - 4), serializer);
  }

  private static boolean readsCheaply(byte[] envelope, int valueOffset, Serializer serializer) {
    return serializer.readsCheaply(envelope, valueOffset, envelope.length - valueOffset);
  }
}
