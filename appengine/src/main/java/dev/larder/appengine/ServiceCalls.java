package dev.larder.appengine;

import com.google.appengine.api.memcache.AsyncMemcacheService;
import com.google.appengine.api.memcache.ErrorHandlers;
import com.google.appengine.api.memcache.MemcacheServiceFactory;
import com.google.apphosting.api.ApiProxy;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.cache.CacheException;

/**
 * Every call to App Engine's memcache, bounded in time and with its failures told apart: a thread
 * without App Engine's environment is a programming error (a {@code CacheException} whatever the
 * policy); the service failing or not answering within the timeout is a {@link ServiceUnavailableException},
 * for the failure policy.
 *
 * <p>The service is asked for its strict error handler: the default one logs a failed call and
 * answers it as a miss, which would hide a broken service from the failure policy and from tests.
 */
final class ServiceCalls {

  private final AsyncMemcacheService service;
  private final long timeoutMillis;

  ServiceCalls(AppEngineSettings settings) {
    this.service = MemcacheServiceFactory.getAsyncMemcacheService(settings.namespace());
    this.service.setErrorHandler(ErrorHandlers.getStrict());
    this.timeoutMillis = settings.timeoutMillis();
  }

  /** The service the calls go to. */
  AsyncMemcacheService service() {
    return service;
  }

  /**
   * Makes the call and waits for its answer, at most the timeout.
   *
   * @param what the operation and key, for errors ({@code "get of larder:m:c:1:sa"})
   */
  <T> T call(String what, Function<AsyncMemcacheService, Future<T>> call) {
    Future<T> answer;
    try {
      answer = call.apply(service);
    } catch (RuntimeException e) {
      throw failure(what, e);
    }
    try {
      return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new ServiceUnavailableException("App Engine memcache did not answer the " + what + " within "
          + timeoutMillis + " ms (" + AppEngineSettings.TIMEOUT + ")", e);
    } catch (ExecutionException e) {
      throw failure(what, e.getCause());
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new CacheException("Interrupted while waiting for App Engine memcache's answer to the " + what, e);
    }
  }

  private static CacheException failure(String what, Throwable cause) {
    if (cause instanceof ApiProxy.CallNotFoundException) {
      return new CacheException("The " + what + " was made on thread '" + Thread.currentThread().getName()
          + "', which carries no App Engine API environment: call the cache from the request's thread or from"
          + " one made by com.google.appengine.api.ThreadManager", cause);
    }
    if (cause instanceof CacheException known) {
      return known;
    }
    return new ServiceUnavailableException("App Engine memcache failed the " + what + ": " + cause, cause);
  }
}
