package dev.larder.memcached.protocol;

/**
 * One memcached server as this JVM sees it, under
 * {@code dev.larder:type=MemcachedServer,client=<n>,server=<host>_<port>} (one per server of each
 * client; a client is shared by every cache with the same settings).
 */
public interface MemcachedServerMXBean {

  /** {@code host:port}. */
  String getServer();

  /**
   * {@code up}; {@code down} (its keys fail or miss at once, without waiting, while a probe checks it);
   * {@code ejected} (down long enough that its keys moved to the other servers).
   */
  String getState();

  /** Timeouts and I/O errors in a row since its last answer. */
  int getConsecutiveFailures();

  /** Requests that got no answer within the timeout, since the client started. */
  long getTimeouts();

  /** Timeouts, refused or dropped connections and I/O errors, since the client started. */
  long getFailures();

  /** How often it was marked down. */
  long getTimesMarkedDown();

  /** How often it came back into service after being down. */
  long getReconnections();

  /** Writes that failed or were skipped or moved while it was failing, to delete before it serves again. */
  int getWritesInDoubt();

  /** When the state last changed, ISO-8601, or empty if never. */
  String getLastStateChange();

  /** The last failure's description, or empty. */
  String getLastFailure();
}
