package dev.larder.memcached;

/**
 * What a memcached-backed cache reports to JMX, next to the standard statistics, under
 * {@code dev.larder:type=MemcachedStore,CacheManager=<manager>,Cache=<cache>}.
 */
public interface MemcachedStoreMXBean {

  /**
   * Calls that met a dead or slow server and, under {@code larder.memcached.on.failure=miss}, were
   * answered as misses or skipped as writes (also counted as misses in the standard statistics when
   * they were reads). Always 0 under the default policy, where such calls throw.
   */
  long getFailures();

  /** The servers, {@code host:port,...}. */
  String getServers();

  /**
   * Each server's state, {@code host:port=up|down|ejected,...}: {@code down} servers' keys fail or miss
   * at once; {@code ejected} servers' keys are on the others. Per-server counters are on the
   * {@code dev.larder:type=MemcachedServer} MXBeans.
   */
  String getServerStates();

  /** How many servers are down or ejected now. */
  int getServersDown();

  /** Reads answered by the near tier ({@code larder.memcached.near.*}); 0 without one. */
  long getNearHits();

  /** Reads through the near tier that went to memcached (missed, stale, or racing a write here); 0 without one. */
  long getNearMisses();

  /** Entries in the near tier now; 0 without one. */
  long getNearSize();

  /** {@code throw} or {@code miss}. */
  String getOnFailure();
}
