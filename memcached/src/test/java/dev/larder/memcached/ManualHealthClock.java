package dev.larder.memcached;

import dev.larder.memcached.protocol.HealthClock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link HealthClock} a test moves by hand. {@link #advance} moves the time and runs, on the calling
 * thread, each task that has fallen due, once, in the order they fell due: as a real fixed-delay schedule
 * does when its thread was held up for that long (a task due runs once, not once per period missed). A
 * test that needs every round steps the clock one period at a time.
 */
public final class ManualHealthClock implements HealthClock {

  private final Object lock = new Object();
  /** Far from 0, so that a span measured against a zero field would show. */
  private long nanos = TimeUnit.DAYS.toNanos(1);
  private long sequence;
  private final List<Task> tasks = new ArrayList<>();

  @Override
  public Timer start(String client) {
    return new ManualTimer();
  }

  /** Moves the time {@code millis} on, then runs what fell due. */
  public void advance(long millis) {
    List<Task> due;
    synchronized (lock) {
      nanos += TimeUnit.MILLISECONDS.toNanos(millis);
      long now = nanos;
      due = new ArrayList<>(tasks.stream().filter(task -> task.dueNanos <= now).toList());
      tasks.removeAll(due);
    }
    due.sort(Comparator.comparingLong((Task task) -> task.dueNanos).thenComparingLong(task -> task.sequence));
    for (Task task : due) {
      if (task.timer.stopped) {
        continue;
      }
      task.work.run();
      if (task.periodNanos > 0) {
        synchronized (lock) {
          if (!task.timer.stopped) {
            tasks.add(new Task(task.timer, task.work, nanos + task.periodNanos, task.periodNanos, sequence++));
          }
        }
      }
    }
  }

  /** Tasks waiting, of timers not stopped. */
  public int pending() {
    synchronized (lock) {
      return (int) tasks.stream().filter(task -> !task.timer.stopped).count();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "ManualHealthClock[" + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms, " + tasks.size() + " tasks]";
    }
  }

  private record Task(ManualTimer timer, Runnable work, long dueNanos, long periodNanos, long sequence) {
  }

  private final class ManualTimer implements Timer {
    private volatile boolean stopped;

    @Override
    public long nanoTime() {
      synchronized (lock) {
        return nanos;
      }
    }

    @Override
    public void repeat(Runnable task, long periodMillis) {
      schedule(task, periodMillis, TimeUnit.MILLISECONDS.toNanos(periodMillis));
    }

    @Override
    public void once(Runnable task, long delayMillis) {
      schedule(task, delayMillis, 0);
    }

    private void schedule(Runnable task, long delayMillis, long periodNanos) {
      synchronized (lock) {
        if (!stopped) {
          tasks.add(new Task(this, task, nanos + TimeUnit.MILLISECONDS.toNanos(delayMillis), periodNanos, sequence++));
        }
      }
    }

    @Override
    public void stop(long awaitMillis) {
      synchronized (lock) {
        stopped = true;
        tasks.removeIf(task -> task.timer == this);
      }
    }
  }
}
