package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.expiry.ExpiryCalculator;
import dev.larder.store.StoreEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each operation as a table: the entry the key holds before (none, live, expired) and the outcome:
 * what is stored (value and deadline relative to now, or "same" for the entry left as it was), the
 * event, hit or miss, an expired entry reported, and the writer's calls. The policy gives distinct
 * durations (creation 100 ms, update 200, access 300) so that each row shows which one applied.
 */
class OperationsTest {

  static final long NOW = 1_000_000;
  static final StoreEntry<String> LIVE = new StoreEntry<>("old", NOW + 50);
  static final StoreEntry<String> EXPIRED = new StoreEntry<>("old", NOW - 1);

  static Stream<Arguments> table() {
    return Stream.of(
        row("put", put(StoreEntry.NEVER), null, "new@+100 CREATED(new) miss | write k=new"),
        row("put", put(StoreEntry.NEVER), LIVE, "new@+200 UPDATED(new, old) hit | write k=new"),
        row("put", put(StoreEntry.NEVER), EXPIRED, "new@+100 CREATED(new) miss expired | write k=new"),
        row("put with timeout", put(NOW + 5), null, "new@+5 CREATED(new) miss | write k=new"),
        row("put with timeout", put(NOW + 5), LIVE, "new@+5 UPDATED(new, old) hit | write k=new"),
        row("put expired at once", put(NOW), null, "none - miss | write k=new"),
        row("put expired at once", put(NOW), LIVE, "new@+0 UPDATED(new, old) hit | write k=new"),
        row("put expired at once", put(NOW), EXPIRED, "none - miss expired | write k=new"),

        row("putIfAbsent", new Operations.PutIfAbsent<>("new", "new"), null, "new@+100 CREATED(new) miss | write k=new"),
        row("putIfAbsent", new Operations.PutIfAbsent<>("new", "new"), LIVE, "same - hit | -"),
        row("putIfAbsent", new Operations.PutIfAbsent<>("new", "new"), EXPIRED,
            "new@+100 CREATED(new) miss expired | write k=new"),

        row("replace", new Operations.Replace<>(null, "new", "new"), null, "none - miss | -"),
        row("replace", new Operations.Replace<>(null, "new", "new"), LIVE, "new@+200 UPDATED(new, old) hit | write k=new"),
        row("replace", new Operations.Replace<>(null, "new", "new"), EXPIRED, "none - miss expired | -"),
        row("replace if equal", new Operations.Replace<>("old", "new", "new"), LIVE,
            "new@+200 UPDATED(new, old) hit | write k=new"),
        row("replace if equal, mismatch", new Operations.Replace<>("other", "new", "new"), LIVE, "old@+300 - hit | -"),

        row("remove", Operations.Remove.plain(), null, "none - miss | delete k"),
        row("remove", Operations.Remove.plain(), LIVE, "none REMOVED(old) hit | delete k"),
        row("remove", Operations.Remove.plain(), EXPIRED, "none - miss expired | delete k"),
        row("getAndRemove", Operations.Remove.reading(null), LIVE, "none REMOVED(old) hit | delete k"),
        row("remove if equal", Operations.Remove.reading("old"), LIVE, "none REMOVED(old) hit | delete k"),
        row("remove if equal, mismatch", Operations.Remove.reading("other"), LIVE, "old@+300 - hit | -"),
        row("remove if equal, absent", Operations.Remove.reading("old"), null, "none - miss | -"),
        row("remove if equal, expired", Operations.Remove.reading("old"), EXPIRED, "none - miss expired | -"),

        row("putAll's key", new Operations.Batched<>("new"), null, "new@+100 CREATED(new) miss | -"),
        row("putAll's key", new Operations.Batched<>("new"), LIVE, "new@+200 UPDATED(new, old) hit | -"),
        row("removeAll's key", new Operations.Batched<String, String>(null), LIVE, "none REMOVED(old) hit | -"),
        row("removeAll's key", new Operations.Batched<String, String>(null), EXPIRED, "none - miss expired | -"),

        row("loadAll", new Operations.Loaded<>("new", false), null, "new@+100 CREATED(new) miss | -"),
        row("loadAll", new Operations.Loaded<>("new", false), LIVE, "same - hit | -"),
        row("loadAll replacing", new Operations.Loaded<>("new", true), LIVE, "new@+200 UPDATED(new, old) hit | -"),

        row("invoke: set", invokeDoing((entry) -> entry.setValue("new")), null, "new@+100 CREATED(new) miss | write k=new"),
        row("invoke: set", invokeDoing((entry) -> entry.setValue("new")), LIVE, "new@+200 UPDATED(new, old) hit | write k=new"),
        row("invoke: read", invoke((entry) -> entry.getValue()), LIVE, "old@+300 - hit | -"),
        row("invoke: exists", invoke((entry) -> entry.exists()), LIVE, "same - hit | -"),
        row("invoke: exists", invoke((entry) -> entry.exists()), EXPIRED, "none - miss expired | -"),
        row("invoke: remove", invokeDoing((entry) -> { entry.remove(); }), LIVE, "none REMOVED(old) hit | delete k"),
        row("invoke: remove", invokeDoing((entry) -> { entry.remove(); }), null, "none - miss | delete k"),
        row("invoke: set then remove", invokeDoing((entry) -> { entry.setValue("new"); entry.remove(); }), null,
            "none - miss | -"));
  }

