package dev.larder.store;

import java.util.Properties;
import java.util.Set;

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

  /**
   * Every setting this store reads, such as {@code larder.memcached.servers}: a configuration file's
   * {@code larder.NAME} section may hold these and nothing else, so a misspelt key is an error, not a
   * silently ignored line.
   */
  Set<String> settingNames();
}
