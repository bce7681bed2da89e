package dev.larder.appengine;

import com.google.appengine.api.memcache.MemcacheService;
import com.google.appengine.api.memcache.MemcacheServiceFactory;
import com.google.appengine.tools.development.testing.LocalMemcacheServiceTestConfig;
import com.google.appengine.tools.development.testing.LocalServiceTestHelper;
import com.google.apphosting.api.ApiProxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * App Engine's local memcache service for one test, started on the test's thread (as a request's thread
 * has the environment on App Engine), emptied and stopped after it. No App Engine server can be reached
 * from these tests: this is the service the App Engine SDK provides for tests, in the test JVM; every
 * manager and cache of the test shares it, as every instance of an application shares memcache.
 *
 * <p>Faults: {@link #fail()} makes every memcache call fail as the service would ({@code
 * ApiProxy.UnknownException}), {@link #hang()} leaves them unanswered, {@link #heal()} ends either.
 */
final class LocalMemcache implements BeforeEachCallback, AfterEachCallback {

  enum Fault { NONE, FAIL, HANG }

  private final LocalServiceTestHelper helper = new LocalServiceTestHelper(new LocalMemcacheServiceTestConfig());
  private volatile Fault fault = Fault.NONE;
  private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
  private ApiProxy.Environment environment;

  @Override
  public void beforeEach(ExtensionContext context) {
    helper.setUp();
    environment = ApiProxy.getCurrentEnvironment();
    @SuppressWarnings("unchecked")
    ApiProxy.Delegate<ApiProxy.Environment> service = ApiProxy.getDelegate();
    ApiProxy.setDelegate(new FaultyDelegate(service));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    fault = Fault.NONE;
    helper.tearDown();
  }

  /** The service as an application sees it, without Larder: to look at and plant items. */
  MemcacheService raw() {
    return MemcacheServiceFactory.getMemcacheService("");
  }

  /** Runs on the calling thread with the test's environment, as on a thread made by ThreadManager. */
  void adopt() {
    ApiProxy.setEnvironmentForCurrentThread(environment);
  }

  /** Memcache calls made since the test started. */
  int calls() {
    return calls.get();
  }

  void fail() {
    fault = Fault.FAIL;
  }

  void hang() {
    fault = Fault.HANG;
  }

  void heal() {
    fault = Fault.NONE;
  }

  /** The local service's delegate, failing or hanging memcache calls on demand. */
  private final class FaultyDelegate implements ApiProxy.Delegate<ApiProxy.Environment> {
    private final ApiProxy.Delegate<ApiProxy.Environment> service;

    FaultyDelegate(ApiProxy.Delegate<ApiProxy.Environment> service) {
      this.service = service;
    }

    @Override
    public byte[] makeSyncCall(ApiProxy.Environment env, String pkg, String method, byte[] request) {
      if ("memcache".equals(pkg)) {
        calls.incrementAndGet();
      }
      if ("memcache".equals(pkg) && fault != Fault.NONE) {
        throw new ApiProxy.UnknownException(pkg, method);
      }
      return service.makeSyncCall(env, pkg, method, request);
    }

    @Override
    public Future<byte[]> makeAsyncCall(ApiProxy.Environment env, String pkg, String method, byte[] request,
        ApiProxy.ApiConfig config) {
      if ("memcache".equals(pkg)) {
        calls.incrementAndGet();
        switch (fault) {
          case FAIL -> {
            return CompletableFuture.failedFuture(new ApiProxy.UnknownException(pkg, method));
          }
          case HANG -> {
            return new CompletableFuture<>(); // never answered
          }
          default -> {
            // answered by the local service
          }
        }
      }
      return service.makeAsyncCall(env, pkg, method, request, config);
    }

    @Override
    public void log(ApiProxy.Environment env, ApiProxy.LogRecord record) {
      service.log(env, record);
    }

    @Override
    public void flushLogs(ApiProxy.Environment env) {
      service.flushLogs(env);
    }

    @Override
    public List<Thread> getRequestThreads(ApiProxy.Environment env) {
      return service.getRequestThreads(env);
    }
  }
}
