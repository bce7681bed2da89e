package dev.larder.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;

/** Resolves the store of caches whose configuration names none. */
public final class Stores {

  /** The property that names the store: {@code in-process} (the default) or a {@link StoreProvider}'s name. */
  public static final String STORE_PROPERTY = "larder.store";

  /** The name of the embedded default. */
  public static final String IN_PROCESS = "in-process";

  private Stores() {
  }

  /**
   * The store factory that {@code settings} name.
   *
   * @throws IllegalArgumentException if {@code larder.store} names a store that is not on the class path
   */
  public static StoreFactory defaultFactory(Properties settings, ClassLoader classLoader) {
    String name = settings.getProperty(STORE_PROPERTY, IN_PROCESS).trim();
    if (name.isEmpty() || name.equals(IN_PROCESS)) {
      return InProcessStore.FACTORY;
    }
    List<String> known = new ArrayList<>(List.of(IN_PROCESS));
    for (StoreProvider provider : ServiceLoader.load(StoreProvider.class, classLoader)) {
      if (provider.name().equals(name)) {
        return provider.factory(settings);
      }
      known.add(provider.name());
    }
    throw new IllegalArgumentException(STORE_PROPERTY + "=" + name + " names no store on the class path;"
        + " known stores: " + known + " (the memcached store is in the artifact dev.larder:larder-memcached)");
  }
}
