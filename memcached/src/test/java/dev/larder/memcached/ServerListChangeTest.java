package dev.larder.memcached;

import dev.larder.store.codec.TaggedSerializer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.LarderCache;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.memcached.protocol.MetaRequest;
import dev.larder.memcached.protocol.MetaResponse;
import dev.larder.memcached.protocol.ServerNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Servers that leave and join: ejection of a server down for good (its keys move to the others, and
 * back, and a value written meanwhile is never shadowed by the older one it kept), and a discovery
 * endpoint adding and removing servers under load. Real memcached processes on 127.0.0.1; the discovery
 * endpoint is a small scripted server in the test sources, since no managed service can be reached
 * from here: it answers {@code config get cluster} in the format AWS ElastiCache and Google
 * Memorystore use.
 */
class ServerListChangeTest {

  private final List<CacheManager> managers = new ArrayList<>();

  @AfterEach
  void close() {
    managers.forEach(CacheManager::close);
  }

  @Test
  void anEjectedServersKeysMoveAndComeBackWithoutItsOldValues() throws Exception {
    try (MemcachedServers.OwnServer first = new MemcachedServers.OwnServer(11371).start();
         MemcachedServers.OwnServer second = new MemcachedServers.OwnServer(11372).start();
         MemcachedServers.OwnServer victim = new MemcachedServers.OwnServer(11373).start()) {
      ManualHealthClock clock = new ManualHealthClock(); // probes every 100 ms, ejection after 500 ms down
      MemcachedSettings settings = MemcachedSettings.servers(first.address() + "," + second.address() + ","
          + victim.address()).withPrefix("eject").withTimeoutMillis(300).withFailureDetection(3, 100)
          .withEjection(500, 3).withHealthClock(clock);
      LarderCache<Integer, String> cache = cache(settings, "eject");
      MemcachedClient client = cache.unwrap(MemcachedClient.class);
      MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);
      ServerNode victimNode = node(client, victim.address());
      Map<Integer, ServerNode> placed = new HashMap<>();
      List<Integer> victimKeys = new ArrayList<>();
      for (int key = 0; key < 300; key++) {
        cache.put(key, "old " + key);
        ServerNode node = client.nodeFor(memcachedKey(store, key));
        placed.put(key, node);
        if (node == victimNode) {
          victimKeys.add(key);
        }
      }
      assertThat(victimKeys).hasSizeGreaterThan(50);

      victim.suspend(); // it keeps every "old" value
      int probe = victimKeys.get(0);
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> cache.get(probe)).isInstanceOf(CacheException.class)
            .hasMessageContaining(victim.address());
      }
      assertThat(store.metrics().getServerStates()).contains(victim.address() + "=down");
      // Each round probes it: the stopped process's kernel takes the connection, and no answer comes.
      clock.advance(400);
      assertThat(store.metrics().getServerStates()).as("down for 400 ms").contains(victim.address() + "=down");
      assertThat(client.nodeFor(memcachedKey(store, probe))).isSameAs(victimNode);
      clock.advance(100);
      assertThat(store.metrics().getServerStates()).as("down for 500 ms").contains(victim.address() + "=ejected");
      // the ring without it follows the state in the same health round
      assertThat(client.nodeFor(memcachedKey(store, probe))).isNotSameAs(victimNode);

      // Its keys now live on the other two; every other key stays where it was.
      for (int key = 0; key < 300; key++) {
        cache.put(key, "new " + key);
        ServerNode now = client.nodeFor(memcachedKey(store, key));
        if (placed.get(key) == victimNode) {
          assertThat(now).isNotSameAs(victimNode);
        } else {
          assertThat(now).as("a key of a server still in service stays there").isSameAs(placed.get(key));
        }
      }
      for (int key = 0; key < 300; key++) {
        assertThat(cache.get(key)).isEqualTo("new " + key);
      }
      // What was written in the victim's place lives at most the failover TTL there (3 s here).
      String moved = memcachedKey(store, victimKeys.get(0));
      MetaResponse ttl = client.execute(moved, MetaRequest.get(moved, dev.larder.memcached.protocol.MetaFlags.NONE.returnTtl()));
      assertThat(Long.parseLong(ttl.flag('t'))).isBetween(1L, 3L);

      victim.resume();
      clock.advance(100);
      assertThat(victimNode.inService()).as("back in service after the next probe").isTrue();
      for (int key : victimKeys) {
        String value = cache.get(key);
        assertThat(value).as("key %d after the ejected server came back", key).isNotEqualTo("old " + key);
        assertThat(value).isIn(null, "new " + key);
      }
      for (int key = 0; key < 300; key++) {
        cache.put(key, "final " + key);
        assertThat(client.nodeFor(memcachedKey(store, key))).isSameAs(placed.get(key));
        assertThat(cache.get(key)).isEqualTo("final " + key);
      }

      // Back less than the failover TTL ago: down again, but not ejected again while its failover copies may live.
      victim.suspend();
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> cache.get(probe)).isInstanceOf(CacheException.class);
      }
      clock.advance(1_000);
      assertThat(store.metrics().getServerStates()).as("down for twice the ejection delay, back 1 s ago")
          .contains(victim.address() + "=down");
      clock.advance(2_000);
      assertThat(store.metrics().getServerStates()).as("back 3 s ago: its failover copies have expired")
          .contains(victim.address() + "=ejected");
      victim.resume();
      clock.advance(100);
      assertThat(victimNode.inService()).isTrue();
    }
  }

  @Test
  void discoveryAddsAndRemovesServersUnderLoadAndKeysMoveOnlyAsKetamaSays() throws Exception {
    try (MemcachedServers.OwnServer a = new MemcachedServers.OwnServer(11375).start();
         MemcachedServers.OwnServer b = new MemcachedServers.OwnServer(11376).start();
         MemcachedServers.OwnServer c = new MemcachedServers.OwnServer(11377).start();
         ConfigEndpoint endpoint = new ConfigEndpoint()) {
      endpoint.publish(1, a, b);
      Properties properties = new Properties();
      properties.setProperty(MemcachedSettings.DISCOVERY, "127.0.0.1:" + endpoint.port());
      properties.setProperty(MemcachedSettings.DISCOVERY_INTERVAL, "200");
      properties.setProperty(MemcachedSettings.PREFIX, "discovery");
      ManualHealthClock clock = new ManualHealthClock(); // the endpoint is read every 200 ms of it
      LarderCache<Integer, String> cache = cache(MemcachedSettings.from(properties).withHealthClock(clock), "discovery");
      MemcachedClient client = cache.unwrap(MemcachedClient.class);
      MemcachedStore<?, ?> store = cache.unwrap(MemcachedStore.class);
      assertThat(client.nodes()).extracting(ServerNode::name).containsExactly(a.address(), b.address());
      Map<Integer, String> before = new HashMap<>();
      for (int key = 0; key < 1000; key++) {
        before.put(key, client.nodeFor(memcachedKey(store, key)).name());
      }

      AtomicBoolean running = new AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicLong operations = new java.util.concurrent.atomic.AtomicLong();
      Queue<String> problems = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          Map<Integer, String> written = new HashMap<>();
          int sequence = 0;
          while (running.get()) {
            int key = ThreadLocalRandom.current().nextInt(500) * 2 + thread; // each thread its own keys
            try {
              if (ThreadLocalRandom.current().nextInt(4) == 0) {
                String value = key + ":" + ++sequence;
                cache.put(key, value);
                written.put(key, value);
              } else {
                String found = cache.get(key);
                if (found != null && !found.equals(written.get(key))) {
                  problems.add("key " + key + ": read " + found + ", last written " + written.get(key));
                }
              }
            } catch (CacheException e) {
              problems.add("key " + key + ": " + e.getMessage());
            }
            operations.incrementAndGet();
          }
          return null;
        }));
      }
      long done = operations.get(); // the load runs on two servers for a while before the list changes
      awaitTrue(() -> operations.get() >= done + 2_000, 10_000, "2,000 operations on two servers");
      endpoint.publish(2, a, b, c);
      clock.advance(199);
      assertThat(client.nodes()).as("before the next read of the endpoint").hasSize(2);
      clock.advance(1);
      assertThat(client.nodes()).as("the third server in use").hasSize(3);
      Map<Integer, String> grown = new HashMap<>();
      for (int key = 0; key < 1000; key++) {
        grown.put(key, client.nodeFor(memcachedKey(store, key)).name());
      }
      long grownAt = operations.get(); // and on three for a while
      awaitTrue(() -> operations.get() >= grownAt + 2_000, 10_000, "2,000 operations on three servers");
      endpoint.publish(1, a); // an older version: ignored
      int polled = endpoint.requests();
      clock.advance(200);
      clock.advance(200);
      assertThat(endpoint.requests()).as("two more reads of the endpoint").isEqualTo(polled + 2);
      assertThat(client.nodes()).as("after two reads of an older version").hasSize(3);
      endpoint.publish(3, b, c);
      clock.advance(200);
      assertThat(client.nodes()).as("the first server out of use").hasSize(2);
      long removedAt = operations.get(); // load goes on while the removed server's calls in flight end
      awaitTrue(() -> operations.get() >= removedAt + 2_000, 10_000, "2,000 operations after the removal");
      clock.advance(2_000); // the removed server is closed (timeout + 1 s after its removal)
      long closedAt = operations.get(); // and after it is closed
      awaitTrue(() -> operations.get() >= closedAt + 2_000, 10_000, "2,000 operations after the closing");
      running.set(false);
      for (Future<?> worker : workers) {
        worker.get(10, TimeUnit.SECONDS);
      }
      pool.shutdown();

      assertThat(problems).as("errors or wrong values through the changes").isEmpty();
      int movedToC = 0;
      for (int key = 0; key < 1000; key++) {
        if (!grown.get(key).equals(before.get(key))) {
          assertThat(grown.get(key)).as("a key that moved when c joined goes to c").isEqualTo(c.address());
          movedToC++;
        }
        String after = client.nodeFor(memcachedKey(store, key)).name();
        if (!grown.get(key).equals(a.address())) {
          assertThat(after).as("a key not on the removed server stays").isEqualTo(grown.get(key));
        }
      }
      assertThat(movedToC).as("keys moved to the new server, of 1000").isBetween(200, 480);
      for (int key = 0; key < 1000; key++) {
        cache.put(key, "last " + key);
        assertThat(cache.get(key)).isEqualTo("last " + key);
      }
      assertThat(endpoint.requests()).as("config get cluster requests answered").isGreaterThan(5);
    }
  }

  @Test
  void anOperatorChangesAHandKeptListOverJmxAndEveryCacheOfTheClientFollows() throws Exception {
    try (MemcachedServers.OwnServer a = new MemcachedServers.OwnServer(11378).start();
         MemcachedServers.OwnServer b = new MemcachedServers.OwnServer(11379).start();
         MemcachedServers.OwnServer c = new MemcachedServers.OwnServer(11380).start()) {
      LarderCache<Integer, String> cache = cache(MemcachedSettings.servers(a.address() + "," + b.address())
          .withPrefix("jmx"), "jmx");
      MemcachedClient client = cache.unwrap(MemcachedClient.class);
      javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
      javax.management.ObjectName name = new javax.management.ObjectName("dev.larder:type=MemcachedClient,client="
          + client.id());
      assertThat(jmx.getAttribute(name, "Servers")).isEqualTo(a.address() + "," + b.address());

      jmx.invoke(name, "updateServers", new Object[] {a.address() + "," + b.address() + "," + c.address()},
          new String[] {String.class.getName()});
      assertThat(client.nodes()).extracting(ServerNode::name).containsExactly(a.address(), b.address(), c.address());
      assertThat(jmx.getAttribute(name, "ServerStates"))
          .isEqualTo(a.address() + "=up," + b.address() + "=up," + c.address() + "=up");
      for (int key = 0; key < 300; key++) {
        cache.put(key, "v" + key);
      }
      long onC = java.util.stream.IntStream.range(0, 300)
          .filter(key -> client.nodeFor(memcachedKey(cache.unwrap(MemcachedStore.class), key)).name()
              .equals(c.address())).count();
      assertThat(onC).as("keys on the added server").isBetween(50L, 150L);
      assertThat(Integer.parseInt(MemcachedServers.command(c.port, "stats", "END").stream()
          .filter(line -> line.startsWith("STAT curr_items ")).findFirst().orElseThrow().substring(16).trim()))
          .as("items on the added server").isGreaterThanOrEqualTo((int) onC);
      for (int key = 0; key < 300; key++) {
        assertThat(cache.get(key)).isEqualTo("v" + key);
      }
      assertThatThrownBy(() -> jmx.invoke(name, "updateServers", new Object[] {"nowhere:port"},
          new String[] {String.class.getName()})).hasRootCauseMessage(
              "larder.memcached.servers: 'nowhere:port' is not host:port");
      assertThat(client.nodes()).hasSize(3);
    }
  }

  private static String memcachedKey(MemcachedStore<?, ?> store, int key) {
    return store.memcachedKey(TaggedSerializer.INSTANCE.serialize(key));
  }

  private static ServerNode node(MemcachedClient client, String name) {
    return client.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
  }

  /** Polls the progress of the test's own load threads (real threads doing real requests). */
  private static void awaitTrue(BooleanSupplier condition, long millis, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited %d ms for: %s", millis, what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private LarderCache<Integer, String> cache(MemcachedSettings settings, String name) {
    return MemcachedServers.integerCache(managers, settings, name, name);
  }

  /** A stand-in for a managed service's configuration endpoint: {@code config get cluster}, as they answer it. */
  static final class ConfigEndpoint implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread acceptor = new Thread(this::serve, "scripted-config-endpoint");
    private volatile String body = "";
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    ConfigEndpoint() throws IOException {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    int requests() {
      return requests.get();
    }

    void publish(long version, MemcachedServers.OwnServer... servers) {
      StringBuilder nodes = new StringBuilder();
      for (MemcachedServers.OwnServer server : servers) {
        nodes.append(nodes.length() == 0 ? "" : " ").append("node-").append(server.port).append(".cache.internal|127.0.0.1|")
            .append(server.port);
      }
      body = version + "\n" + nodes + "\n\r\n";
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket connection = socket.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
              StandardCharsets.US_ASCII));
          OutputStream out = connection.getOutputStream();
          String line;
          while ((line = in.readLine()) != null) {
            if (line.equals("config get cluster")) {
              byte[] answer = body.getBytes(StandardCharsets.US_ASCII);
              out.write(("CONFIG cluster 0 " + answer.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
              out.write(answer);
              out.write("END\r\n".getBytes(StandardCharsets.US_ASCII));
              requests.incrementAndGet();
            } else {
              out.write("ERROR\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
          }
        } catch (IOException closed) {
          // next connection, or the endpoint is closed
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
