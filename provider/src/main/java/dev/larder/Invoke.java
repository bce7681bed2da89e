package dev.larder;

import dev.larder.processor.ProcessorEntry;
import dev.larder.store.StoreEntry;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;

/**
 * {@code invoke}: the processor works on a {@link ProcessorEntry} holding a copy of the live value, and
 * its net effect is applied once it returns: nothing, an access, a load (read-through, no writer), a
 * write or a remove (both through the writer). Any failure, the writer's included, reaches the caller
 * as an {@link EntryProcessorException} and leaves the entry as it was.
 */
@SuppressWarnings("ArrayRecordComponent") // never compared or hashed: the caller's arguments, handed on as given
record Invoke<K, V, T>(EntryProcessor<K, V, T> processor, Object[] arguments) implements Operation<K, V> {

  @Override
  public Outcome<V> apply(K key, Found<V> found, Rules<K, V> rules) {
    StoreEntry<V> live = found.live();
    ProcessorEntry<K, V> entry = new ProcessorEntry<>(key,
        live == null ? null : rules.copies().out(live.value()), rules.readThrough());
    try {
      T result = processor.process(entry, arguments);
      return applyNetEffect(key, entry, found, rules).withResult(result);
    } catch (EntryProcessorException e) {
      throw e;
    } catch (Exception e) {
      throw new EntryProcessorException(e);
    }
  }

  private Outcome<V> applyNetEffect(K key, ProcessorEntry<K, V> entry, Found<V> found, Rules<K, V> rules) {
    return switch (entry.outcome()) {
      case NONE -> found.keep();
      case READ -> found.access(rules.expiry());
      case LOADED -> {
        rules.types().checkValue(entry.value());
        yield found.write(rules.copies().in(entry.value()), rules.expiry(), StoreEntry.NEVER);
      }
      case CREATED, UPDATED -> {
        rules.types().check(key, entry.value());
        rules.writer().write(key, entry.value());
        yield found.write(rules.copies().in(entry.value()), rules.expiry(), StoreEntry.NEVER);
      }
      case REMOVED -> {
        rules.writer().delete(key);
        yield found.remove();
      }
    };
  }

  @Override
  public Counts counts() {
    return Counts.READ_AND_WRITES;
  }
}
