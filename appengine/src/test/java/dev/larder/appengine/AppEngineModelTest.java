package dev.larder.appengine;

import com.google.appengine.tools.development.testing.LocalMemcacheServiceTestConfig;
import com.google.appengine.tools.development.testing.LocalServiceTestHelper;
import dev.larder.JCacheModelProperties;
import dev.larder.store.StoreFactory;

/** The JCache model properties on App Engine's memcache (its local service, for each property). */
class AppEngineModelTest extends JCacheModelProperties {

  private final LocalServiceTestHelper helper = new LocalServiceTestHelper(new LocalMemcacheServiceTestConfig());

  @Override
  protected void beforeEach() {
    helper.setUp();
  }

  @Override
  protected void afterEach() {
    helper.tearDown();
  }

  @Override
  protected StoreFactory storeFactory() {
    return AppEngineStoreFactory.of(AppEngineSettings.defaults());
  }
}
