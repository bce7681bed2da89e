package dev.larder.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Counts from owning threads, from threads whose slot is taken, across resets, read while counting. */
class OwnedCounterTest {

  @Test
  void threadsSharingASlotCountingAtOnceLoseNothing() throws InterruptedException {
    OwnedCounter counter = new OwnedCounter();
    int adds = 2_000_000;
    CountDownLatch start = new CountDownLatch(1);
    Runnable count = () -> {
      awaitQuietly(start);
      for (int i = 0; i < adds; i++) {
        counter.increment();
      }
    };
    // three threads whose ids select the same slot: one owns it, the others count through the adder
    List<Thread> sharing = new ArrayList<>();
    List<Thread> others = new ArrayList<>();
    while (sharing.size() < 3) {
      Thread thread = new Thread(count);
      if (sharing.isEmpty() || sameSlot(sharing.get(0), thread)) {
        sharing.add(thread);
      } else if (others.size() < 5) {
        others.add(thread); // and a few with slots of their own
      }
    }
    List<Thread> running = new ArrayList<>(sharing);
    running.addAll(others);
    running.forEach(Thread::start);
    start.countDown();
    joinAll(running);
    assertThat(counter.sum()).isEqualTo((long) running.size() * adds);
  }

  @SuppressWarnings("deprecation") // as OwnedCounter reads it
  private static boolean sameSlot(Thread one, Thread other) {
    return (one.getId() & 63) == (other.getId() & 63);
  }

  @Test
  void threadsLandingOnTheSlotOfAThreadThatEndedCountThroughTheAdder() throws InterruptedException {
    OwnedCounter counter = new OwnedCounter();
    // 200 threads one after the other: at most 64 own a slot, the others' ids land on taken slots
    for (int t = 0; t < 200; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 1_000; i++) {
          counter.add(2);
        }
      });
      thread.start();
      joinAll(List.of(thread));
    }
    counter.add(5); // the test's own thread, owner or not
    assertThat(counter.sum()).isEqualTo(200L * 1_000 * 2 + 5);
  }

  @Test
  void aResetLosesNoAddMadeAfterItAndTheSumNeverGoesBack() throws InterruptedException {
    OwnedCounter counter = new OwnedCounter();
    counter.add(10);
    counter.reset();
    assertThat(counter.sum()).isZero();
    counter.add(3);
    assertThat(counter.sum()).isEqualTo(3);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> wrong = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      long last = 0;
      while (!stop.get()) {
        long now = counter.sum();
        if (now < last) {
          wrong.set("the sum went back from " + last + " to " + now);
        }
        last = now;
      }
    });
    List<Thread> adders = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      adders.add(new Thread(() -> {
        for (int i = 0; i < 300_000; i++) {
          counter.increment();
        }
      }));
    }
    reader.start();
    adders.forEach(Thread::start);
    joinAll(adders);
    stop.set(true);
    joinAll(List.of(reader));
    assertThat(wrong.get()).isNull();
    assertThat(counter.sum()).isEqualTo(3 + 3L * 300_000);
  }

  private static void joinAll(List<Thread> threads) throws InterruptedException {
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).as(thread.getName() + " still running after 30 s").isFalse();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
