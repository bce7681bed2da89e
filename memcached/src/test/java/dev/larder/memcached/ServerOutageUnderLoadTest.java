package dev.larder.memcached;

import dev.larder.store.codec.TaggedSerializer;
import dev.larder.store.codec.Envelope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.LarderCache;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.memcached.protocol.ServerNode;
import dev.larder.store.StoreEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The production failures, under load as an application makes it: four threads doing 75% get / 25% put
 * over 3,000 keys on three memcached servers (300 ms timeout), and one server hung with
 * {@code kill -STOP} for 6 s then resumed with {@code kill -CONT} (its connections stay open and
 * nothing answers), or killed with {@code kill -9} and restarted empty.
 *
 * <p>What must hold: within 2 s of the fault, at least half the successful calls per second of before
 * (the server is marked down and its keys stop costing the timeout); after the server is back, no
 * error from 2 s on and most of the throughput (the 80% target is measured by {@code OutageBenchmark}); it is in service again within about a second; every call,
 * including those in flight at the fault, ends within the timeout and a margin; every value read is
 * one its key was last given (a put that threw may or may not have landed; under the miss policy a
 * skipped put returned normally, so the old value must never come back); only the victim's keys fail.
 */
class ServerOutageUnderLoadTest {

  private static final int TIMEOUT_MILLIS = 300;
  private static final int KEYS = 3000;
  private static final int THREADS = 4;
  private static final int BUCKET_MILLIS = 100;
  private static final long WARM_UP = 500;
  /** Windows of 2.5 s before and 3 s after: shorter ones swung by 20% on this 2-core machine. */
  private static final long FAULT_AT = 3_000;
  private static final long RECOVER_AT = FAULT_AT + 6_000;
  private static final long END_AT = RECOVER_AT + 5_000;
  /** A call may take the timeout, plus a connection attempt and a noisy machine's scheduling. */
  private static final long SLOWEST_ALLOWED = TIMEOUT_MILLIS + 900;

  private final List<CacheManager> managers = new ArrayList<>();

  @AfterEach
  void close() {
    managers.forEach(CacheManager::close);
  }

