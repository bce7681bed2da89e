package dev.larder.integration;

import com.google.appengine.tools.development.testing.LocalMemcacheServiceTestConfig;
import com.google.appengine.tools.development.testing.LocalServiceTestHelper;
import com.google.apphosting.api.ApiProxy;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For the run on {@code -Dlarder.store=appengine}: App Engine's local memcache service, started once for
 * the whole run (the frameworks' contexts outlive a test class) on the thread that runs the tests, as on
 * App Engine a request's thread has the environment. No App Engine server can be reached from here: this
 * is the service App Engine's SDK provides for tests. Registered by JUnit's extension auto-detection,
 * which only that run turns on; a no-op otherwise.
 */
public final class AppEngineLocalService implements BeforeAllCallback, BeforeEachCallback {

  private static LocalServiceTestHelper helper;
  private static ApiProxy.Environment environment;

  @Override
  public void beforeAll(ExtensionContext context) {
    start(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    start(context);
    if (ApiProxy.getCurrentEnvironment() == null) {
      ApiProxy.setEnvironmentForCurrentThread(environment); // a test on another thread than the first
    }
  }

  private static synchronized void start(ExtensionContext context) {
    if (!Store.appengine() || helper != null) {
      return;
    }
    helper = new LocalServiceTestHelper(new LocalMemcacheServiceTestConfig());
    helper.setUp();
    environment = ApiProxy.getCurrentEnvironment();
    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .put(AppEngineLocalService.class, (ExtensionContext.Store.CloseableResource) () -> helper.tearDown());
  }
}
