package dev.larder.memcached;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The memcached servers the tests use: the shared ones .ci/run starts, and ones a test starts itself. */
final class MemcachedServers {

  private MemcachedServers() {
  }

  /** The shared servers ({@code larder.test.memcached.servers}); fails clearly if one is not running. */
  static String shared() {
    String servers = System.getProperty("larder.test.memcached.servers", "");
    if (servers.isBlank()) {
      throw new IllegalStateException("larder.test.memcached.servers is not set: run the tests through Maven");
    }
    for (InetSocketAddress server : MemcachedSettings.parseServers(servers)) {
      if (!isListening(server.getPort())) {
        throw new IllegalStateException("No memcached server on " + server.getHostString() + ":" + server.getPort()
            + ": start the test servers with `bash .ci/memcached-servers start` (needs memcached installed)");
      }
    }
    return servers;
  }

  static boolean isListening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Sends one text command to a server on its own connection and returns the reply up to {@code last}. */
  static List<String> command(int port, String command, String last) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        if (line.equals(last) || line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR")
            || line.startsWith("SERVER_ERROR")) {
          break;
        }
      }
      return lines;
    }
  }

  /**
   * An {@code Integer -> String} cache on the memcached store, in a manager of its own (a provider of its
   * own: the same URI twice gives two independent managers, as two JVMs), closed with {@code managers}.
   */
  static dev.larder.LarderCache<Integer, String> integerCache(List<javax.cache.CacheManager> managers,
      MemcachedSettings settings, String managerUri, String cacheName) {
    return integerCache(managers, settings, managerUri, cacheName, dev.larder.expiry.TimeSource.SYSTEM);
  }

  /** The same, on a test's time source (deadlines, TTLs and the near tier's staleness follow it). */
  static dev.larder.LarderCache<Integer, String> integerCache(List<javax.cache.CacheManager> managers,
      MemcachedSettings settings, String managerUri, String cacheName, dev.larder.expiry.TimeSource time) {
    javax.cache.CacheManager manager = new dev.larder.spi.LarderCachingProvider().getCacheManager(
        java.net.URI.create(managerUri), MemcachedServers.class.getClassLoader());
    managers.add(manager);
    dev.larder.configuration.LarderConfiguration<Integer, String> configuration =
        new dev.larder.configuration.LarderConfiguration<Integer, String>()
            .setStoreFactory(MemcachedStoreFactory.of(settings)).setTimeSource(time);
    configuration.setTypes(Integer.class, String.class);
    @SuppressWarnings("unchecked")
    dev.larder.LarderCache<Integer, String> cache = manager.createCache(cacheName, configuration)
        .unwrap(dev.larder.LarderCache.class);
    return cache;
  }

  /** A memcached process of a test's own, on 127.0.0.1, that the test can kill -9 and restart. */
  static final class OwnServer implements AutoCloseable {
    /**
     * The processes still running, killed when the JVM ends however it ends short of SIGKILL: a test
     * JVM that exits in the middle of a test (PIT's minion on a mutant's time-out) left them on their
     * fixed ports, and the next run found "Port 11345 is taken".
     */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
          "own-memcached-killer"));
    }

    final int port;
    private final List<String> extraArguments;
    private Process process;

    OwnServer(int port, String... extraArguments) {
      this.port = port;
      this.extraArguments = List.of(extraArguments);
    }

    OwnServer start() throws IOException, InterruptedException {
      if (isListening(port)) {
        throw new IllegalStateException("Port " + port + " is taken: a test's own memcached cannot start there");
      }
      List<String> command = new ArrayList<>(List.of("memcached", "-l", "127.0.0.1", "-p", Integer.toString(port),
          "-U", "0", "-m", "64", "-u", System.getProperty("user.name")));
      command.addAll(extraArguments);
      try {
        process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        RUNNING.add(process);
      } catch (IOException e) {
        throw new IllegalStateException("Cannot start memcached (is it installed? apt-get install -y memcached)", e);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!isListening(port)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("memcached did not start on 127.0.0.1:" + port);
        }
        Thread.sleep(20); // a real process starting: poll its port, bounded by the deadline
      }
      return this;
    }

    /** kill -STOP: the process hangs with its connections open, as a hung or partitioned server does. */
    void suspend() throws IOException, InterruptedException {
      signal("-STOP");
    }

    /** kill -CONT: it goes on where it stopped, with everything it held. */
    void resume() throws IOException, InterruptedException {
      signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
      // kill returns once the signal is sent, not once every thread has stopped (or gone on): seen here,
      // a request answered in 0 ms after kill -STOP had returned. Wait for each thread's state.
      boolean stopping = signal.equals("-STOP");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (allThreadsStopped() != stopping) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("memcached " + process.pid() + " did not " + (stopping ? "stop" : "go on"));
        }
        Thread.sleep(1); // a real process stopping or resuming: poll its state, bounded
      }
    }

    /** Whether every thread of the process is stopped ({@code T} in {@code /proc/<pid>/task/<tid>/stat}). */
    private boolean allThreadsStopped() throws IOException {
      try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(
          java.nio.file.Path.of("/proc", Long.toString(process.pid()), "task"))) {
        for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
          String stat = java.nio.file.Files.readString(task.resolve("stat"));
          char state = stat.charAt(stat.lastIndexOf(')') + 2);
          if (state != 'T' && state != 't') {
            return false;
          }
        }
        return true;
      }
    }

    /** kill -9: no goodbye to the clients. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
      RUNNING.remove(process);
    }

    String address() {
      return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
      if (process != null && process.isAlive()) {
        kill(); // SIGKILL ends a stopped process too
      }
    }
  }
}
