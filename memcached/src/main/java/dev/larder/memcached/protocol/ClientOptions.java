package dev.larder.memcached.protocol;

/**
 * How a {@link MemcachedClient} talks to its servers and judges their health.
 *
 * @param connectionsPerServer pipelined connections to each server
 * @param timeoutMillis how long a request may wait for its answer
 * @param connectTimeoutMillis how long a connection may take to open
 * @param failureLimit timeouts or I/O errors in a row after which a server is marked down
 * @param probeIntervalMillis how often a server marked down is probed
 * @param ejectAfterMillis how long a server must have been down before its keys move to the others;
 *     negative: never (its keys fail or miss until it is back)
 * @param failoverTtlSeconds the longest an entry written to another server in place of an ejected one
 *     lives there; the ejected server, once back, is not ejected again for that long
 * @param healthClock when the health work runs and the time it judges by: {@link HealthClock#SYSTEM}, or a
 *     test's clock
 */
public record ClientOptions(int connectionsPerServer, int timeoutMillis, int connectTimeoutMillis, int failureLimit,
    long probeIntervalMillis, long ejectAfterMillis, long failoverTtlSeconds, HealthClock healthClock) {

  public ClientOptions {
    java.util.Objects.requireNonNull(healthClock, "healthClock");
    if (connectionsPerServer <= 0 || timeoutMillis <= 0 || connectTimeoutMillis <= 0 || failureLimit <= 0
        || probeIntervalMillis <= 0 || failoverTtlSeconds <= 0) {
      throw new IllegalArgumentException("memcached client options must be positive: connections "
          + connectionsPerServer + ", timeout " + timeoutMillis + " ms, connect timeout " + connectTimeoutMillis
          + " ms, failure limit " + failureLimit + ", probe interval " + probeIntervalMillis + " ms, failover TTL "
          + failoverTtlSeconds + " s");
    }
  }
}
