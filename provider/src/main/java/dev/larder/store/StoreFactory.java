package dev.larder.store;

/**
 * Creates the store behind one cache. The in-process store is the default; other backends (memcached)
 * plug in here, chosen on {@code LarderConfiguration}.
 */
@FunctionalInterface
public interface StoreFactory {

  <K, V> Store<K, V> create(StoreContext<K, V> context);
}
