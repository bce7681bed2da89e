package dev.larder.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.MutableEntry;
import org.junit.jupiter.api.Test;

/** The net effect a processor's calls leave on its entry, and invokeAll's per-key result. */
class ProcessorEntryTest {

  @Test
  void readingAnExistingValueIsAnAccessAndLoadsNothing() {
    AtomicInteger loads = new AtomicInteger();
    ProcessorEntry<String, String> entry = new ProcessorEntry<>("k", "v", key -> "loaded" + loads.incrementAndGet());
    assertThat(entry.existed()).isTrue();
    assertThat(entry.exists()).isTrue();
    assertThat(entry.outcome()).isEqualTo(ProcessorEntry.Outcome.NONE);
    assertThat(entry.getValue()).isEqualTo("v");
    assertThat(entry.outcome()).isEqualTo(ProcessorEntry.Outcome.READ);
    assertThat(loads).hasValue(0);
    assertThat(entry.getKey()).isEqualTo("k");
  }

  @Test
  void readingAnAbsentValueLoadsItOnceUnderReadThrough() {
    AtomicInteger loads = new AtomicInteger();
    ProcessorEntry<String, String> entry = new ProcessorEntry<>("k", null, key -> key + loads.incrementAndGet());
    assertThat(entry.exists()).isFalse();
    assertThat(entry.getValue()).isEqualTo("k1");
    assertThat(entry.getValue()).isEqualTo("k1");
    assertThat(loads).hasValue(1);
    assertThat(entry.outcome()).isEqualTo(ProcessorEntry.Outcome.LOADED);
    assertThat(entry.value()).isEqualTo("k1");
    assertThat(entry.exists()).isTrue();

    ProcessorEntry<String, String> nothingToLoad = new ProcessorEntry<>("k", null, key -> null);
    assertThat(nothingToLoad.getValue()).isNull();
    assertThat(nothingToLoad.outcome()).isEqualTo(ProcessorEntry.Outcome.NONE);
    ProcessorEntry<String, String> noReadThrough = new ProcessorEntry<>("k", null, null);
    assertThat(noReadThrough.getValue()).isNull();
    assertThat(noReadThrough.outcome()).isEqualTo(ProcessorEntry.Outcome.NONE);
  }

  @Test
  void settingCreatesOrUpdatesAndRemovingWhatWasCreatedUndoesIt() {
    ProcessorEntry<String, String> absent = new ProcessorEntry<>("k", null, null);
    absent.setValue("new");
    assertThat(absent.outcome()).isEqualTo(ProcessorEntry.Outcome.CREATED);
    assertThat(absent.getValue()).as("a set value is read back, not loaded").isEqualTo("new");
    assertThat(absent.outcome()).isEqualTo(ProcessorEntry.Outcome.CREATED);
    absent.remove();
    assertThat(absent.outcome()).isEqualTo(ProcessorEntry.Outcome.NONE);
    assertThat(absent.exists()).isFalse();

    ProcessorEntry<String, String> present = new ProcessorEntry<>("k", "old", null);
    present.setValue("new");
    assertThat(present.outcome()).isEqualTo(ProcessorEntry.Outcome.UPDATED);
    assertThat(present.value()).isEqualTo("new");
    present.remove();
    assertThat(present.outcome()).isEqualTo(ProcessorEntry.Outcome.REMOVED);
    present.setValue("again");
    assertThat(present.outcome()).as("it existed before the processor ran").isEqualTo(ProcessorEntry.Outcome.UPDATED);

    ProcessorEntry<String, String> removedAbsent = new ProcessorEntry<>("k", null, null);
    removedAbsent.remove();
    assertThat(removedAbsent.outcome()).as("the writer still deletes the key").isEqualTo(ProcessorEntry.Outcome.REMOVED);

    assertThatThrownBy(() -> present.setValue(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void unwrapGivesTheEntryItselfAndNothingElse() {
    ProcessorEntry<String, String> entry = new ProcessorEntry<>("k", "v", null);
    assertThat(entry.unwrap(MutableEntry.class)).isSameAs(entry);
    assertThat(entry.unwrap(ProcessorEntry.class)).isSameAs(entry);
    assertThatThrownBy(() -> entry.unwrap(String.class)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aResultIsTheValueOrThrowsTheFailure() {
    assertThat(ProcessorResult.of("r").get()).isEqualTo("r");
    EntryProcessorException failure = new EntryProcessorException("failed");
    assertThatThrownBy(() -> ProcessorResult.failed(failure).get()).isSameAs(failure);
  }
}
