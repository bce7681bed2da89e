package dev.larder.memcached;

import dev.larder.memcached.protocol.ConnectionSecurity;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.memcached.protocol.ServerNode;
import java.util.HashMap;
import java.util.Map;

/**
 * One client per set of settings, shared by every cache that uses them and closed when the last one
 * lets go: a JVM keeps one set of connections per server however many caches it has.
 */
final class SharedClients {

  private static final Map<MemcachedSettings, Shared> CLIENTS = new HashMap<>();

  private SharedClients() {
  }

  static Lease acquire(MemcachedSettings settings) {
    synchronized (CLIENTS) {
      Shared shared = CLIENTS.get(settings);
      if (shared == null) {
        ConnectionSecurity security = ConnectionSecurity.of(settings.tls(), settings.tlsTrust(), settings.authUser(),
            settings.authPassword());
        MemcachedClient client = settings.discoveryEndpoint() == null
            ? new MemcachedClient(settings.servers(), settings.clientOptions(), security)
            : MemcachedClient.discovering(settings.discoveryEndpoint(), settings.discoveryIntervalMillis(),
                settings.clientOptions(), security);
        shared = new Shared(settings, client);
        CLIENTS.put(settings, shared);
      }
      shared.users++;
      return new Lease(shared);
    }
  }

  private static final class Shared implements MemcachedClientMXBean {
    final MemcachedSettings settings;
    final MemcachedClient client;
    final javax.management.ObjectName mbeanName;
    int users;
    volatile long itemSizeMax = -1;

    Shared(MemcachedSettings settings, MemcachedClient client) {
      this.settings = settings;
      this.client = client;
      try {
        this.mbeanName = new javax.management.ObjectName("dev.larder:type=MemcachedClient,client=" + client.id());
      } catch (javax.management.MalformedObjectNameException e) {
        throw new IllegalStateException(e);
      }
      dev.larder.management.MBeans.register(this, mbeanName);
    }

    @Override
    public String getServers() {
      return client.serverNames();
    }

    @Override
    public String getServerStates() {
      return client.serverStates();
    }

    @Override
    public void updateServers(String servers) {
      client.updateServers(MemcachedSettings.parseServers(servers));
    }

    void close() {
      dev.larder.management.MBeans.unregister(mbeanName);
      client.close();
    }
  }

  /** One cache's use of a shared client. */
  static final class Lease {
    private final Shared shared;
    private boolean released;

    private Lease(Shared shared) {
      this.shared = shared;
    }

    MemcachedClient client() {
      return shared.client;
    }

    /** The smallest {@code item_size_max} of the servers, read once; -1 if none could be read. */
    long itemSizeMax() {
      long size = shared.itemSizeMax;
      if (size < 0) {
        for (ServerNode node : shared.client.nodes()) {
          try {
            long nodeSize = shared.client.itemSizeMax(node);
            if (nodeSize > 0 && (size < 0 || nodeSize < size)) {
              size = nodeSize;
            }
          } catch (RuntimeException e) {
            // an unreachable server: its size is read next time
            return size;
          }
        }
        shared.itemSizeMax = size;
      }
      return size;
    }

    void release() {
      synchronized (CLIENTS) {
        if (released) {
          return;
        }
        released = true;
        if (--shared.users == 0) {
          CLIENTS.remove(shared.settings, shared);
          shared.close();
        }
      }
    }
  }
}
