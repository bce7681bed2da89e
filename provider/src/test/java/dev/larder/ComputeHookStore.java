package dev.larder;

import dev.larder.store.Store;
import dev.larder.store.StoreEntry;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A store that hands every update to {@code beforeCompute} first (with the key and the update
 * function), then to the store it wraps: how a test makes another writer land just before an update,
 * or a CAS race be lost and the update run again.
 */
final class ComputeHookStore<K, V> implements Store<K, V> {

  final Store<K, V> delegate;
  private final BiConsumer<K, Remapping<K, V>> beforeCompute;

  ComputeHookStore(Store<K, V> delegate, BiConsumer<K, Remapping<K, V>> beforeCompute) {
    this.delegate = delegate;
    this.beforeCompute = beforeCompute;
  }

  @Override
  public StoreEntry<V> compute(K key, Remapping<K, V> remapping) {
    beforeCompute.accept(key, remapping);
    return delegate.compute(key, remapping);
  }

  @Override
  public StoreEntry<V> get(K key) {
    return delegate.get(key);
  }

  @Override
  public Map<K, StoreEntry<V>> getAll(Set<? extends K> keys) {
    return delegate.getAll(keys);
  }

  @Override
  public Iterator<Map.Entry<K, StoreEntry<V>>> entries() {
    return delegate.entries();
  }

  @Override
  public void clear() {
    delegate.clear();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
