package dev.larder.memcached.protocol;

import javax.cache.CacheException;

/**
 * A memcached server could not be reached, did not answer in time, or dropped the connection: the
 * failures the store's failure policy may turn into a miss. Not used for what the server did answer.
 */
public final class ServerUnavailableException extends CacheException {

  private static final long serialVersionUID = 1L;

  public ServerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
