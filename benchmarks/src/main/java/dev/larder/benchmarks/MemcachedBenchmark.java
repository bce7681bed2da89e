package dev.larder.benchmarks;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.MemcachedSettings;
import dev.larder.memcached.MemcachedStoreFactory;
import dev.larder.memcached.protocol.MemcachedClient;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.FailureMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memcached store next to a raw memcached client (spymemcached, ketama placement) on the same local
 * servers: get (hit), set, and getAll of 100 keys. Needs memcached on 127.0.0.1:11311-11313
 * ({@code bash .ci/memcached-servers start}).
 *
 * <p>Warm-up is 10 s, not the in-process benchmarks' 2: from a cold fork, both clients' getAll(100) with
 * 4 threads climbed for about 7 s (Larder 1.8, 2.0, 2.5 … 4.0 ops/ms, spymemcached 1.4, 1.9, 2.8 … 4.2,
 * second by second) and then held; the 2 s of the old focused mode measured the climb, where Larder
 * stood at 0.66-0.88× spymemcached, against 0.82-0.96× after it (3 cold forks each).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class MemcachedBenchmark {

  static final int KEYS = 10_000;
  static final String[] SERVERS = {"127.0.0.1:11311", "127.0.0.1:11312", "127.0.0.1:11313"};

  /** {@code larder-near}: Larder with a near tier of every key (10 s staleness), so a get is a near hit. */
  @Param({"larder", "larder-near", "spymemcached"})
  public String client;

  @Param({"1", "3"})
  public int servers;

  Operations target;
  String[] keys;
  Set<String>[] batches;
  String value;
  CacheManager manager;
  net.spy.memcached.MemcachedClient spy;

  /** What is measured, for either client. */
  interface Operations {
    String get(String key);

    void set(String key, String value);

    Map<String, ?> getAll(Set<String> keys);

    /** A JCache cache's get, put and getAll. */
    static Operations of(Cache<String, String> cache) {
      return new Operations() {
        @Override
        public String get(String key) {
          return cache.get(key);
        }

        @Override
        public void set(String key, String value) {
          cache.put(key, value);
        }

        @Override
        public Map<String, ?> getAll(Set<String> keys) {
          return cache.getAll(keys);
        }
      };
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    String serverList = String.join(",", java.util.Arrays.copyOf(SERVERS, servers));
    if (client.startsWith("larder")) {
      manager = Caching.manager(serverList);
      MemcachedSettings settings = MemcachedSettings.servers(serverList).withPrefix("bench");
      if (client.equals("larder-near")) {
        settings = settings.withNearCache(2L * KEYS, 10_000);
      }
      LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
          .setStoreFactory(MemcachedStoreFactory.of(settings));
      configuration.setTypes(String.class, String.class).setStoreByValue(false);
      manager.destroyCache("bench");
      Cache<String, String> cache = manager.createCache("bench", configuration);
      target = Operations.of(cache);
    } else {
      spy = new net.spy.memcached.MemcachedClient(new ConnectionFactoryBuilder()
          .setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
          .setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
          .setFailureMode(FailureMode.Cancel)
          .build(), AddrUtil.getAddresses(serverList.replace(',', ' ')));
      target = new Operations() {
        @Override
        public String get(String key) {
          return (String) spy.get(key);
        }

        @Override
        public void set(String key, String value) {
          try {
            spy.set(key, 0, value).get();
          } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
          }
        }

        @Override
        public Map<String, ?> getAll(Set<String> keys) {
          return spy.getBulk(keys);
        }
      };
    }
    value = "v".repeat(100);
    keys = keys(KEYS);
    batches = fill(target, keys, value, client);
    if (client.equals("larder-near") && manager.getCache("bench").unwrap(dev.larder.store.NearCacheStore.class)
        .nearSize() < KEYS / 2) {
      throw new IllegalStateException("larder-near holds too few keys near: not measuring near hits");
    }
  }

  /** {@code key0} … {@code key<n-1>}. */
  static String[] keys(int count) {
    String[] keys = new String[count];
    for (int i = 0; i < count; i++) {
      keys[i] = "key" + i;
    }
    return keys;
  }

  /**
   * Writes every key, and fails the run unless each reads back as written (a client that drops keys
   * would measure misses); returns 64 batches of {@link BulkBenchmark#BATCH} keys spread over them.
   */
  @SuppressWarnings("unchecked")
  static Set<String>[] fill(Operations target, String[] keys, String value, String client) {
    for (String key : keys) {
      target.set(key, value);
    }
    for (String key : keys) {
      if (!value.equals(target.get(key))) {
        throw new IllegalStateException(client + " lost " + key);
      }
    }
    Set<String>[] batches = new Set[64];
    for (int b = 0; b < batches.length; b++) {
      Set<String> batch = new LinkedHashSet<>();
      for (int i = 0; i < BulkBenchmark.BATCH; i++) {
        batch.add(keys[(b * 131 + i * 97) % keys.length]);
      }
      batches[b] = batch;
    }
    return batches;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (manager != null) {
      manager.close();
    }
    if (spy != null) {
      spy.shutdown(2, TimeUnit.SECONDS);
    }
  }

  @Benchmark
  public String get(ReadWriteBenchmark.Cursor cursor) {
    return target.get(keys[(cursor.index++ & Integer.MAX_VALUE) % KEYS]);
  }

  @Benchmark
  public void set(ReadWriteBenchmark.Cursor cursor) {
    target.set(keys[(cursor.index++ & Integer.MAX_VALUE) % KEYS], value);
  }

  @Benchmark
  public Map<String, ?> getAll(ReadWriteBenchmark.Cursor cursor) {
    return target.getAll(batches[cursor.index++ & 63]);
  }

  /** Prints how many batches (round trips) each bulk call costs the memcached store, per server. */
  public static void main(String[] args) {
    String serverList = String.join(",", SERVERS);
    CacheManager manager = Caching.manager(serverList);
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(serverList).withPrefix("bench")));
    configuration.setTypes(String.class, String.class);
    manager.destroyCache("roundTrips");
    Cache<String, String> cache = manager.createCache("roundTrips", configuration);
    MemcachedClient client = cache.unwrap(MemcachedClient.class);
    Map<String, String> entries = new HashMap<>();
    for (int i = 0; i < BulkBenchmark.BATCH; i++) {
      entries.put("key" + i, "value" + i);
    }
    cache.get("warm-up");
    long before = batches(client);
    cache.putAll(entries);
    long putAll = batches(client) - before;
    before = batches(client);
    cache.getAll(new HashSet<>(entries.keySet()));
    long getAll = batches(client) - before;
    System.out.printf("servers=%d putAll(100): %d batches (%.1f per server); getAll(100): %d batches (%.1f per server)%n",
        SERVERS.length, putAll, (double) putAll / SERVERS.length, getAll, (double) getAll / SERVERS.length);
    manager.close();
    System.exit(0);
  }

  private static long batches(MemcachedClient client) {
    return client.nodes().stream().mapToLong(node -> node.batchesSent()).sum();
  }

  /** A manager of Larder's own for the memcached runs, by URI so each server list gets its own. */
  static final class Caching {
    static CacheManager manager(String servers) {
      return javax.cache.Caching.getCachingProvider("dev.larder.spi.LarderCachingProvider")
          .getCacheManager(URI.create("larder:bench:" + servers.hashCode()), Caching.class.getClassLoader());
    }
  }
}
