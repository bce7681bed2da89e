package dev.larder.memcached.protocol;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.cache.CacheException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A meta-protocol client for a list of memcached servers: keys placed by ketama consistent hashing,
 * requests pipelined over a few Netty connections per server, batches sent as one write per server.
 *
 * <p>One health thread per client probes the servers marked down, ejects those down for too long (if
 * {@link ClientOptions#ejectAfterMillis} allows), deletes keys in doubt, and follows a discovery
 * endpoint if there is one. The server list may change while the client runs ({@link #updateServers}):
 * servers kept keep their connections and their keys.
 */
public final class MemcachedClient implements AutoCloseable, ServerNode.Hooks {

  private static final Logger LOG = LoggerFactory.getLogger(MemcachedClient.class);
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final EventLoopGroup group;
  private final ClientOptions options;
  /** Also for the blocking text-command sockets: they get the same TLS and authentication. */
  private final ConnectionSecurity security;
  private final String id = "larder-" + CLIENTS.incrementAndGet();
  /** Runs the health work (its tasks catch their own failures: checkHealth, pollDiscovery, retire). */
  private final HealthClock.Timer healthTimer;
  private final Set<ServerNode> needAttention = ConcurrentHashMap.newKeySet();
  /** Servers removed from the list, closed once the calls in flight on them are over. */
  private final Set<ServerNode> retiring = ConcurrentHashMap.newKeySet();
  private volatile Topology topology;
  private volatile ClusterDiscovery discovery;
  private volatile boolean closed;
  /** Whether the servers walk their hash tables for key dumps ({@link #dumpKeys}); false once one refused. */
  private volatile boolean hashWalks = true;

  /**
   * The client's event loop threads: one per four cores, at least one (spymemcached runs one). On this
   * project's 2-core machine, where the callers and three servers share the cores, one thread instead of
   * two gave 4 callers 1.22× the gets, 1.14× the sets and 1.19× the getAll(100)s (same jar, medians of 3
   * alternating pairs of forks, 3 servers), and 1 caller the same (0.97–1.00×).
   */
  private static final int IO_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 4);

  public MemcachedClient(List<InetSocketAddress> servers, ClientOptions options, ConnectionSecurity security) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("No memcached server given");
    }
    this.options = options;
    this.security = security;
    this.group = new MultiThreadIoEventLoopGroup(IO_THREADS, new DefaultThreadFactory("larder-memcached", true),
        NioIoHandler.newFactory());
    this.healthTimer = options.healthClock().start(id);
    List<ServerNode> nodes = new ArrayList<>();
    for (InetSocketAddress server : distinct(servers)) {
      nodes.add(newNode(server));
    }
    this.topology = new Topology(nodes);
    healthTimer.repeat(this::checkHealth, options.probeIntervalMillis());
  }

  /**
   * A client whose servers come from a discovery endpoint ({@code config get cluster}, as the managed
   * memcached services answer it), read now and then every {@code intervalMillis}.
   *
   * @throws CacheException naming the endpoint if it gives no server list now
   */
  public static MemcachedClient discovering(InetSocketAddress endpoint, long intervalMillis, ClientOptions options,
      ConnectionSecurity security) {
    ClusterDiscovery discovery = new ClusterDiscovery(endpoint, security, options.timeoutMillis());
    ClusterDiscovery.Cluster cluster = discovery.read();
    if (cluster.servers().isEmpty()) {
      throw new CacheException("The memcached discovery endpoint " + discovery.name() + " lists no server");
    }
    MemcachedClient client = new MemcachedClient(cluster.servers(), options, security);
    client.discovery = discovery;
    discovery.accepted(cluster.version());
    client.healthTimer.repeat(client::pollDiscovery, intervalMillis);
    return client;
  }

  private ServerNode newNode(InetSocketAddress server) {
    ServerNode node = new ServerNode(server, group, options.connectionsPerServer(), options.timeoutMillis(),
        options.connectTimeoutMillis(), options.failureLimit(), security, this, healthTimer::nanoTime);
    dev.larder.management.MBeans.register(node.health(), mbeanName(node));
    return node;
  }

  private ObjectName mbeanName(ServerNode node) {
    try {
      return new ObjectName("dev.larder:type=MemcachedServer,client=" + id + ",server="
          + node.name().replaceAll("[:=,\n*?\"]", "_"));
    } catch (javax.management.MalformedObjectNameException e) {
      throw new CacheException("Cannot name the MXBean of memcached " + node.name(), e);
    }
  }

  public ClientOptions options() {
    return options;
  }

  /** This client's name in its servers' MXBean names ({@code client=...}). */
  public String id() {
    return id;
  }

  /** The servers now, in list order. */
  public List<ServerNode> nodes() {
    return topology.nodes;
  }

  /** The server that the key's requests go to now: its own, or another while its own is ejected. */
  public ServerNode nodeFor(String key) {
    return topology.locate(key);
  }

  /** The key's own server, even while it is ejected (for what must not move: a generation counter). */
  public ServerNode homeOf(String key) {
    return topology.home(key);
  }

  /** {@code host:port,...}, in list order. */
  public String serverNames() {
    return topology.nodes.stream().map(ServerNode::name).collect(java.util.stream.Collectors.joining(","));
  }

  /** {@code host:port=state,...}: {@code up}, {@code down} or {@code ejected}, per server. */
  public String serverStates() {
    StringBuilder states = new StringBuilder();
    for (ServerNode node : topology.nodes) {
      states.append(states.length() == 0 ? "" : ",").append(node.name()).append('=').append(node.health().getState());
    }
    return states.toString();
  }

  /**
   * Replaces the server list: servers kept keep their connections and state, new ones are added,
   * removed ones are closed once calls in flight on them are over. Keys move as ketama says and no more.
   */
  public synchronized void updateServers(List<InetSocketAddress> servers) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("No memcached server given");
    }
    Topology current = topology;
    Map<InetSocketAddress, ServerNode> existing = new LinkedHashMap<>();
    current.nodes.forEach(node -> existing.put(node.address(), node));
    List<ServerNode> nodes = new ArrayList<>();
    List<String> added = new ArrayList<>();
    for (InetSocketAddress server : distinct(servers)) {
      ServerNode node = existing.remove(server);
      if (node == null) {
        node = newNode(server);
        added.add(node.name());
      }
      nodes.add(node);
    }
    if (added.isEmpty() && existing.isEmpty()) {
      return;
    }
    topology = new Topology(nodes);
    LOG.info("memcached servers changed: added " + added + ", removed "
        + existing.values().stream().map(ServerNode::name).toList() + "; now " + nodes.size());
    for (ServerNode removed : existing.values()) {
      dev.larder.management.MBeans.unregister(mbeanName(removed));
      retiring.add(removed);
      healthTimer.once(() -> {
        removed.close();
        retiring.remove(removed);
      }, options.timeoutMillis() + 1000L);
    }
  }

  private static List<InetSocketAddress> distinct(List<InetSocketAddress> servers) {
    return new ArrayList<>(new java.util.LinkedHashSet<>(servers));
  }

  @Override
  public void beforeSend(ServerNode target, List<MetaRequest> requests) {
    Topology now = topology;
    if (!now.anyEjected()) {
      return;
    }
    for (MetaRequest request : requests) {
      if (request.writes && request.key != null) {
        ServerNode home = now.home(request.key);
        if (home != target && home.health().state() == ServerHealth.State.EJECTED) {
          // a failover write: short-lived there, and the ejected server's copy is now stale
          request.capTtl(options.failoverTtlSeconds());
          home.noteInDoubt(request);
        }
      }
    }
  }

  @Override
  public void needsAttention(ServerNode node) {
    needAttention.add(node);
  }

  /** The health thread's round: probes, ejections, deletes of keys in doubt. Never throws. */
  private void checkHealth() {
    try {
      Topology now = topology;
      for (ServerNode node : now.nodes) {
        switch (node.health().state()) {
          case UP -> {
            if (needAttention.remove(node)) {
              node.repairInService();
            }
          }
          case DOWN -> {
            if (!node.probe() && mayEject(node)) {
              node.health().eject("down for " + TimeUnit.NANOSECONDS.toMillis(node.health().downForNanos())
                  + " ms: its keys go to the other servers (entries written there live at most "
                  + options.failoverTtlSeconds() + " s)");
            }
          }
          case EJECTED -> node.probe();
        }
      }
      synchronized (this) {
        if (!topology.matchesStates()) {
          topology = new Topology(topology.nodes);
        }
      }
    } catch (RuntimeException | Error e) {
      if (!closed) {
        LOG.warn("memcached health check failed: " + e, e);
      }
    }
  }

  private boolean mayEject(ServerNode node) {
    long ejectAfter = options.ejectAfterMillis();
    return ejectAfter >= 0
        && node.health().downForNanos() >= TimeUnit.MILLISECONDS.toNanos(ejectAfter)
        // its failover copies from a previous ejection must have expired first
        && node.health().upForNanos() >= TimeUnit.SECONDS.toNanos(options.failoverTtlSeconds());
  }

  private void pollDiscovery() {
    ClusterDiscovery endpoint = discovery;
    try {
      ClusterDiscovery.Cluster cluster = endpoint.read();
      if (endpoint.isNewer(cluster.version()) && !cluster.servers().isEmpty()) {
        LOG.info("memcached discovery " + endpoint.name() + ": configuration version " + cluster.version() + ", "
            + cluster.servers().size() + " servers");
        updateServers(cluster.servers());
        endpoint.accepted(cluster.version());
      }
      endpoint.reachable();
    } catch (RuntimeException e) {
      endpoint.unreachable(e); // the servers known so far stay in use
    }
  }

  /**
   * Sends each server its share of the requests in one write, then waits for every answer: each
   * request's {@linkplain MetaRequest#response() future} is complete when this returns.
   *
   * @throws CacheException the first failure, once every request has been sent
   */
  public void executeAll(List<MetaRequest> requests) {
    Topology now = topology;
    // A handful of servers: a list searched by identity costs less than a map of them.
    List<ServerNode> targets = new ArrayList<>(4);
    List<List<MetaRequest>> shares = new ArrayList<>(4);
    ServerNode[] nodeOf = new ServerNode[requests.size()];
    for (int i = 0; i < nodeOf.length; i++) {
      MetaRequest request = requests.get(i);
      ServerNode node = now.locate(request.key);
      nodeOf[i] = node;
      int target = targets.indexOf(node);
      if (target < 0) {
        target = targets.size();
        targets.add(node);
        shares.add(new ArrayList<>(requests.size()));
      }
      shares.get(target).add(request);
    }
    for (int i = 0; i < targets.size(); i++) {
      targets.get(i).sendAll(shares.get(i));
    }
    for (int i = 0; i < targets.size(); i++) {
      // A connection answers in order: once its last answer is in, so are the others, and the caller
      // wakes once per server, not at each answer.
      List<MetaRequest> sent = shares.get(i);
      targets.get(i).await(sent.get(sent.size() - 1));
    }
    for (int i = 0; i < nodeOf.length; i++) {
      nodeOf[i].await(requests.get(i));
    }
  }

  /** {@link #executeAll(List)}, each answer by its request's key. */
  public Map<String, MetaResponse> executeAll(Map<String, MetaRequest> requestsByKey) {
    executeAll(new ArrayList<>(requestsByKey.values()));
    Map<String, MetaResponse> responses = new LinkedHashMap<>(Math.max(4, requestsByKey.size() * 2));
    for (Map.Entry<String, MetaRequest> entry : requestsByKey.entrySet()) {
      responses.put(entry.getKey(), entry.getValue().response().join());
    }
    return responses;
  }

  /** Sends one request to the key's server and waits for the answer. */
  public MetaResponse execute(String key, MetaRequest request) {
    return nodeFor(key).execute(request);
  }

  /**
   * Streams the (URL-decoded) keys of every live item on one server that start with {@code prefix},
   * through {@code lru_crawler metadump hash} on a connection of its own (the server refuses to pipeline
   * other commands with it). The crawl walks the hash table, not the LRUs: measured on memcached 1.6.18
   * with two connections reading and rewriting 5,000 keys, every one of 40 LRU walks ({@code metadump
   * all}) missed keys, up to a fifth of them, as items moved between the HOT, WARM and COLD queues under
   * the crawler; no hash walk missed one. A server too old for hash walks gets the LRU walk.
   *
   * @throws ServerUnavailableException at once if the server is marked down or ejected
   * @throws CacheException naming the server if it refuses key dumps
   */
  public void dumpKeys(ServerNode node, String prefix, Consumer<String> keys) {
    if (!node.inService()) {
      throw new ServerUnavailableException(node.health().description() + "; its keys cannot be listed", null);
    }
    if (!hashWalks || !walk(node, "hash", prefix, keys)) {
      hashWalks = false;
      walk(node, "all", prefix, keys);
    }
  }

  /** One key dump by the named walk; false if the server refused it before any key (a server too old for it). */
  private boolean walk(ServerNode node, String walk, String prefix, Consumer<String> keys) {
    try (Socket socket = security.openSocket(node.address(), node.name(), options.timeoutMillis())) {
      socket.setSoTimeout((int) Math.max(options.timeoutMillis(), TimeUnit.SECONDS.toMillis(30)));
      OutputStream out = socket.getOutputStream();
      out.write(("lru_crawler metadump " + walk + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return readDump(new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)),
          node.name(), walk, prefix, keys);
    } catch (IOException e) {
      throw new CacheException("Listing the keys of memcached " + node.name() + " failed: " + e, e);
    }
  }

  /**
   * Reads a {@code metadump} answer up to its {@code END}. False if a walk other than {@code all} was
   * refused at once ({@code BADCLASS}: a server that takes {@code hash} for a slab class it does not
   * have, as memcached 1.6.18 answers for any walk it does not know).
   */
  static boolean readDump(BufferedReader in, String server, String walk, String prefix, Consumer<String> keys)
      throws IOException {
    boolean first = true;
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("END")) {
        return true;
      }
      if (first && !walk.equals("all") && (line.startsWith("BADCLASS") || line.startsWith("CLIENT_ERROR"))) {
        return false;
      }
      first = false;
      if (line.startsWith("BUSY") || line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR")
          || line.startsWith("SERVER_ERROR") || line.startsWith("BADCLASS")) {
        throw new CacheException("memcached " + server + " refused to list its keys (" + line
            + "): iterator() and removeAll() need 'lru_crawler metadump' (do not start it with -o no_lru_crawler)");
      }
      if (line.startsWith("key=")) {
        int end = line.indexOf(' ');
        String key = URLDecoder.decode(line.substring(4, end < 0 ? line.length() : end), StandardCharsets.UTF_8);
        if (key.startsWith(prefix)) {
          keys.accept(key);
        }
      }
    }
    throw new CacheException("memcached " + server + " closed the connection in the middle of a key dump");
  }

  /** The server's {@code item_size_max} (set with {@code -I}), from {@code stats settings}. */
  public long itemSizeMax(ServerNode node) {
    if (!node.inService()) {
      throw new ServerUnavailableException(node.health().description(), null);
    }
    try (Socket socket = security.openSocket(node.address(), node.name(), options.timeoutMillis())) {
      OutputStream out = socket.getOutputStream();
      out.write("stats settings\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String line;
      long size = -1;
      while ((line = in.readLine()) != null && !line.equals("END")) {
        if (line.startsWith("STAT item_size_max ")) {
          size = Long.parseLong(line.substring("STAT item_size_max ".length()).trim());
        }
      }
      return size;
    } catch (IOException | NumberFormatException e) {
      throw new CacheException("Reading the settings of memcached " + node.name() + " failed: " + e, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    healthTimer.stop(options.timeoutMillis() + options.connectTimeoutMillis() + 1000L);
    for (ServerNode node : topology.nodes) {
      dev.larder.management.MBeans.unregister(mbeanName(node));
      node.close();
    }
    retiring.forEach(ServerNode::close);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
