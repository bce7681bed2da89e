package dev.larder.memcached.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration endpoint of the managed memcached services (AWS ElastiCache, Google Memorystore):
 * {@code config get cluster} answers {@code CONFIG cluster 0 <bytes>}, then a line with the
 * configuration's version, a line of space-separated {@code hostname|ip|port} entries, a blank line
 * and {@code END}. A higher version replaces the list. Read on a connection of its own, with the same
 * TLS and authentication as the servers.
 */
final class ClusterDiscovery {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterDiscovery.class);

  record Cluster(long version, List<InetSocketAddress> servers) {
  }

  private final InetSocketAddress endpoint;
  private final String name;
  private final ConnectionSecurity security;
  private final int timeoutMillis;
  private volatile long version = Long.MIN_VALUE;
  private volatile boolean failing;

  ClusterDiscovery(InetSocketAddress endpoint, ConnectionSecurity security, int timeoutMillis) {
    this.endpoint = endpoint;
    this.name = endpoint.getHostString() + ":" + endpoint.getPort();
    this.security = security;
    this.timeoutMillis = timeoutMillis;
  }

  String name() {
    return name;
  }

  /** Asks the endpoint for the cluster's configuration. */
  Cluster read() {
    try (Socket socket = security.openSocket(endpoint, name, timeoutMillis)) {
      OutputStream out = socket.getOutputStream();
      out.write("config get cluster\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String header = line(in);
      String[] parts = header.split(" ", -1);
      if (parts.length != 4 || !parts[0].equals("CONFIG") || !parts[1].equals("cluster")) {
        throw new CacheException("The memcached discovery endpoint " + name + " answered '" + header
            + "' to config get cluster (expected CONFIG cluster 0 <bytes>)");
      }
      byte[] body = in.readNBytes(Integer.parseInt(parts[3]));
      String end = line(in);
      for (int blank = 0; end.isEmpty() && blank < 2; blank++) { // the blank line may or may not be counted
        end = line(in);
      }
      if (!end.equals("END")) {
        throw new CacheException("The memcached discovery endpoint " + name + " did not end its answer with END");
      }
      return parse(new String(body, StandardCharsets.US_ASCII));
    } catch (IOException | NumberFormatException e) {
      throw new CacheException("The memcached discovery endpoint " + name + " cannot be read: " + e, e);
    }
  }

  /** The body: a version line, then the node list. */
  Cluster parse(String body) {
    String[] lines = body.strip().split("\\R", -1);
    if (lines.length < 2) {
      throw new CacheException("The memcached discovery endpoint " + name + " sent no node list: '" + body + "'");
    }
    long version;
    try {
      version = Long.parseLong(lines[0].trim());
    } catch (NumberFormatException e) {
      throw new CacheException("The memcached discovery endpoint " + name + " sent '" + lines[0]
          + "' as the configuration version (expected a number)", e);
    }
    List<InetSocketAddress> servers = new ArrayList<>();
    for (String node : lines[1].trim().split("\\s+", -1)) {
      String[] fields = node.split("\\|", -1);
      if (fields.length != 3) {
        throw new CacheException("The memcached discovery endpoint " + name + " listed '" + node
            + "' (expected hostname|ip|port)");
      }
      String host = fields[1].isEmpty() ? fields[0] : fields[1];
      servers.add(new InetSocketAddress(host, Integer.parseInt(fields[2])));
    }
    return new Cluster(version, servers);
  }

  boolean isNewer(long candidate) {
    return candidate > version;
  }

  void accepted(long newVersion) {
    version = newVersion;
  }

  /** One log line when the endpoint starts failing, and one when it answers again: not one per poll. */
  void unreachable(RuntimeException failure) {
    if (!failing) {
      failing = true;
      LOG.warn("memcached discovery endpoint " + name + " cannot be read; keeping the servers known so far: "
          + failure.getMessage());
    }
  }

  void reachable() {
    if (failing) {
      failing = false;
      LOG.info("memcached discovery endpoint " + name + " answers again");
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("connection closed");
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
