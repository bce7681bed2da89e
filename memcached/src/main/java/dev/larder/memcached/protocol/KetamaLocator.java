package dev.larder.memcached.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consistent hashing over the servers, with the ketama points libmemcached and spymemcached
 * ({@code KETAMA_HASH}, libmemcached key format) compute: 160 points per server, four from each MD5 of
 * {@code host:port-i} ({@code host-i} on the default port 11211), so other clients of the same servers
 * agree on where a key lives.
 */
final class KetamaLocator {

  private static final int DIGESTS_PER_SERVER = 40;

  /**
   * The ring's points in ascending order, and the server of each: a binary search of a 4 KB array for 3
   * servers, where a {@code TreeMap} chased a node and a boxed key per step (measured: a quarter of
   * placing a key, MD5 the rest).
   */
  private final long[] points;
  private final ServerNode[] servers;

  KetamaLocator(List<ServerNode> nodes) {
    TreeMap<Long, ServerNode> ring = new TreeMap<>();
    for (ServerNode node : nodes) {
      String base = node.address().getPort() == 11211
          ? node.address().getHostString()
          : node.address().getHostString() + ":" + node.address().getPort();
      for (int i = 0; i < DIGESTS_PER_SERVER; i++) {
        byte[] digest = md5(base + "-" + i);
        for (int h = 0; h < 4; h++) {
          ring.put(point(digest, h), node);
        }
      }
    }
    points = new long[ring.size()];
    servers = new ServerNode[ring.size()];
    int i = 0;
    for (Map.Entry<Long, ServerNode> point : ring.entrySet()) {
      points[i] = point.getKey();
      servers[i++] = point.getValue();
    }
  }

  ServerNode locate(String key) {
    return locate(hash(key));
  }

  /** The key's point on the ring, to locate it on several rings with one digest. */
  static long hash(String key) {
    return point(md5(key), 0);
  }

  /** The server of the first point at or after {@code hash}, past the last point the first. */
  ServerNode locate(long hash) {
    int at = Arrays.binarySearch(points, hash);
    if (at < 0) {
      at = -at - 1; // the insertion point: the first point above
    }
    return servers[at == points.length ? 0 : at];
  }

  static long point(byte[] digest, int h) {
    return ((long) (digest[3 + h * 4] & 0xFF) << 24)
        | ((long) (digest[2 + h * 4] & 0xFF) << 16)
        | ((long) (digest[1 + h * 4] & 0xFF) << 8)
        | (digest[h * 4] & 0xFF);
  }

  /** One digest per thread: looking one up per key costs more than hashing the key. */
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("The JDK has no MD5", e);
    }
  });

  static byte[] md5(String text) {
    return MD5.get().digest(text.getBytes(StandardCharsets.UTF_8));
  }
}
