package dev.larder.appengine;

import dev.larder.store.StoreFactory;
import dev.larder.store.StoreProvider;
import java.util.Properties;
import java.util.Set;

/** Selects the App Engine store with {@code -Dlarder.store=appengine}. */
public final class AppEngineStoreProvider implements StoreProvider {

  @Override
  public String name() {
    return "appengine";
  }

  @Override
  public StoreFactory factory(Properties settings) {
    return AppEngineStoreFactory.of(AppEngineSettings.from(settings));
  }

  @Override
  public Set<String> settingNames() {
    return AppEngineSettings.NAMES;
  }
}
