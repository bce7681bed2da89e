package dev.larder.store;

import java.util.Properties;

/**
 * A backend that can be chosen by name, without code, through {@code -Dlarder.store=NAME} (or the
 * cache manager's properties): found with {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.larder.store.StoreProvider}.
 */
public interface StoreProvider {

  /** The name given to {@code larder.store}, such as {@code memcached}. */
  String name();

  /**
   * The factory for the stores of a cache manager.
   *
   * @param settings the system properties overlaid with the cache manager's properties
   * @throws IllegalArgumentException if a setting is missing or wrong, naming the setting
   */
  StoreFactory factory(Properties settings);
}
