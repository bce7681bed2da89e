package dev.larder.memcached.protocol;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When a client's health work runs, and the time it judges by: the probes of servers marked down, the
 * ejection of one down longer than {@link ClientOptions#ejectAfterMillis}, the closing of removed
 * servers, the polls of a discovery endpoint. {@link #SYSTEM} runs it on a daemon thread of each
 * client's own, on {@link System#nanoTime()}; a test gives a clock it moves by hand, so that "down for
 * 500 ms" is a step of its clock and not half a second of sleep.
 *
 * <p>Only the health work follows this clock. A request's own timeout is a wait on a real socket, and
 * runs on real time.
 */
@FunctionalInterface
public interface HealthClock {

  /** A daemon thread per client, on {@link System#nanoTime()}. */
  HealthClock SYSTEM = OwnThread::new;

  /** The timing of one client's health work, from now until it is {@linkplain Timer#stop stopped}. */
  Timer start(String client);

  /** One client's: what it reads the time from and hands its health work to. */
  interface Timer {

    /** A monotonic reading in nanoseconds: down and up spans are measured on it. */
    long nanoTime();

    /** Runs {@code task} every {@code periodMillis}, the first time one period from now (fixed delay). */
    void repeat(Runnable task, long periodMillis);

    /** Runs {@code task} once, {@code delayMillis} from now. */
    void once(Runnable task, long delayMillis);

    /** No task starts after this; a task running now is interrupted and awaited at most {@code awaitMillis}. */
    void stop(long awaitMillis);
  }

  /** {@link #SYSTEM}'s timer. Its tasks catch their own failures, so their futures go unread. */
  @SuppressWarnings("FutureReturnValueIgnored")
  final class OwnThread implements Timer {
    private final ScheduledExecutorService thread;

    OwnThread(String client) {
      thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("larder-memcached-health-"
          + client, true));
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void repeat(Runnable task, long periodMillis) {
      thread.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void once(Runnable task, long delayMillis) {
      thread.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop(long awaitMillis) {
      thread.shutdownNow();
      try {
        thread.awaitTermination(awaitMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
