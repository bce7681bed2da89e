package dev.larder.benchmarks;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.MemcachedSettings;
import dev.larder.memcached.MemcachedStoreFactory;
import dev.larder.spi.LarderCachingProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.CacheManager;

/**
 * The load a hot key puts on its backing computation when it expires: callers on two "JVMs" (two
 * independent managers and memcached clients) read one key that lives {@link #TTL} and takes
 * {@link #COMPUTE} to compute, for {@link #RUN}. Protected: {@code LarderCache.get(key, compute, ttl)}.
 * Naive: the classic {@code get}; if null, compute and {@code put}. Prints computations per expiry and
 * the callers' latency percentiles. Needs memcached on 127.0.0.1:11311-11313.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.larder.benchmarks.StampedeBenchmark [callersPerJvm]}
 */
public final class StampedeBenchmark {

  static final Duration TTL = Duration.ofSeconds(1);
  static final Duration COMPUTE = Duration.ofMillis(100);
  static final Duration RUN = Duration.ofSeconds(10);

  private StampedeBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int callersPerJvm = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    System.out.printf("%d callers on each of 2 JVMs, key lives %d ms, computing it takes %d ms, %d s run%n",
        callersPerJvm, TTL.toMillis(), COMPUTE.toMillis(), RUN.toSeconds());
    System.out.printf("| mode | computations | expiries | computations per expiry | p50 ms | p99 ms | max ms |%n");
    System.out.printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |%n");
    for (String mode : List.of("naive", "protected")) {
      run(mode, callersPerJvm);
    }
    System.exit(0);
  }

  private static void run(String mode, int callersPerJvm) throws Exception {
    String prefix = "stampede" + System.nanoTime();
    List<CacheManager> managers = new ArrayList<>();
    List<LarderCache<String, String>> jvms = new ArrayList<>();
    for (int jvm = 0; jvm < 2; jvm++) {
      CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("bench:stampede"),
          StampedeBenchmark.class.getClassLoader());
      managers.add(manager);
      LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
          .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings
              .servers("127.0.0.1:11311,127.0.0.1:11312,127.0.0.1:11313").withPrefix(prefix)
              .withTimeoutMillis(1000 + jvm)));
      configuration.setTypes(String.class, String.class).setStoreByValue(false);
      @SuppressWarnings("unchecked")
      LarderCache<String, String> cache = manager.createCache("hot", configuration).unwrap(LarderCache.class);
      jvms.add(cache);
    }
    AtomicInteger computations = new AtomicInteger();
    long end = System.nanoTime() + RUN.toNanos();
    List<Thread> threads = new ArrayList<>();
    List<long[]> latencies = new ArrayList<>();
    for (LarderCache<String, String> cache : jvms) {
      for (int i = 0; i < callersPerJvm; i++) {
        long[] samples = new long[200_000];
        latencies.add(samples);
        Thread thread = new Thread(() -> {
          int n = 0;
          while (System.nanoTime() < end && n < samples.length) {
            long started = System.nanoTime();
            if (mode.equals("protected")) {
              cache.get("report", key -> compute(computations), TTL);
            } else {
              String value = cache.get("report");
              if (value == null) {
                cache.put("report", compute(computations), TTL);
              }
            }
            samples[n++] = System.nanoTime() - started;
            pause();
          }
          samples[samples.length - 1] = n; // how many samples were taken
        });
        threads.add(thread);
        thread.start();
      }
    }
    for (Thread thread : threads) {
      thread.join();
    }
    long[] all = latencies.stream().flatMapToLong(samples -> Arrays.stream(samples, 0, (int) samples[samples.length - 1]))
        .sorted().toArray();
    double expiries = (double) RUN.toMillis() / TTL.toMillis();
    System.out.printf("| %s | %d | %.0f | %.2f | %.1f | %.1f | %.1f |%n", mode, computations.get(), expiries,
        computations.get() / expiries, percentile(all, 0.50), percentile(all, 0.99), percentile(all, 1.0));
    managers.forEach(CacheManager::close);
  }

  private static String compute(AtomicInteger computations) {
    computations.incrementAndGet();
    try {
      Thread.sleep(COMPUTE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "report computed at " + System.currentTimeMillis();
  }

  /** A request every millisecond or so per caller, as a busy page would see. */
  private static void pause() {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double percentile(long[] sortedNanos, double fraction) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    int index = (int) Math.min(sortedNanos.length - 1, Math.ceil(fraction * sortedNanos.length) - 1);
    return sortedNanos[Math.max(0, index)] / (double) TimeUnit.MILLISECONDS.toNanos(1);
  }
}
