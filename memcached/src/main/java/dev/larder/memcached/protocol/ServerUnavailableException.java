package dev.larder.memcached.protocol;


/**
 * A memcached server could not be reached, did not answer in time, dropped the connection, or is
 * marked down: the failures the store's failure policy may turn into a miss. Not used for what the
 * server did answer.
 */
public final class ServerUnavailableException extends dev.larder.store.StoreUnavailableException {

  private static final long serialVersionUID = 1L;

  /**
   * Whether this failure says something about the server: not when Larder itself closed the
   * connection under the request (another request on it timed out, or the server was marked down).
   */
  private final boolean counts;

  public ServerUnavailableException(String message, Throwable cause) {
    this(message, cause, true);
  }

  ServerUnavailableException(String message, Throwable cause, boolean counts) {
    super(message, cause);
    this.counts = counts;
  }

  boolean counts() {
    return counts;
  }
}
