package dev.larder;

import dev.larder.integration.Integration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * The cache's writer, or {@link #NONE} where there is none (write-through off): the cache calls it
 * without asking. The spec's wrapping of failures ({@link CacheWriterException}) and the batch rule (a
 * writer leaves in the batch what it did not write) are applied here once.
 */
final class WriteThrough<K, V> {

  /** No writer: every call does nothing. */
  @SuppressWarnings("rawtypes")
  private static final WriteThrough NONE = new WriteThrough<>(null);

  private final CacheWriter<Object, Object> writer;

  private WriteThrough(CacheWriter<Object, Object> writer) {
    this.writer = writer;
  }

  @SuppressWarnings("unchecked")
  static <K, V> WriteThrough<K, V> none() {
    return NONE;
  }

  /** The writer, or {@link #none()} for {@code null}. */
  @SuppressWarnings("unchecked")
  static <K, V> WriteThrough<K, V> of(CacheWriter<? super K, ? super V> writer) {
    return writer == null ? none() : new WriteThrough<>((CacheWriter<Object, Object>) writer);
  }

  /** Whether there is a writer: if not, a put need not read the key inside the atomic update. */
  boolean writes() {
    return writer != null;
  }

  /** The writer itself, to close it with the cache; {@code null} for none. */
  Object writer() {
    return writer;
  }

  void write(K key, V value) {
    if (writer != null) {
      try {
        writer.write(new LarderEntry<>(key, value));
      } catch (Exception e) {
        throw Integration.writerFailure(e);
      }
    }
  }

  void delete(K key) {
    if (writer != null) {
      try {
        writer.delete(key);
      } catch (Exception e) {
        throw Integration.writerFailure(e);
      }
    }
  }

  /** Writes the entries as one batch; says which it did not write, and why. */
  Unwritten<K> writeAll(Map<? extends K, ? extends V> entries) {
    if (writer == null || entries.isEmpty()) {
      return Unwritten.none();
    }
    List<Cache.Entry<?, ?>> batch = new ArrayList<>(entries.size());
    for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
      batch.add(new LarderEntry<>(entry.getKey(), entry.getValue()));
    }
    try {
      writer.writeAll(batch);
      return Unwritten.none();
    } catch (Exception e) {
      Set<Object> left = new HashSet<>();
      for (Cache.Entry<?, ?> entry : batch) {
        left.add(entry.getKey());
      }
      return new Unwritten<>(left, Integration.writerFailure(e));
    }
  }

  /** Deletes the keys as one batch; says which it did not delete, and why. */
  Unwritten<K> deleteAll(Set<? extends K> keys) {
    if (writer == null || keys.isEmpty()) {
      return Unwritten.none();
    }
    Collection<Object> batch = new LinkedHashSet<>(keys);
    try {
      writer.deleteAll(batch);
      return Unwritten.none();
    } catch (Exception e) {
      return new Unwritten<>(new HashSet<>(batch), Integration.writerFailure(e));
    }
  }

  /**
   * What a batch left out of the system of record, which the cache leaves out too: the keys (as the
   * writer left them in the batch) and the failure to throw once the rest is done; none and null if all
   * went through.
   */
  record Unwritten<K>(Set<Object> keys, CacheWriterException failure) {
    private static final Unwritten<?> NONE = new Unwritten<>(Set.of(), null);

    @SuppressWarnings("unchecked")
    static <K> Unwritten<K> none() {
      return (Unwritten<K>) NONE;
    }

    boolean contains(K key) {
      return keys.contains(key);
    }
  }
}
