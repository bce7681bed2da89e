package dev.larder.memcached;

/**
 * One memcached client (shared by every cache of a JVM with the same settings), under
 * {@code dev.larder:type=MemcachedClient,client=larder-<n>}: its servers, and a way for an operator to
 * change them while it runs, for a list kept by hand (with a discovery endpoint, the endpoint rules).
 */
public interface MemcachedClientMXBean {

  /** {@code host:port,...}, in list order. */
  String getServers();

  /** {@code host:port=up|down|ejected,...}. */
  String getServerStates();

  /**
   * Replaces the server list ({@code host:port,...}): servers kept keep their connections and keys,
   * keys move as ketama says and no more. Every cache sharing this client follows.
   *
   * @throws IllegalArgumentException naming the entry that is not {@code host:port}
   */
  void updateServers(String servers);
}
