package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.RecordingListener;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import javax.cache.processor.EntryProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads, and on memcached two independent managers with their own connections (as two JVMs),
 * hammer a few hot keys with putIfAbsent, conditional replace, getAndPut and an increment entry
 * processor. Nothing may be lost: the final counts are exact, every value written is seen exactly once,
 * and every listener event matches one successful operation.
 */
class ConsistencyUnderConcurrencyTest {

  private static final int THREADS = 8;
  private static final int COUNTER_KEYS = 4;
  private static final int COUNTER_ROUNDS = 250;
  private static final int RELAY_KEYS = 2;
  private static final int RELAY_ROUNDS = 100;
  private static final int CLAIM_KEYS = 50;

  private final List<CacheManager> managers = new ArrayList<>();

  @AfterEach
  void close() {
    managers.forEach(CacheManager::close);
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"in-process", "memcached"})
  void noUpdateIsLostAndEveryEventMatchesOneSuccessfulOperation(String store) throws Exception {
    List<Cache<String, Long>> clients = clients(store);
    List<EventLog> logs = new ArrayList<>();
    for (Cache<String, Long> client : clients) {
      EventLog log = new EventLog();
      client.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
          FactoryBuilder.factoryOf(log), null, true, true));
      logs.add(log);
    }

    AtomicLong increments = new AtomicLong();
    AtomicLong failedReplaces = new AtomicLong();
    Map<String, Queue<Long>> relayWritten = new ConcurrentHashMap<>();
    Map<String, Queue<Long>> relayReturned = new ConcurrentHashMap<>();
    Map<String, Queue<Long>> claimWinners = new ConcurrentHashMap<>();
    EntryProcessor<String, Long, Void> increment = (entry, arguments) -> {
      entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L);
      return null;
    };

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      Cache<String, Long> cache = clients.get(thread % clients.size());
      done.add(pool.submit(() -> {
        start.await();
        for (int round = 0; round < COUNTER_ROUNDS; round++) {
          String key = "counter-" + (round + thread) % COUNTER_KEYS;
          if (round % 2 == 0) {
            cache.invoke(key, increment);
            increments.incrementAndGet();
          } else {
            while (true) { // read, then a conditional write; a lost race is retried, never counted
              Long current = cache.get(key);
              boolean won = current == null ? cache.putIfAbsent(key, 1L) : cache.replace(key, current, current + 1);
              if (won) {
                increments.incrementAndGet();
                break;
              }
              failedReplaces.incrementAndGet();
            }
          }
        }
        for (int round = 0; round < RELAY_ROUNDS; round++) {
          String key = "relay-" + round % RELAY_KEYS;
          long token = thread * 1_000_000L + round;
          relayWritten.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(token);
          Long previous = cache.getAndPut(key, token);
          if (previous != null) {
            relayReturned.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(previous);
          }
        }
        List<Integer> order = new ArrayList<>();
        for (int claim = 0; claim < CLAIM_KEYS; claim++) {
          order.add(claim);
        }
        Collections.shuffle(order, new java.util.Random(thread));
        for (int claim : order) {
          if (cache.putIfAbsent("claim-" + claim, (long) thread)) {
            claimWinners.computeIfAbsent("claim-" + claim, k -> new ConcurrentLinkedQueue<>()).add((long) thread);
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> future : done) {
      future.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();
    Cache<String, Long> reader = clients.get(0);
    List<Event> events = logs.stream().flatMap(log -> log.events.stream()).toList();

    // Counters: the exact total, and one CREATED/UPDATED event per increment, each value 1..n seen once.
    long total = 0;
    for (int k = 0; k < COUNTER_KEYS; k++) {
      String key = "counter-" + k;
      long value = reader.get(key);
      total += value;
      List<Event> keyEvents = events.stream().filter(e -> e.key.equals(key)).toList();
      assertThat(keyEvents.stream().map(e -> e.newValue).sorted().toList()).as("values written to " + key)
          .isEqualTo(LongStream.rangeClosed(1, value).boxed().toList());
      assertThat(keyEvents).filteredOn(e -> e.type == EventType.CREATED).hasSize(1);
      assertThat(keyEvents).filteredOn(e -> e.type == EventType.UPDATED)
          .allSatisfy(e -> assertThat(e.oldValue).isEqualTo(e.newValue - 1));
    }
    assertThat(total).as("increments, none lost").isEqualTo(increments.get())
        .isEqualTo((long) THREADS * COUNTER_ROUNDS);

    // getAndPut: every token written is returned exactly once by the next getAndPut, or is the final value.
    for (int k = 0; k < RELAY_KEYS; k++) {
      String key = "relay-" + k;
      List<Long> seen = new ArrayList<>(relayReturned.get(key));
      seen.add(reader.get(key));
      Collections.sort(seen);
      List<Long> written = new ArrayList<>(relayWritten.get(key));
      Collections.sort(written);
      assertThat(seen).as("tokens of " + key).isEqualTo(written);
      List<Event> keyEvents = events.stream().filter(e -> e.key.equals(key)).toList();
      assertThat(keyEvents).hasSize(written.size());
      assertThat(keyEvents.stream().filter(e -> e.type == EventType.UPDATED).map(e -> e.oldValue).sorted().toList())
          .as("old values in events = values getAndPut returned")
          .isEqualTo(relayReturned.get(key).stream().sorted().toList());
    }

    // putIfAbsent: one winner per key, the value is the winner's, one CREATED event each.
    for (int claim = 0; claim < CLAIM_KEYS; claim++) {
      String key = "claim-" + claim;
      assertThat(claimWinners.get(key)).as("winners of " + key).hasSize(1);
      assertThat(reader.get(key)).isEqualTo(claimWinners.get(key).peek());
      assertThat(events.stream().filter(e -> e.key.equals(key)).toList())
          .singleElement().satisfies(e -> assertThat(e.type).isEqualTo(EventType.CREATED));
    }
    assertThat(events).noneMatch(e -> e.type == EventType.REMOVED || e.type == EventType.EXPIRED);
    System.out.printf("%s: %d threads, %d increments, %d lost conditional races retried,"
            + " %d getAndPut, %d putIfAbsent, %d events, lost updates: 0%n", store, THREADS, total,
        failedReplaces.get(), (long) THREADS * RELAY_ROUNDS, (long) THREADS * CLAIM_KEYS, events.size());
  }

  /** In-process: one cache, all threads. memcached: two managers with their own connections, as two JVMs. */
  private List<Cache<String, Long>> clients(String store) {
    List<Cache<String, Long>> clients = new ArrayList<>();
    if (store.equals("in-process")) {
      clients.add(cache(new LarderConfiguration<>()));
      return clients;
    }
    String prefix = "c" + Long.toString(System.nanoTime(), 36);
    for (int connections = 2; connections <= 3; connections++) {
      // unequal settings (2 and 3 connections per server) get separate clients, as two JVMs would have
      MemcachedSettings settings = MemcachedSettings.servers(MemcachedServers.shared()).withPrefix(prefix);
      settings = settings.withTimeoutMillis(2000).withConnectionsPerServer(connections);
      clients.add(cache(new LarderConfiguration<String, Long>().setStoreFactory(MemcachedStoreFactory.of(settings))));
    }
    return clients;
  }

  private Cache<String, Long> cache(LarderConfiguration<String, Long> configuration) {
    // a provider of its own: the same URI gives a second, independent manager
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("consistency"),
        getClass().getClassLoader());
    managers.add(manager);
    configuration.setTypes(String.class, Long.class);
    return manager.createCache("hot", configuration);
  }

  private record Event(EventType type, String key, Long oldValue, Long newValue) {
  }

  /** Records every event it is told about; synchronous, so an event is in the log when its operation returns. */
  static final class EventLog extends RecordingListener<String, Long> {
    private static final long serialVersionUID = 1L;
    final transient Queue<Event> events = new ConcurrentLinkedQueue<>();

    @Override
    protected void heard(CacheEntryEvent<? extends String, ? extends Long> event) {
      events.add(new Event(event.getEventType(), event.getKey(),
          event.isOldValueAvailable() ? event.getOldValue() : null, event.getValue()));
    }
  }
}