  @ParameterizedTest(name = "{0}, on.failure = {1}")
  @CsvSource({"STOP, throw, 11361", "STOP, miss, 11364", "KILL, throw, 11367", "KILL, miss, 11351"})
  void theApplicationKeepsItsThroughputThroughAHungOrDeadServerAndRecoversAtOnce(String fault, String policy, int base)
      throws Exception {
    boolean asMisses = policy.equals("miss");
    try (MemcachedServers.OwnServer first = new MemcachedServers.OwnServer(base).start();
         MemcachedServers.OwnServer second = new MemcachedServers.OwnServer(base + 1).start();
         MemcachedServers.OwnServer victim = new MemcachedServers.OwnServer(base + 2).start()) {
      MemcachedSettings settings = MemcachedSettings.servers(first.address() + "," + second.address() + ","
          + victim.address()).withPrefix("outage").withTimeoutMillis(TIMEOUT_MILLIS).withFailuresAsMisses(asMisses);
      LarderCache<Integer, String> cache = MemcachedServers.integerCache(managers, settings, "outage:" + base, "outage");
      MemcachedClient client = cache.unwrap(MemcachedClient.class);
      MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);
      ServerNode victimNode = client.nodes().stream().filter(n -> n.name().equals(victim.address())).findFirst()
          .orElseThrow();
      Set<Integer> victimKeys = new HashSet<>();
      for (int key = 0; key < KEYS; key++) {
        cache.put(key, key + ":0");
        if (client.nodeFor(store.memcachedKey(TaggedSerializer.INSTANCE.serialize(key))) == victimNode) {
          victimKeys.add(key);
        }
      }
      assertThat(victimKeys.size()).as("the victim's share of the keys").isBetween(KEYS / 6, KEYS / 2);

      AtomicBoolean running = new AtomicBoolean(true);
      int buckets = (int) (END_AT / BUCKET_MILLIS) + 50;
      AtomicLongArray successes = new AtomicLongArray(buckets);
      AtomicLongArray errors = new AtomicLongArray(buckets);
      LongAccumulator slowestMillis = new LongAccumulator(Math::max, 0);
      Queue<String> wrongValues = new ConcurrentLinkedQueue<>();
      Queue<String> foreignFailures = new ConcurrentLinkedQueue<>();
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          // Each thread owns the keys k % THREADS == thread: it knows what each was last given.
          Map<Integer, String> acknowledged = new HashMap<>();
          Map<Integer, Set<String>> inDoubt = new HashMap<>();
          int sequence = 0;
          while (running.get()) {
            int key = ThreadLocalRandom.current().nextInt(KEYS / THREADS) * THREADS + thread;
            boolean read = ThreadLocalRandom.current().nextInt(4) != 0;
            String value = key + ":" + ++sequence + "t" + thread;
            long began = System.nanoTime();
            try {
              if (read) {
                String found = cache.get(key);
                String expected = acknowledged.getOrDefault(key, key + ":0");
                if (found != null && !found.equals(expected) && !inDoubt.getOrDefault(key, Set.of()).contains(found)) {
                  wrongValues.add("key " + key + ": read " + found + ", last written " + expected);
                }
              } else {
                cache.put(key, value);
                acknowledged.put(key, value);
                inDoubt.remove(key);
              }
              successes.incrementAndGet(bucket(start));
            } catch (CacheException e) {
              errors.incrementAndGet(bucket(start));
              if (!read) {
                inDoubt.computeIfAbsent(key, k -> new HashSet<>()).add(value);
              }
              if (!e.getMessage().contains(victim.address()) || !victimKeys.contains(key)) {
                foreignFailures.add("key " + key + ": " + e.getMessage());
              }
            }
            slowestMillis.accumulate(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
          }
          return null;
        }));
      }

      sleepUntil(start, FAULT_AT);
      if (fault.equals("STOP")) {
        victim.suspend();
      } else {
        victim.kill();
      }
      sleepUntil(start, RECOVER_AT);
      if (fault.equals("STOP")) {
        victim.resume();
      } else {
        victim.start();
      }
      long recoveredAt = System.nanoTime();
      long backInServiceMillis = -1;
      while (System.nanoTime() - recoveredAt < TimeUnit.SECONDS.toNanos(3)) {
        if (victimNode.inService()) {
          backInServiceMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recoveredAt);
          break;
        }
        Thread.sleep(10); // polling the state an operator would read
      }
      sleepUntil(start, END_AT);
      running.set(false);
      for (Future<?> worker : workers) {
        worker.get(10, TimeUnit.SECONDS); // a call still stuck would show here
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

      double before = rate(successes, WARM_UP, FAULT_AT);
      double during = rate(successes, FAULT_AT + 2_000, RECOVER_AT);
      double firstTwoSeconds = rate(successes, FAULT_AT, FAULT_AT + 2_000);
      double after = rate(successes, RECOVER_AT + 2_000, END_AT);
      long errorsDuring = sum(errors, FAULT_AT, RECOVER_AT);
      long errorsLate = sum(errors, RECOVER_AT + 2_000, END_AT);
      System.out.printf("outage (%s, %s): successful calls/s before %.0f, first 2 s of the fault %.0f, rest of the"
              + " fault %.0f (%.0f%%), 2-5 s after %.0f (%.0f%%); errors during %d, late %d; back in service %d ms"
              + " after SIG%s; slowest call %d ms; victim %s%n", fault, policy, before, firstTwoSeconds, during,
          100 * during / before, after, 100 * after / before, errorsDuring, errorsLate, backInServiceMillis,
          fault.equals("STOP") ? "CONT" : " restart", slowestMillis.get(),
          client.serverStates());

      assertThat(wrongValues).as("values that were not the last written").isEmpty();
      assertThat(foreignFailures).as("failures of keys the victim does not hold, or not naming it").isEmpty();
      assertThat(slowestMillis.get()).as("slowest call, ms (in flight at the fault included)")
          .isLessThanOrEqualTo(SLOWEST_ALLOWED);
      assertThat(during).as("successful calls/s while the server is down, vs before").isGreaterThanOrEqualTo(before / 2);
      assertThat(backInServiceMillis).as("ms from recovery until the server is in service").isBetween(0L, 1_500L);
      // The 80% target is judged by OutageBenchmark (median of rounds): single windows here swing by 25%
      // (measured 79-139%), so this bound only tells working from broken, which the zero late errors and
      // the time back in service above tell sharply.
      assertThat(after).as("successful calls/s 2 s after recovery, vs before").isGreaterThanOrEqualTo(0.6 * before);
      assertThat(errorsLate).as("errors 2 s after recovery").isZero();
      // What an operator reads over JMX: the victim went down once and came back; misses counted.
      javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
      javax.management.ObjectName server = new javax.management.ObjectName("dev.larder:type=MemcachedServer,client="
          + client.id() + ",server=" + victim.address().replace(':', '_'));
      assertThat(jmx.getAttribute(server, "State")).isEqualTo("up");
      assertThat((Long) jmx.getAttribute(server, "TimesMarkedDown")).isEqualTo(1L);
      assertThat((Long) jmx.getAttribute(server, "Reconnections")).isEqualTo(1L);
      assertThat((String) jmx.getAttribute(server, "LastStateChange")).isNotEmpty();
      long failuresCounted = (Long) jmx.getAttribute(new javax.management.ObjectName(
          "dev.larder:type=MemcachedStore,CacheManager=outage." + base + ",Cache=outage"), "Failures");
      if (asMisses) {
        assertThat(errorsDuring).as("errors under the miss policy").isZero();
        assertThat(failuresCounted).as("misses and skipped writes counted").isPositive();
      } else {
        assertThat(errorsDuring).as("the victim's keys fail under the throw policy").isPositive();
      }
      // Nothing lost from here on: every key takes a value and gives it back.
      for (int key = 0; key < KEYS; key++) {
        cache.put(key, "final " + key);
      }
      for (int key = 0; key < KEYS; key++) {
        assertThat(cache.get(key)).isEqualTo("final " + key);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aWriteThatTimedOutOnAServerStillInServiceIsDeletedThereOnceItAnswers() throws Exception {
    try (MemcachedServers.OwnServer server = new MemcachedServers.OwnServer(11359).start()) {
      ManualHealthClock clock = new ManualHealthClock(); // the health rounds run when the test moves it
      MemcachedSettings settings = MemcachedSettings.servers(server.address()).withPrefix("doubt")
          .withTimeoutMillis(TIMEOUT_MILLIS).withFailuresAsMisses(true).withFailureDetection(10, 100)
          .withHealthClock(clock);
      LarderCache<Integer, String> cache = MemcachedServers.integerCache(managers, settings, "doubt", "doubt");
      cache.put(1, "old");
      MemcachedClient client = cache.unwrap(MemcachedClient.class);
      javax.management.ObjectName name = new javax.management.ObjectName("dev.larder:type=MemcachedServer,client="
          + client.id() + ",server=" + server.address().replace(':', '_'));
      javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();

      server.suspend();
      cache.put(1, "new"); // no answer in time: skipped under the miss policy, and in doubt
      long noted = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while ((Integer) jmx.getAttribute(name, "WritesInDoubt") != 1) { // noted as its connection closes
        assertThat(System.nanoTime()).as("the write noted in doubt within 1 s").isLessThan(noted);
        Thread.sleep(1);
      }
      assertThat(jmx.getAttribute(name, "State")).as("one timeout of 10 allowed").isEqualTo("up");
      server.resume();
      clock.advance(99);
      assertThat(jmx.getAttribute(name, "WritesInDoubt")).as("before the next health round").isEqualTo(1);
      clock.advance(1);
      assertThat(jmx.getAttribute(name, "WritesInDoubt")).as("deleted in the health round").isEqualTo(0);
      // The late write may have landed and then been deleted: a miss. Never the value from before.
      assertThat(cache.get(1)).isNotEqualTo("old").isNull();
      cache.put(1, "again");
      assertThat(cache.get(1)).isEqualTo("again");
    }
  }

  @org.junit.jupiter.api.Test
  void aServerRestartedUnseenWhileDownIsNotTakenForTheRunItsCasTokensRepeat() throws Exception {
    try (MemcachedServers.OwnServer server = new MemcachedServers.OwnServer(11358).start()) {
      ManualHealthClock clock = new ManualHealthClock(); // the probes run when the test moves it
      MemcachedSettings settings = MemcachedSettings.servers(server.address()).withPrefix("rerun")
          .withTimeoutMillis(TIMEOUT_MILLIS).withFailureDetection(3, 100).withHealthClock(clock);
      LarderCache<Integer, String> cache = MemcachedServers.integerCache(managers, settings, "rerun", "rerun");
      MemcachedClient client = cache.unwrap(MemcachedClient.class);
      MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);
      byte[] keyBytes = TaggedSerializer.INSTANCE.serialize(1);
      String key = store.memcachedKey(keyBytes);
      cache.put(1, "old run");
      assertThat(cache.get(1)).isEqualTo("old run"); // now remembered by its CAS token
      long cas = Long.parseLong(client.execute(key,
          dev.larder.memcached.protocol.MetaRequest.get(key, dev.larder.memcached.protocol.MetaFlags.NONE.returnCas())).cas());

      // It hangs, is marked down (Larder closes its connections itself), and is restarted meanwhile.
      server.suspend();
      for (int i = 0; i < 3; i++) {
        try {
          cache.get(2);
        } catch (javax.cache.CacheException expected) {
          // timeouts, until it is marked down
        }
      }
      ServerNode node = client.nodes().get(0);
      assertThat(node.inService()).isFalse();
      server.kill();
      server.start();
      // Another client writes the key in the new run so that it gets the very same CAS token.
      try (MemcachedClient other = new MemcachedClient(settings.servers(), settings.clientOptions(),
          dev.larder.memcached.protocol.ConnectionSecurity.NONE)) {
        String generationKey = key.substring(0, key.lastIndexOf(':', key.lastIndexOf(':') - 1) + 1) + "gen";
        String generation = key.substring(generationKey.length() - 3, key.lastIndexOf(':'));
        other.execute(generationKey, dev.larder.memcached.protocol.MetaRequest.set(generationKey,
            generation.getBytes(java.nio.charset.StandardCharsets.US_ASCII), dev.larder.memcached.protocol.MetaFlags.NONE.ttl(0)));
        for (long filler = 2; filler < cas; filler++) {
          other.execute("filler" + filler, dev.larder.memcached.protocol.MetaRequest.set("filler" + filler,
              new byte[] {'x'}, dev.larder.memcached.protocol.MetaFlags.NONE.ttl(0)));
        }
        byte[] envelope = Envelope.encode(keyBytes, TaggedSerializer.INSTANCE.serialize("new run"), StoreEntry.NEVER);
        dev.larder.memcached.protocol.MetaResponse written = other.execute(key,
            dev.larder.memcached.protocol.MetaRequest.set(key, envelope, dev.larder.memcached.protocol.MetaFlags.NONE.ttl(0).returnCas()));
        assertThat(Long.parseLong(written.cas())).as("the same CAS token in the new run").isEqualTo(cas);
      }
      assertThat(node.inService()).as("no probe yet").isFalse();
      clock.advance(100);
      assertThat(node.inService()).as("back in service after the probe").isTrue();
      assertThat(cache.get(1)).as("the new run's value, not the old run's remembered one").isEqualTo("new run");
    }
  }

  private static int bucket(long start) {
    return (int) (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) / BUCKET_MILLIS);
  }

  private static double rate(AtomicLongArray counts, long fromMillis, long toMillis) {
    return sum(counts, fromMillis, toMillis) * 1000.0 / (toMillis - fromMillis);
  }

  private static long sum(AtomicLongArray counts, long fromMillis, long toMillis) {
    long total = 0;
    for (int i = (int) (fromMillis / BUCKET_MILLIS); i < toMillis / BUCKET_MILLIS; i++) {
      total += counts.get(i);
    }
    return total;
  }

  /** The scenario's timeline is real time: the servers and the load are real processes and threads. */
  private static void sleepUntil(long start, long millis) throws InterruptedException {
    long left = millis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (left > 0) {
      Thread.sleep(left);
    }
  }
}
