package dev.larder;

import dev.larder.store.StoreEntry;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import javax.cache.Cache;

/**
 * The cache's iterator over the store's entries: it skips expired ones, each entry it returns is a read
 * ({@link Reads#iterated}), and {@code remove()} is the cache's {@code remove(key)}.
 */
final class EntryIterator<K, V> implements Iterator<Cache.Entry<K, V>> {

  private final Iterator<Map.Entry<K, StoreEntry<V>>> entries;
  private final Reads<K, V> reads;
  private final Copies copies;
  private final Consumer<K> remove;
  private Map.Entry<K, StoreEntry<V>> next;
  private K lastKey;

  EntryIterator(Iterator<Map.Entry<K, StoreEntry<V>>> entries, Reads<K, V> reads, Copies copies,
      Consumer<K> remove) {
    this.entries = entries;
    this.reads = reads;
    this.copies = copies;
    this.remove = remove;
  }

  @Override
  public boolean hasNext() {
    while (next == null && entries.hasNext()) {
      Map.Entry<K, StoreEntry<V>> candidate = entries.next();
      if (reads.isLive(candidate.getValue())) {
        next = candidate;
      }
    }
    return next != null;
  }

  @Override
  public Cache.Entry<K, V> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Map.Entry<K, StoreEntry<V>> current = next;
    next = null;
    lastKey = current.getKey();
    return new LarderEntry<>(copies.out(lastKey), reads.iterated(lastKey, current.getValue()));
  }

  @Override
  public void remove() {
    if (lastKey == null) {
      throw new IllegalStateException("next() has not been called, or remove() was already called");
    }
    K key = lastKey;
    lastKey = null;
    remove.accept(key);
  }
}
