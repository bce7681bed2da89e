package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeyOrderTest {

  private final KeyOrder order = new KeyOrder();

  @Test
  void oneKeysWorkRunsOneAtATimeAndTheLockGoesWhenDone() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean secondRan = new AtomicBoolean();
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try {
      Future<?> first = threads.submit(() -> order.inOrder("k", () -> {
        inside.countDown();
        await(release);
        return null;
      }));
      assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
      Future<?> second = threads.submit(() -> order.inOrder("k", () -> secondRan.getAndSet(true)));
      Future<?> otherKey = threads.submit(() -> order.inOrder("other", () -> null));
      otherKey.get(5, TimeUnit.SECONDS); // another key does not wait
      assertThat(secondRan).as("the same key waits for the first").isFalse();
      release.countDown();
      first.get(5, TimeUnit.SECONDS);
      second.get(5, TimeUnit.SECONDS);
      assertThat(secondRan).isTrue();
      assertThat(order.size()).as("no lock left once done").isZero();
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aThreadHoldingAKeyMayTakeItAgain() {
    // a synchronous listener writing the key it hears about
    AtomicInteger ran = new AtomicInteger();
    String result = order.inOrder("k", () -> order.inOrder("k", () -> {
      order.inOrderAll(List.of("k", "j"), ran::incrementAndGet);
      return "done";
    }));
    assertThat(result).isEqualTo("done");
    assertThat(ran).hasValue(1);
    assertThat(order.size()).isZero();
  }

  @Test
  void batchesOverTheSameKeysInOppositeOrdersDoNotDeadlock() throws Exception {
    List<String> forward = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      forward.add("key" + i);
    }
    List<String> backward = new ArrayList<>(forward);
    java.util.Collections.reverse(backward);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (List<String> keys : List.of(forward, backward)) {
        runs.add(threads.submit(() -> {
          for (int i = 0; i < 2_000; i++) {
            order.inOrderAll(keys, () -> {
              most.accumulateAndGet(inside.incrementAndGet(), Math::max);
              inside.decrementAndGet();
            });
          }
        }));
      }
      for (Future<?> run : runs) {
        run.get(30, TimeUnit.SECONDS); // a deadlock times out here
      }
      assertThat(most).as("batches sharing keys never overlap").hasValue(1);
      assertThat(order.size()).isZero();
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
