package dev.larder.processor;

import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

/** One key's result of {@code invokeAll}: the processor's return value, or its failure. */
public final class ProcessorResult<T> implements EntryProcessorResult<T> {

  private final T value;
  private final EntryProcessorException failure;

  private ProcessorResult(T value, EntryProcessorException failure) {
    this.value = value;
    this.failure = failure;
  }

  public static <T> ProcessorResult<T> of(T value) {
    return new ProcessorResult<>(value, null);
  }

  public static <T> ProcessorResult<T> failed(EntryProcessorException failure) {
    return new ProcessorResult<>(null, failure);
  }

  @Override
  public T get() throws EntryProcessorException {
    if (failure != null) {
      throw failure;
    }
    return value;
  }
}
