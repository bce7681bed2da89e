package dev.larder.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery on its own: which listener gets what, failures, order per key, closing. */
class EventDispatcherTest {

  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final CacheManager manager = Caching.getCachingProvider().getCacheManager();
  /** The cache the events name as their source (delivery itself does not use it). */
  private final Cache<String, String> source = manager.createCache("source", new MutableConfiguration<String, String>());

  @AfterEach
  void stopExecutor() throws InterruptedException {
    manager.close();
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aListenerGetsOnlyTheTypesItListensToAndOldValuesOnlyIfItAskedForThem() {
    EventDispatcher<String, String> dispatcher = new EventDispatcher<>(executor);
    Recorder withOld = new Recorder();
    Recorder withoutOld = new Recorder();
    dispatcher.register(configuration(withOld, null, true, true));
    dispatcher.register(configuration(withoutOld, null, false, true));
    assertThat(dispatcher.wants(EventType.UPDATED)).isTrue();
    assertThat(dispatcher.wants(EventType.REMOVED)).as("nobody listens to removals").isFalse();

    dispatcher.publish(source, EventType.CREATED, "k", "v1", null);
    dispatcher.publish(source, EventType.UPDATED, "k", "v2", "v1");
    dispatcher.publish(source, EventType.REMOVED, "k", null, "v2");

    assertThat(withOld.seen).containsExactly("CREATED k=v1", "UPDATED k=v2 old=v1");
    assertThat(withoutOld.seen).containsExactly("CREATED k=v1", "UPDATED k=v2 old=-");
  }

  @Test
  void aFilterDecidesPerEvent() {
    EventDispatcher<String, String> dispatcher = new EventDispatcher<>(executor);
    Recorder recorder = new Recorder();
    dispatcher.register(configuration(recorder, new OnlyKey("a"), false, true));
    dispatcher.publish(source, EventType.CREATED, "a", "1", null);
    dispatcher.publish(source, EventType.CREATED, "b", "2", null);
    assertThat(recorder.seen).containsExactly("CREATED a=1");
  }

  @Test
  void aFailingSynchronousListenerFailsThePublishAfterEveryListenerHasTheEvent() {
    EventDispatcher<String, String> dispatcher = new EventDispatcher<>(executor);
    Recorder failing = new Recorder();
    failing.failWith = new IllegalStateException("listener down");
    Recorder second = new Recorder();
    dispatcher.register(configuration(failing, null, false, true));
    dispatcher.register(configuration(second, null, false, true));
    assertThatThrownBy(() -> dispatcher.publish(source, EventType.CREATED, "k", "v", null))
        .isInstanceOf(CacheEntryListenerException.class).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(second.seen).containsExactly("CREATED k=v");

    // a CacheEntryListenerException is thrown as it is
    failing.failWith = new CacheEntryListenerException("as it is");
    assertThatThrownBy(() -> dispatcher.publish(source, EventType.CREATED, "k", "v", null)).hasMessage("as it is")
        .hasNoCause();
  }

  @Test
  void asynchronousDeliveriesOfOneKeyArriveInOrderAndFailuresStayWithTheListener() {
    EventDispatcher<String, String> dispatcher = new EventDispatcher<>(executor);
    Recorder recorder = new Recorder();
    dispatcher.register(configuration(recorder, null, true, false));
    Recorder failing = new Recorder();
    failing.failWith = new IllegalStateException("asynchronous listener down");
    dispatcher.register(configuration(failing, null, true, false));
    for (int i = 1; i <= 500; i++) {
      for (String key : List.of("a", "b", "c")) {
        dispatcher.publish(source, EventType.UPDATED, key, key + i, key + (i - 1)); // never throws
      }
    }
    dispatcher.awaitQuiescence(10_000);
    Map<String, List<String>> perKey = new java.util.HashMap<>();
    for (String event : recorder.seen) {
      perKey.computeIfAbsent(event.substring(8, 9), k -> new ArrayList<>()).add(event);
    }
    for (String key : List.of("a", "b", "c")) {
      List<String> expected = new ArrayList<>();
      for (int i = 1; i <= 500; i++) {
        expected.add("UPDATED " + key + "=" + key + i + " old=" + key + (i - 1));
      }
      assertThat(perKey.get(key)).as("key " + key).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void waitingForPendingDeliveriesEndsAtAnInterruptAndKeepsIt() {
    EventDispatcher<String, String> dispatcher = new EventDispatcher<>(executor);
    Recorder held = new Recorder();
    held.holdUntil = new java.util.concurrent.CountDownLatch(1);
    dispatcher.register(configuration(held, null, false, false));
    dispatcher.publish(source, EventType.CREATED, "k", "v", null);
    Thread.currentThread().interrupt();
    long start = System.nanoTime();
    try {
      dispatcher.awaitQuiescence(10_000);
      assertThat(Thread.currentThread().isInterrupted()).as("the caller's interrupt is kept").isTrue();
      assertThat(System.nanoTime() - start).as("returned at the interrupt, not at the 10 s bound")
          .isLessThan(TimeUnit.SECONDS.toNanos(5));
    } finally {
      Thread.interrupted();
      held.holdUntil.countDown();
    }
    dispatcher.awaitQuiescence(10_000);
    assertThat(held.seen).containsExactly("CREATED k=v");
  }

  @Test
  void closingAndDeregisteringCloseTheListenersAndNothingIsDeliveredAfterwards() {
    EventDispatcher<String, String> dispatcher = new EventDispatcher<>(executor);
    Recorder kept = new Recorder();
    Recorder dropped = new Recorder();
    MutableCacheEntryListenerConfiguration<String, String> droppedConfiguration = configuration(dropped, null, false, true);
    dispatcher.register(configuration(kept, null, false, true));
    dispatcher.register(droppedConfiguration);
    assertThatThrownBy(() -> dispatcher.register(droppedConfiguration)).isInstanceOf(IllegalArgumentException.class);

    assertThat(dispatcher.deregister(droppedConfiguration)).isTrue();
    assertThat(dispatcher.deregister(droppedConfiguration)).isFalse();
    assertThat(dropped.closed).isTrue();
    dispatcher.publish(source, EventType.CREATED, "k", "v", null);
    assertThat(dropped.seen).isEmpty();

    dispatcher.close();
    assertThat(kept.closed).isTrue();
    assertThat(dispatcher.hasListeners()).isFalse();
    dispatcher.publish(source, EventType.CREATED, "k2", "v", null);
    assertThat(kept.seen).containsExactly("CREATED k=v");
  }

  private static MutableCacheEntryListenerConfiguration<String, String> configuration(Recorder listener,
      OnlyKey filter, boolean oldValue, boolean synchronous) {
    return new MutableCacheEntryListenerConfiguration<>(FactoryBuilder.factoryOf(listener),
        filter == null ? null : FactoryBuilder.factoryOf(filter), oldValue, synchronous);
  }

  /** Listens to creations and updates, not removals. */
  static final class Recorder implements CacheEntryCreatedListener<String, String>,
      CacheEntryUpdatedListener<String, String>, Closeable, java.io.Serializable {
    final transient List<String> seen = new CopyOnWriteArrayList<>();
    transient volatile RuntimeException failWith;
    transient volatile boolean closed;
    /** When set, each delivery waits for it first. */
    transient volatile java.util.concurrent.CountDownLatch holdUntil;

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      record(events);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      record(events);
    }

    private void record(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      java.util.concurrent.CountDownLatch hold = holdUntil;
      if (hold != null) {
        try {
          hold.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failWith != null) {
        throw failWith;
      }
      for (CacheEntryEvent<? extends String, ? extends String> event : events) {
        seen.add(event.getEventType() + " " + event.getKey() + "=" + event.getValue()
            + (event.getEventType() == EventType.UPDATED ? " old=" + (event.isOldValueAvailable() ? event.getOldValue() : "-") : ""));
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  record OnlyKey(String key) implements CacheEntryEventFilter<String, String>, java.io.Serializable {
    @Override
    public boolean evaluate(CacheEntryEvent<? extends String, ? extends String> event) {
      return event.getKey().equals(key);
    }
  }
}
