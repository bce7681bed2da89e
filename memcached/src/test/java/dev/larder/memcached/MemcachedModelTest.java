package dev.larder.memcached;

import dev.larder.JCacheModelProperties;
import dev.larder.store.StoreFactory;

/** The JCache model properties on memcached (3 servers on loopback). */
class MemcachedModelTest extends JCacheModelProperties {

  private static final String PREFIX = "model" + Long.toString(System.nanoTime(), 36);

  @Override
  protected StoreFactory storeFactory() {
    return MemcachedStoreFactory.of(MemcachedSettings.servers(MemcachedServers.shared()).withPrefix(PREFIX));
  }
}
