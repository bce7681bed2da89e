package dev.larder;

import dev.larder.expiry.TimeSource;
import java.util.concurrent.atomic.AtomicLong;

/** A time source tests move by hand ({@code LarderConfiguration.setTimeSource}): no waiting on real time. */
public final class FakeTime implements TimeSource {

  private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

  @Override
  public long millis() {
    return millis.get();
  }

  /** Moves with {@link #millis}: a test's one clock drives deadlines and intervals alike. */
  @Override
  public long nanos() {
    return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis.get());
  }

  public void advance(long byMillis) {
    millis.addAndGet(byMillis);
  }
}
