package dev.larder.appengine;

import dev.larder.store.StoreUnavailableException;

/**
 * App Engine's memcache failed a call or did not answer in time: what the failure policy
 * ({@code larder.appengine.on.failure}) turns into a miss or a skipped write, or lets through.
 */
final class ServiceUnavailableException extends StoreUnavailableException {

  private static final long serialVersionUID = 1L;

  ServiceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
