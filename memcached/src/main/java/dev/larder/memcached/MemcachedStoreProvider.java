package dev.larder.memcached;

import dev.larder.store.StoreFactory;
import dev.larder.store.StoreProvider;
import java.util.Properties;
import java.util.Set;

/** Selects the memcached store with {@code -Dlarder.store=memcached}. */
public final class MemcachedStoreProvider implements StoreProvider {

  @Override
  public String name() {
    return "memcached";
  }

  @Override
  public StoreFactory factory(Properties settings) {
    return MemcachedStoreFactory.of(MemcachedSettings.from(settings));
  }

  @Override
  public Set<String> settingNames() {
    return MemcachedSettings.NAMES;
  }
}
