package dev.larder.store.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * One cache's keys as a remote store names them: the key's bytes (serialized, checked against the
 * envelope on every read) and the item key, readable where it can be ({@code s<text>}, {@code l<n>},
 * {@code i<n>}) and a hash where it is long or not printable ASCII.
 *
 * <p>Keys that cannot be serialized (possible in store-by-reference caches) stand for a surrogate id
 * known only to this JVM; no other JVM can ask for such a key anyway. A surrogate lives until
 * {@link #clear()}: one per distinct unserializable key this cache has seen.
 */
public final class RemoteKeys<K> {

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("The JDK has no SHA-256", e);
    }
  });

  private final Serializer serializer;
  private final ClassLoader classLoader;
  private final java.io.ObjectInputFilter allowList;
  private final ConcurrentMap<Object, byte[]> surrogates = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Object> keysBySurrogate = new ConcurrentHashMap<>();

  public RemoteKeys(Serializer serializer, ClassLoader classLoader, java.io.ObjectInputFilter allowList) {
    this.serializer = serializer;
    this.classLoader = classLoader;
    this.allowList = allowList;
  }

  /** The key's bytes: serialized, or this JVM's surrogate id if it cannot be serialized. */
  public byte[] bytes(K key) {
    if (!surrogates.isEmpty()) {
      byte[] surrogate = surrogates.get(key);
      if (surrogate != null) {
        return surrogate;
      }
    }
    try {
      return serializer.serialize(key);
    } catch (IllegalArgumentException notSerializable) {
      return surrogates.computeIfAbsent(key, k -> {
        String id = UUID.randomUUID().toString();
        keysBySurrogate.put(id, k);
        return ("x" + id).getBytes(StandardCharsets.US_ASCII);
      });
    }
  }

  /**
   * A batch of keys as the store names them: each item key with its key and its key's bytes, in the
   * order of {@code keys}.
   *
   * @param keys the caches' keys by item key, in order
   * @param bytes the keys' bytes by item key (checked against each envelope read)
   */
  public record Batch<K>(Map<String, K> keys, Map<String, byte[]> bytes) {}

  /** The batch of {@code keys}, each named by {@code itemKey} from its bytes. */
  public Batch<K> batch(java.util.Collection<? extends K> keys, Function<byte[], String> itemKey) {
    Map<String, K> byItemKey = new LinkedHashMap<>();
    Map<String, byte[]> bytesByItemKey = new HashMap<>();
    for (K key : keys) {
      byte[] keyBytes = bytes(key);
      String name = itemKey.apply(keyBytes);
      byItemKey.put(name, key);
      bytesByItemKey.put(name, keyBytes);
    }
    return new Batch<>(byItemKey, bytesByItemKey);
  }

  /** The key of an envelope's key bytes, or null for a surrogate this JVM does not know. */
  @SuppressWarnings("unchecked")
  public K key(byte[] keyBytes) {
    if (keyBytes.length > 0 && keyBytes[0] == 'x') {
      return (K) keysBySurrogate.get(new String(keyBytes, 1, keyBytes.length - 1, StandardCharsets.US_ASCII));
    }
    return (K) serializer.deserialize(keyBytes, classLoader, allowList);
  }

  /** Forgets the surrogates: their items belong to an older generation now. */
  public void clear() {
    surrogates.clear();
    keysBySurrogate.clear();
  }

  /**
   * The item key of a serialized key under {@code base}: readable if it fits in {@code maxLength},
   * else {@code base} and a hash of the bytes.
   */
  public static String itemKey(String base, byte[] keyBytes, int maxLength) {
    String readable = readableKey(keyBytes);
    if (readable != null && base.length() + readable.length() <= maxLength) {
      return base + readable;
    }
    return base + "h" + hash(keyBytes);
  }

  /** {@code s<text>} for printable ASCII strings, {@code l<n>} and {@code i<n>} for numbers, else null. */
  private static String readableKey(byte[] keyBytes) {
    return switch (keyBytes[0]) {
      case TaggedSerializer.STRING -> {
        for (int i = 1; i < keyBytes.length; i++) {
          int b = keyBytes[i] & 0xFF; // bytes of UTF-8 beyond ASCII are negative as Java bytes
          if (b <= ' ' || b >= 127) {
            yield null;
          }
        }
        yield new String(keyBytes, 0, keyBytes.length, StandardCharsets.US_ASCII);
      }
      case TaggedSerializer.LONG -> keyBytes.length == 9 ? "l" + ByteBuffer.wrap(keyBytes, 1, 8).getLong() : null;
      case TaggedSerializer.INTEGER -> keyBytes.length == 5 ? "i" + ByteBuffer.wrap(keyBytes, 1, 4).getInt() : null;
      default -> null;
    };
  }

  /** SHA-256 of the bytes, base64url without padding (43 characters). */
  public static String hash(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(SHA_256.get().digest(bytes));
  }
}
