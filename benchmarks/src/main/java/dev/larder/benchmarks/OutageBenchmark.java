package dev.larder.benchmarks;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.MemcachedSettings;
import dev.larder.memcached.MemcachedStoreFactory;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.spi.LarderCachingProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.cache.CacheManager;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.FailureMode;

/**
 * What an application gets through a hung server and a node change (a timeline, not a JMH benchmark):
 * 4 threads, 75% get / 25% set over 3,000 keys on 3 memcached servers of its own on 127.0.0.1
 * (ports 11381-11384), 300 ms timeouts; one server {@code kill -STOP}ped for 6 s, then
 * {@code kill -CONT}ed; later a fourth server joins the list. Successful calls per second in each
 * phase, per client, the median of the rounds: Larder (throw and miss policies) and spymemcached 2.12.3
 * (its defaults but the timeout, and {@code FailureMode.Cancel} as in {@link MemcachedBenchmark};
 * it has no way to add a server while running, so its last phase is the same load without a change).
 * Fails the run if a client served no hits before the fault (it would not be doing the work).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.larder.benchmarks.OutageBenchmark [rounds]} (default 3).
 */
public final class OutageBenchmark {

  private static final int BASE_PORT = 11381;
  private static final int KEYS = 3000;
  private static final int THREADS = 4;
  private static final int TIMEOUT_MILLIS = 300;
  private static final long FAULT_AT = 3_000;
  private static final long RESUME_AT = FAULT_AT + 6_000;
  private static final long CHANGE_AT = RESUME_AT + 4_000;
  private static final long END_AT = CHANGE_AT + 4_000;
  private static final String[] PHASES = {"before", "hung, 0-2 s", "hung, 2-6 s", "resumed, 0-2 s",
      "resumed, 2-4 s", "node added, 0-4 s"};
  private static final long[][] WINDOWS = {{1_000, FAULT_AT}, {FAULT_AT, FAULT_AT + 2_000},
      {FAULT_AT + 2_000, RESUME_AT}, {RESUME_AT, RESUME_AT + 2_000}, {RESUME_AT + 2_000, CHANGE_AT},
      {CHANGE_AT, END_AT}};

  /** The calls the load makes, per client. */
  interface Client extends AutoCloseable {
    Object get(int key) throws Exception;

    void set(int key, String value) throws Exception;

    /** Adds a server to the list while running; false if the client cannot. */
    boolean addServer(String server);

    @Override
    void close();
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String[] clients = {"Larder (throw)", "Larder (miss)", "spymemcached"};
    double[][][] rates = new double[clients.length][PHASES.length][rounds];
    for (int round = 0; round < rounds; round++) {
      for (int c = 0; c < clients.length; c++) { // interleaved: each round runs every client once
        double[] phases = run(clients[c], round);
        for (int p = 0; p < PHASES.length; p++) {
          rates[c][p][round] = phases[p];
        }
      }
    }
    StringBuilder table = new StringBuilder("| client | " + String.join(" | ", PHASES) + " |\n|---|");
    table.append("---|".repeat(PHASES.length)).append('\n');
    for (int c = 0; c < clients.length; c++) {
      double before = median(rates[c][0]);
      table.append("| ").append(clients[c]);
      for (int p = 0; p < PHASES.length; p++) {
        double median = median(rates[c][p]);
        double[] sorted = rates[c][p].clone();
        Arrays.sort(sorted);
        table.append(p == 0 ? String.format(" | %,.0f (%,.0f–%,.0f)", median, sorted[0], sorted[sorted.length - 1])
            : String.format(" | %,.0f (%.0f%%)", median, 100 * median / before));
      }
      table.append(" |\n");
    }
    System.out.println("Successful calls per second, median of " + rounds + " rounds (before: range; later: % of before)");
    System.out.print(table);
  }

