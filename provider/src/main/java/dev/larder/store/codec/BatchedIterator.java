package dev.larder.store.codec;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A remote store's listing, fetched a batch of item keys at a time as the caller walks it: a listing of
 * a million keys never holds more than one batch of entries, and entries gone meanwhile are skipped by
 * {@code fetch}.
 *
 * @param <T> what one listed item becomes (an entry)
 */
public final class BatchedIterator<T> implements Iterator<T> {

  private final List<String> itemKeys;
  private final int batchSize;
  private final Function<List<String>, List<T>> fetch;
  private int position;
  private Iterator<T> batch = Collections.emptyIterator();

  /** @param fetch what the items of one batch of keys are, leaving out those gone */
  public BatchedIterator(List<String> itemKeys, int batchSize, Function<List<String>, List<T>> fetch) {
    this.itemKeys = itemKeys;
    this.batchSize = batchSize;
    this.fetch = fetch;
  }

  @Override
  public boolean hasNext() {
    while (!batch.hasNext() && position < itemKeys.size()) {
      List<String> slice = itemKeys.subList(position, Math.min(itemKeys.size(), position + batchSize));
      position += slice.size();
      batch = fetch.apply(slice).iterator();
    }
    return batch.hasNext();
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return batch.next();
  }
}