  @ParameterizedTest(name = "{0} over {2}")
  @MethodSource("table")
  void theOutcomeOfEachOperationOverEachEntry(String name, Operation<String, String> operation,
      StoreEntry<String> before, String expected) {
    RecordingWriter writer = new RecordingWriter();
    Rules<String, String> rules = rules(new DistinctDurations(), writer);
    Outcome<String> outcome = operation.apply("k", new Found<>(before, NOW), rules);
    assertThat(describe(outcome, before) + " | " + writer.calls()).isEqualTo(expected);
  }

  @Test
  void anAccessThePolicyLeavesUnchangedKeepsTheEntryAsItIs() {
    Rules<String, String> rules = rules(new CreatedExpiryPolicy(new Duration(TimeUnit.MILLISECONDS, 100)),
        new RecordingWriter());
    Outcome<String> outcome = new Operations.Replace<String, String>("other", "new", "new").apply("k", new Found<>(LIVE, NOW), rules);
    assertThat(outcome.stored()).isSameAs(LIVE);
    // and an update the policy leaves unchanged keeps the entry's deadline
    Outcome<String> updated = new Operations.Replace<String, String>(null, "new", "new").apply("k", new Found<>(LIVE, NOW), rules);
    assertThat(describe(updated, LIVE)).isEqualTo("new@+50 UPDATED(new, old) hit");
  }

  @Test
  void aWriterThatFailsFailsTheOperationBeforeAnythingIsDecided() {
    RecordingWriter writer = new RecordingWriter();
    writer.fail = true;
    Rules<String, String> rules = rules(new DistinctDurations(), writer);
    assertThatThrownBy(() -> put(StoreEntry.NEVER).apply("k", new Found<>(LIVE, NOW), rules))
        .isInstanceOf(CacheWriterException.class);
    // inside a processor the writer's failure reaches the caller as the processor's
    assertThatThrownBy(() -> invokeDoing((entry) -> entry.setValue("new")).apply("k", new Found<>(LIVE, NOW), rules))
        .isInstanceOf(EntryProcessorException.class).hasCauseInstanceOf(CacheWriterException.class);
  }

  @Test
  void aProcessorsResultAndWhatItSawAreItsOwn() {
    Rules<String, String> rules = rules(new DistinctDurations(), new RecordingWriter());
    Outcome<String> outcome = new Invoke<String, String, String>((entry, arguments) -> entry.getValue() + arguments[0],
        new Object[] {"!"}).apply("k", new Found<>(LIVE, NOW), rules);
    assertThat(outcome.result()).isEqualTo("old!");
    Outcome<String> absent = new Invoke<String, String, String>((entry, arguments) -> entry.getValue(),
        new Object[0]).apply("k", new Found<>(EXPIRED, NOW), rules);
    assertThat(absent.result()).isNull();
  }

  @Test
  void aProcessorReadingThroughLoadsWithoutTheWriter() {
    RecordingWriter writer = new RecordingWriter();
    Rules<String, String> rules = new Rules<>(new ExpiryCalculator(new DistinctDurations()), WriteThrough.of(writer),
        Copies.BY_REFERENCE, new dev.larder.Arguments<>("c", String.class, String.class), key -> "loaded-" + key);
    Outcome<String> outcome = invoke((entry) -> entry.getValue()).apply("k", new Found<>(null, NOW), rules);
    assertThat(describe(outcome, null) + " | " + writer.calls()).isEqualTo("loaded-k@+100 CREATED(loaded-k) miss | -");
  }

  @Test
  void aComputationIsACreationOrARefreshingUpdate() {
    StoreEntry<String> written = new StoreEntry<>("new", NOW + 100);
    assertThat(describe(new Found<String>(null, NOW).computed(written), null)).isEqualTo("new@+100 CREATED(new) miss");
    assertThat(describe(new Found<>(LIVE, NOW).computed(written), LIVE)).isEqualTo("new@+100 UPDATED(new, old) hit");
    assertThat(describe(new Found<>(EXPIRED, NOW).computed(written), EXPIRED))
        .isEqualTo("new@+100 CREATED(new) miss expired");
    assertThat(describe(new Found<>(EXPIRED, NOW).computed(null), EXPIRED)).isEqualTo("none - miss expired");
  }