  private static double[] run(String name, int round) throws Exception {
    List<Process> servers = new ArrayList<>();
    Thread killServers = new Thread(() -> servers.forEach(Process::destroyForcibly)); // even if the run is stopped
    Runtime.getRuntime().addShutdownHook(killServers);
    for (int i = 0; i < 4; i++) {
      servers.add(startMemcached(BASE_PORT + i));
    }
    String list = "127.0.0.1:" + BASE_PORT + ",127.0.0.1:" + (BASE_PORT + 1) + ",127.0.0.1:" + (BASE_PORT + 2);
    try (Client client = client(name, list, round)) {
      for (int key = 0; key < KEYS; key++) {
        preload(client, key);
      }
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLongArray successes = new AtomicLongArray((int) (END_AT / 100) + 100);
      AtomicLongArray hits = new AtomicLongArray(1);
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        workers.add(pool.submit(() -> {
          while (running.get()) {
            int key = ThreadLocalRandom.current().nextInt(KEYS);
            try {
              if (ThreadLocalRandom.current().nextInt(4) != 0) {
                if (client.get(key) != null) {
                  hits.incrementAndGet(0);
                }
              } else {
                client.set(key, "v" + key);
              }
              successes.incrementAndGet((int) (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) / 100));
            } catch (Exception e) {
              // a failed call: not counted
            }
          }
          return null;
        }));
      }
      sleepUntil(start, FAULT_AT);
      long hitsBefore = hits.get(0);
      signal(servers.get(2), "-STOP");
      sleepUntil(start, RESUME_AT);
      signal(servers.get(2), "-CONT");
      sleepUntil(start, CHANGE_AT);
      boolean changed = client.addServer("127.0.0.1:" + (BASE_PORT + 3));
      sleepUntil(start, END_AT);
      running.set(false);
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      if (hitsBefore < 1000) {
        throw new IllegalStateException(name + " served only " + hitsBefore + " hits before the fault: not doing the work");
      }
      double[] phases = new double[PHASES.length];
      for (int p = 0; p < PHASES.length; p++) {
        long total = 0;
        for (int i = (int) (WINDOWS[p][0] / 100); i < WINDOWS[p][1] / 100; i++) {
          total += successes.get(i);
        }
        phases[p] = total * 1000.0 / (WINDOWS[p][1] - WINDOWS[p][0]);
      }
      System.err.printf("round %d, %s: %s%s%n", round + 1, name, Arrays.toString(Arrays.stream(phases)
          .mapToLong(Math::round).toArray()), changed ? "" : " (no server added: not supported)");
      return phases;
    } finally {
      for (Process server : servers) {
        server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      Runtime.getRuntime().removeShutdownHook(killServers);
    }
  }

  /** A client may still be connecting (spymemcached cancels what it cannot send yet): try for 5 s. */
  private static void preload(Client client, int key) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        client.set(key, "v" + key);
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static Client client(String name, String list, int round) throws IOException {
    if (name.startsWith("Larder")) {
      MemcachedSettings settings = MemcachedSettings.servers(list).withPrefix("outage" + round)
          .withTimeoutMillis(TIMEOUT_MILLIS).withFailuresAsMisses(name.contains("miss"));
      CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("outage-benchmark"),
          OutageBenchmark.class.getClassLoader());
      LarderConfiguration<Integer, String> configuration = new LarderConfiguration<Integer, String>()
          .setStoreFactory(MemcachedStoreFactory.of(settings));
      configuration.setTypes(Integer.class, String.class);
      @SuppressWarnings("unchecked")
      LarderCache<Integer, String> cache = manager.createCache("outage", configuration).unwrap(LarderCache.class);
      MemcachedClient memcached = cache.unwrap(MemcachedClient.class);
      return new Client() {
        @Override
        public Object get(int key) {
          return cache.get(key);
        }

        @Override
        public void set(int key, String value) {
          cache.put(key, value);
        }

        @Override
        public boolean addServer(String server) {
          List<InetSocketAddress> servers = new ArrayList<>();
          memcached.nodes().forEach(node -> servers.add(node.address()));
          servers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(server.substring(server.indexOf(':') + 1))));
          memcached.updateServers(servers); // what a discovery endpoint's new version does
          return true;
        }

        @Override
        public void close() {
          manager.close();
        }
      };
    }
    net.spy.memcached.MemcachedClient spy = new net.spy.memcached.MemcachedClient(new ConnectionFactoryBuilder()
        .setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
        .setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
        .setFailureMode(FailureMode.Cancel)
        .setOpTimeout(TIMEOUT_MILLIS)
        .build(), AddrUtil.getAddresses(list.replace(',', ' ')));
    String prefix = "outage" + round + ":";
    return new Client() {
      @Override
      public Object get(int key) {
        return spy.get(prefix + key);
      }

      @Override
      public void set(int key, String value) throws InterruptedException, ExecutionException {
        spy.set(prefix + key, 0, value).get();
      }

      @Override
      public boolean addServer(String server) {
        return false;
      }

      @Override
      public void close() {
        spy.shutdown(2, TimeUnit.SECONDS);
      }
    };
  }

  private static Process startMemcached(int port) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("memcached", "-l", "127.0.0.1", "-p", Integer.toString(port), "-U", "0",
        "-m", "64", "-u", System.getProperty("user.name")).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return process;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("memcached did not start on 127.0.0.1:" + port + " (is the port taken?)");
        }
        Thread.sleep(20);
      }
    }
  }

  /** Sends the signal and waits until every thread of the process has stopped (or gone on): kill does not. */
  private static void signal(Process process, String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    boolean stopping = signal.equals("-STOP");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (allThreadsStopped(process) != stopping && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
  }

  private static boolean allThreadsStopped(Process process) throws IOException {
    try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(
        java.nio.file.Path.of("/proc", Long.toString(process.pid()), "task"))) {
      return tasks.allMatch(task -> {
        try {
          String stat = java.nio.file.Files.readString(task.resolve("stat"));
          return Character.toUpperCase(stat.charAt(stat.lastIndexOf(')') + 2)) == 'T';
        } catch (IOException gone) {
          return true;
        }
      });
    }
  }

  private static void sleepUntil(long start, long millis) throws InterruptedException {
    long left = millis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (left > 0) {
      Thread.sleep(left);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private OutageBenchmark() {
  }
}
