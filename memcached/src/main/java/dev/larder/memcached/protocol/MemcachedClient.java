package dev.larder.memcached.protocol;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.cache.CacheException;

/**
 * A meta-protocol client for a list of memcached servers: keys placed by ketama consistent hashing,
 * requests pipelined over a few Netty connections per server, batches sent as one write per server.
 */
public final class MemcachedClient implements AutoCloseable {

  private final EventLoopGroup group;
  private final List<ServerNode> nodes = new ArrayList<>();
  private final KetamaLocator locator;
  private final int timeoutMillis;
  /** Also for the blocking text-command sockets: they get the same TLS and authentication. */
  private final ConnectionSecurity security;

  public MemcachedClient(List<InetSocketAddress> servers, int connectionsPerServer, int timeoutMillis,
      int connectTimeoutMillis, long initialBackoffMillis, long maxBackoffMillis, ConnectionSecurity security) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("No memcached server given");
    }
    this.timeoutMillis = timeoutMillis;
    this.security = security;
    this.group = new NioEventLoopGroup(Math.min(2, servers.size()), new DefaultThreadFactory("larder-memcached", true));
    for (InetSocketAddress server : servers) {
      nodes.add(new ServerNode(server, group, connectionsPerServer, timeoutMillis, connectTimeoutMillis,
          initialBackoffMillis, maxBackoffMillis, security));
    }
    this.locator = new KetamaLocator(nodes);
  }

  public List<ServerNode> nodes() {
    return nodes;
  }

  /** The server that holds the key. */
  public ServerNode nodeFor(String key) {
    return nodes.size() == 1 ? nodes.get(0) : locator.locate(key);
  }

  /** Sends each server its share of the requests in one write, then waits for every answer. */
  public Map<String, MetaResponse> executeAll(Map<String, MetaRequest> requestsByKey) {
    Map<ServerNode, List<MetaRequest>> byNode = new LinkedHashMap<>();
    ServerNode[] nodeOf = new ServerNode[requestsByKey.size()];
    int i = 0;
    for (Map.Entry<String, MetaRequest> entry : requestsByKey.entrySet()) {
      ServerNode node = nodeFor(entry.getKey());
      nodeOf[i++] = node;
      byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(entry.getValue());
    }
    for (Map.Entry<ServerNode, List<MetaRequest>> entry : byNode.entrySet()) {
      entry.getKey().sendAll(entry.getValue());
    }
    Map<String, MetaResponse> responses = new LinkedHashMap<>(Math.max(4, requestsByKey.size() * 2));
    i = 0;
    for (Map.Entry<String, MetaRequest> entry : requestsByKey.entrySet()) {
      responses.put(entry.getKey(), nodeOf[i++].await(entry.getValue()));
    }
    return responses;
  }

  /** Sends one request to the key's server and waits for the answer. */
  public MetaResponse execute(String key, MetaRequest request) {
    return nodeFor(key).execute(request);
  }

  /**
   * Streams the (URL-decoded) keys of every live item on one server that start with {@code prefix},
   * through {@code lru_crawler metadump all} on a connection of its own (the server refuses to pipeline
   * other commands with it).
   *
   * @throws CacheException naming the server if it refuses key dumps
   */
  public void dumpKeys(ServerNode node, String prefix, Consumer<String> keys) {
    try (Socket socket = security.openSocket(node.address(), node.name(), timeoutMillis)) {
      socket.setSoTimeout((int) Math.max(timeoutMillis, TimeUnit.SECONDS.toMillis(30)));
      OutputStream out = socket.getOutputStream();
      out.write("lru_crawler metadump all\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("END")) {
          return;
        }
        if (line.startsWith("BUSY") || line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR")
            || line.startsWith("SERVER_ERROR")) {
          throw new CacheException("memcached " + node.name() + " refused to list its keys (" + line
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
      throw new CacheException("memcached " + node.name() + " closed the connection in the middle of a key dump");
    } catch (IOException e) {
      throw new CacheException("Listing the keys of memcached " + node.name() + " failed: " + e, e);
    }
  }

  /** The server's {@code item_size_max} (set with {@code -I}), from {@code stats settings}. */
  public long itemSizeMax(ServerNode node) {
    try (Socket socket = security.openSocket(node.address(), node.name(), timeoutMillis)) {
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
    for (ServerNode node : nodes) {
      node.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