  @Test
  void whichStatisticsEachOperationCounts() {
    assertThat(put(StoreEntry.NEVER).counts()).isEqualTo(Operation.Counts.WRITES);
    assertThat(new Operations.Put<>("v", "v", StoreEntry.NEVER, true).counts()).isEqualTo(Operation.Counts.READ_AND_WRITES);
    assertThat(new Operations.PutIfAbsent<>("v", "v").counts()).isEqualTo(Operation.Counts.READ_AND_WRITES);
    assertThat(new Operations.Replace<>(null, "v", "v").counts()).isEqualTo(Operation.Counts.READ_AND_WRITES);
    assertThat(Operations.Remove.plain().counts()).isEqualTo(Operation.Counts.WRITES);
    assertThat(Operations.Remove.reading(null).counts()).isEqualTo(Operation.Counts.READ_AND_WRITES);
    assertThat(new Operations.Batched<>("v").counts()).isEqualTo(Operation.Counts.WRITES);
    assertThat(new Operations.Loaded<>("v", true).counts()).isEqualTo(Operation.Counts.NOTHING);
    assertThat(invoke((entry) -> entry.exists()).counts()).isEqualTo(Operation.Counts.READ_AND_WRITES);
  }

  // ---------------------------------------------------------------------------------------------

  static Arguments row(String name, Operation<String, String> operation, StoreEntry<String> before, String expected) {
    String beforeName = before == null ? "no entry" : before == LIVE ? "a live entry" : "an expired entry";
    return Arguments.of(name, operation, org.junit.jupiter.api.Named.of(beforeName, before), expected);
  }

  static Operation<String, String> put(long fixedDeadline) {
    return new Operations.Put<>("new", "new", fixedDeadline, false);
  }

  interface Body {
    Object run(javax.cache.processor.MutableEntry<String, String> entry);
  }

  interface VoidBody {
    void run(javax.cache.processor.MutableEntry<String, String> entry);
  }

  static Operation<String, String> invoke(Body body) {
    EntryProcessor<String, String, Object> processor = (entry, arguments) -> body.run(entry);
    return new Invoke<>(processor, new Object[0]);
  }

  static Operation<String, String> invokeDoing(VoidBody body) {
    EntryProcessor<String, String, Object> processor = (entry, arguments) -> {
      body.run(entry);
      return null;
    };
    return new Invoke<>(processor, new Object[0]);
  }

  static Rules<String, String> rules(ExpiryPolicy policy, RecordingWriter writer) {
    return new Rules<>(new ExpiryCalculator(policy), WriteThrough.of(writer), Copies.BY_REFERENCE,
        new dev.larder.Arguments<>("c", String.class, String.class), null);
  }

  static String describe(Outcome<String> outcome, StoreEntry<String> before) {
    StoreEntry<String> stored = outcome.stored();
    String what = stored == null ? "none" : stored == before ? "same"
        : stored.value() + "@" + (stored.expiresAt() == StoreEntry.NEVER ? "never" : "+" + (stored.expiresAt() - NOW));
    String event = outcome.event() == null ? "-" : outcome.event() + "(" + (outcome.value() == null ? "" : outcome.value())
        + (outcome.old() == null ? "" : (outcome.value() == null ? "" : ", ") + outcome.old()) + ")";
    return what + " " + event + " " + (outcome.hit() ? "hit" : "miss") + (outcome.expired() != null ? " expired" : "");
  }

  /** Creation 100 ms, update 200, access 300: each row shows which applied. */
  static final class DistinctDurations implements ExpiryPolicy {
    @Override
    public Duration getExpiryForCreation() {
      return new Duration(TimeUnit.MILLISECONDS, 100);
    }

    @Override
    public Duration getExpiryForAccess() {
      return new Duration(TimeUnit.MILLISECONDS, 300);
    }

    @Override
    public Duration getExpiryForUpdate() {
      return new Duration(TimeUnit.MILLISECONDS, 200);
    }
  }

  static final class RecordingWriter implements CacheWriter<String, String> {
    final List<String> calls = new ArrayList<>();
    boolean fail;

    String calls() {
      return calls.isEmpty() ? "-" : String.join(", ", calls);
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      if (fail) {
        throw new IllegalStateException("the system of record is down");
      }
      calls.add("write " + entry.getKey() + "=" + entry.getValue());
    }

    @Override
    public void writeAll(java.util.Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      throw new UnsupportedOperationException("no operation writes a batch");
    }

    @Override
    public void delete(Object key) {
      calls.add("delete " + key);
    }

    @Override
    public void deleteAll(java.util.Collection<?> keys) {
      throw new UnsupportedOperationException("no operation deletes a batch");
    }
  }
}
