package dev.larder.store;

import javax.cache.CacheException;

/**
 * The service behind a remote store failed or did not answer in time: the failure a
 * {@link FailurePolicyStore} may turn into a miss or a skipped write. Not used for what the service did
 * answer, nor for mistakes of the caller's.
 */
public class StoreUnavailableException extends CacheException {

  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
