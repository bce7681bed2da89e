package dev.larder.benchmarks;

import com.google.appengine.api.memcache.ErrorHandlers;
import com.google.appengine.api.memcache.MemcacheService;
import com.google.appengine.api.memcache.MemcacheServiceFactory;
import com.google.appengine.tools.development.testing.LocalMemcacheServiceTestConfig;
import com.google.appengine.tools.development.testing.LocalServiceTestHelper;
import com.google.apphosting.api.ApiProxy;
import dev.larder.appengine.AppEngineSettings;
import dev.larder.appengine.AppEngineStoreFactory;
import dev.larder.configuration.LarderConfiguration;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
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
 * The App Engine store next to its limit, the bare {@code MemcacheService} an application would call
 * itself, on App Engine's local memcache service (the only one reachable here: no App Engine server).
 * get (hit), set and getAll of 100 keys. The local service answers in tens of microseconds, in process;
 * the real one over the network takes about a millisecond, so the ratio here is an upper bound of what
 * Larder adds on App Engine. The setup checks that each client holds every key in the service itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(3)
public class AppEngineBenchmark {

  static final int KEYS = 2_000;

  @Param({"larder", "memcacheservice"})
  public String client;

  static volatile ApiProxy.Environment environment;

  LocalServiceTestHelper helper;
  MemcachedBenchmark.Operations target;
  String[] keys;
  Set<String>[] batches;
  String value;
  CacheManager manager;

  /** Each benchmark thread runs with the service's environment, as a thread made by ThreadManager. */
  @State(Scope.Thread)
  public static class RequestThread {
    /** After the benchmark's own set-up (the parameter orders them), which starts the service. */
    @Setup(Level.Trial)
    public void adopt(AppEngineBenchmark benchmark) {
      if (ApiProxy.getCurrentEnvironment() == null) {
        ApiProxy.setEnvironmentForCurrentThread(environment);
      }
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    helper = new LocalServiceTestHelper(new LocalMemcacheServiceTestConfig());
    helper.setUp();
    environment = ApiProxy.getCurrentEnvironment();
    MemcacheService raw = MemcacheServiceFactory.getMemcacheService("");
    raw.setErrorHandler(ErrorHandlers.getStrict()); // a failing call must fail the run, not read as a miss
    if (client.equals("larder")) {
      manager = javax.cache.Caching.getCachingProvider("dev.larder.spi.LarderCachingProvider")
          .getCacheManager(URI.create("larder:bench:appengine"), AppEngineBenchmark.class.getClassLoader());
      LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
          .setStoreFactory(AppEngineStoreFactory.of(AppEngineSettings.defaults().withPrefix("bench")));
      configuration.setTypes(String.class, String.class).setStoreByValue(false);
      Cache<String, String> cache = manager.createCache("bench", configuration);
      target = MemcachedBenchmark.Operations.of(cache);
    } else {
      target = new MemcachedBenchmark.Operations() {
        @Override
        public String get(String key) {
          return (String) raw.get(key);
        }

        @Override
        public void set(String key, String value) {
          raw.put(key, value);
        }

        @Override
        public Map<String, ?> getAll(Set<String> keys) {
          return raw.getAll(keys);
        }
      };
    }
    value = "v".repeat(100);
    keys = MemcachedBenchmark.keys(KEYS);
    batches = MemcachedBenchmark.fill(target, keys, value, client);
    // Both must hold every key in the service itself, not in this JVM (the service counts the items).
    long items = raw.getStatistics().getItemCount();
    if (items < KEYS) {
      throw new IllegalStateException(client + ": the service holds " + items + " items, fewer than " + KEYS);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (manager != null) {
      manager.close();
    }
    helper.tearDown();
  }

  @Benchmark
  public String get(RequestThread thread, ReadWriteBenchmark.Cursor cursor) {
    return target.get(keys[(cursor.index++ & Integer.MAX_VALUE) % KEYS]);
  }

  @Benchmark
  public void set(RequestThread thread, ReadWriteBenchmark.Cursor cursor) {
    target.set(keys[(cursor.index++ & Integer.MAX_VALUE) % KEYS], value);
  }

  @Benchmark
  public Map<String, ?> getAll(RequestThread thread, ReadWriteBenchmark.Cursor cursor) {
    return target.getAll(batches[cursor.index++ & 63]);
  }
}
