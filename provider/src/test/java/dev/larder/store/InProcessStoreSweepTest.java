package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.expiry.TimeSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the in-process store's sweep reads: the time only when it has deadlines to sweep. */
class InProcessStoreSweepTest {

  @Test
  void aSweepWithNoDeadlinesDoesNotReadTheTimeSoTheIdleClockCanStop() throws Exception {
    AtomicLong reads = new AtomicLong();
    AtomicLong now = new AtomicLong(1_000);
    TimeSource counted = () -> {
      reads.incrementAndGet();
      return now.get();
    };
    @SuppressWarnings({"unchecked", "rawtypes"})
    Store<String, String> store = InProcessStore.FACTORY.create(new StoreContext<>("sweep", "sweep", -1, -1, null,
        (StoreContext.StoreListener) InProcessStoreContractTest.NOBODY, getClass().getClassLoader(), String.class,
        String.class, counted));
    try {
      InProcessStore<String, String> inProcess = store.unwrap(InProcessStore.class);
      store.put("eternal", new StoreEntry<>("v", StoreEntry.NEVER));
      long before = reads.get();
      inProcess.sweep();
      assertThat(reads.get()).as("reads of the time by a sweep with nothing to sweep").isEqualTo(before);

      store.put("expiring", new StoreEntry<>("v", 1_100));
      now.set(1_100 + InProcessStore.RECLAIM_DELAY_MILLIS + InProcessStore.SWEEP_MILLIS);
      before = reads.get();
      inProcess.sweep();
      assertThat(reads.get()).isGreaterThan(before);
      assertThat(store.get("expiring")).as("reclaimed").isNull();
      assertThat(store.get("eternal")).isNotNull();
    } finally {
      store.close();
    }
  }
}
