package dev.larder.memcached;

import dev.larder.store.codec.DeserializationLimits;
import dev.larder.store.codec.StoreSettings;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * How to reach the memcached servers. From properties ({@code -Dlarder.memcached.servers=...}, or the
 * cache manager's properties) or built in code.
 *
 * @param servers the servers, {@code host:port} each
 * @param prefix the first part of every key Larder writes, to keep apart applications sharing servers
 * @param timeoutMillis how long a request may wait for its answer
 * @param connectTimeoutMillis how long a connection may take to open
 * @param connectionsPerServer pipelined connections to each server
 * @param deserializationAllow more classes that values read back may contain, beyond the cache's
 *     configured types, their packages and safe JDK types ({@link java.io.ObjectInputFilter} patterns,
 *     {@code ;}-separated, e.g. {@code com.acme.**}); blank for none
 * @param failuresAsMisses when a server is down or too slow: {@code false} (default), the call fails
 *     with a {@code CacheException} naming the server; {@code true}, a read is a miss and a write is
 *     skipped, counted and logged, so a dead server costs cache misses, not errors
 * @param tls whether to speak TLS to the servers (memcached {@code -Z}); the server's certificate must be
 *     trusted and name the host Larder connects to
 * @param tlsTrust a PEM file of the certificates to trust for TLS; blank for the JVM's trust store
 * @param authUser the user for memcached's ASCII authentication ({@code -Y authfile}); blank for none
 * @param authPassword that user's password
 * @param failureLimit timeouts or I/O errors in a row after which a server is marked down: its keys
 *     then fail (or miss) at once, without waiting, while a probe checks it
 * @param probeIntervalMillis how often a server marked down is probed; it is back within about this
 * @param ejectAfterMillis how long a server must be down before its keys move to the other servers;
 *     -1 (the default, {@code on.server.down=fail}) never
 * @param failoverTtlSeconds the longest an entry written in place of an ejected server lives
 * @param discovery a configuration endpoint ({@code host:port}) that lists the servers, as the managed
 *     services publish it; blank for none (then {@code servers} is the list)
 * @param discoveryIntervalMillis how often the endpoint is read
 * @param limits what a value read back may cost to deserialize
 * @param nearMaximumSize entries of a near tier in this JVM in front of memcached; 0 (default) for none
 * @param nearMaxStalenessMillis how long a near entry may be served without asking memcached: the
 *     bound on how late this JVM sees another JVM's write (its own writes it sees at once)
 * @param healthClock when the health work (probes, ejections, discovery polls) runs and the time it
 *     judges by: {@link dev.larder.memcached.protocol.HealthClock#SYSTEM}, or a test's clock
 */
public record MemcachedSettings(
    List<InetSocketAddress> servers,
    String prefix,
    int timeoutMillis,
    int connectTimeoutMillis,
    int connectionsPerServer,
    String deserializationAllow,
    boolean failuresAsMisses,
    boolean tls,
    String tlsTrust,
    String authUser,
    String authPassword,
    int failureLimit,
    int probeIntervalMillis,
    long ejectAfterMillis,
    int failoverTtlSeconds,
    String discovery,
    int discoveryIntervalMillis,
    DeserializationLimits limits,
    long nearMaximumSize,
    long nearMaxStalenessMillis,
    dev.larder.memcached.protocol.HealthClock healthClock) {

  public static final String SERVERS = "larder.memcached.servers";
  public static final String PREFIX = "larder.memcached.prefix";
  public static final String TIMEOUT = "larder.memcached.timeout.millis";
  public static final String CONNECT_TIMEOUT = "larder.memcached.connect.timeout.millis";
  public static final String CONNECTIONS = "larder.memcached.connections.per.server";
  public static final String DESERIALIZATION_ALLOW = "larder.memcached.deserialization.allow";
  /** {@code throw} (the default) or {@code miss}: see {@link #failuresAsMisses}. */
  public static final String ON_FAILURE = "larder.memcached.on.failure";
  public static final String TLS = "larder.memcached.tls.enabled";
  public static final String TLS_TRUST = "larder.memcached.tls.trust";
  public static final String AUTH_USER = "larder.memcached.auth.user";
  public static final String AUTH_PASSWORD = "larder.memcached.auth.password";
  public static final String FAILURE_LIMIT = "larder.memcached.failure.limit";
  public static final String PROBE_INTERVAL = "larder.memcached.probe.interval.millis";
  /** {@code fail} (the default: a down server's keys fail or miss) or {@code eject} (they move). */
  public static final String ON_SERVER_DOWN = "larder.memcached.on.server.down";
  public static final String EJECT_AFTER = "larder.memcached.eject.after.millis";
  public static final String FAILOVER_TTL = "larder.memcached.failover.ttl.seconds";
  public static final String DISCOVERY = "larder.memcached.discovery.endpoint";
  public static final String DISCOVERY_INTERVAL = "larder.memcached.discovery.interval.millis";
  public static final String NEAR_MAXIMUM_SIZE = "larder.memcached.near.maximum.size";
  public static final String NEAR_MAX_STALENESS = "larder.memcached.near.max.staleness.millis";
  /** The settings of the {@link DeserializationLimits}: this prefix, then {@code .deserialization.max.depth} and so on. */
  public static final String PREFIX_OF_SETTINGS = "larder.memcached";
  /** Every setting above, and the deserialization limits'. */
  public static final java.util.Set<String> NAMES = java.util.stream.Stream.concat(java.util.stream.Stream.of(SERVERS,
      PREFIX, TIMEOUT, CONNECT_TIMEOUT, CONNECTIONS, DESERIALIZATION_ALLOW, ON_FAILURE, TLS, TLS_TRUST, AUTH_USER,
      AUTH_PASSWORD, FAILURE_LIMIT, PROBE_INTERVAL, ON_SERVER_DOWN, EJECT_AFTER, FAILOVER_TTL, DISCOVERY,
      DISCOVERY_INTERVAL, NEAR_MAXIMUM_SIZE, NEAR_MAX_STALENESS), DeserializationLimits.names(PREFIX_OF_SETTINGS).stream()).collect(java.util.stream.Collectors.toUnmodifiableSet());

  public MemcachedSettings {
    servers = List.copyOf(servers);
    deserializationAllow = StoreSettings.allowPatterns(deserializationAllow, DESERIALIZATION_ALLOW);
    discovery = discovery == null ? "" : discovery.trim();
    if (servers.isEmpty() && discovery.isEmpty()) {
      throw new IllegalArgumentException(SERVERS + ": at least one memcached server is needed (or " + DISCOVERY + ")");
    }
    if (!discovery.isEmpty()) {
      parseServers(discovery, DISCOVERY); // one host:port, checked now
    }
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(healthClock, "healthClock");
    if (failureLimit <= 0 || probeIntervalMillis <= 0 || failoverTtlSeconds <= 0 || discoveryIntervalMillis <= 0) {
      throw new IllegalArgumentException(FAILURE_LIMIT + ", " + PROBE_INTERVAL + ", " + FAILOVER_TTL + " and "
          + DISCOVERY_INTERVAL + " must be positive");
    }
    if (nearMaximumSize < 0 || nearMaxStalenessMillis <= 0) {
      throw new IllegalArgumentException(NEAR_MAXIMUM_SIZE + " must be 0 (no near tier) or more, and "
          + NEAR_MAX_STALENESS + " positive");
    }
    if (ejectAfterMillis < -1) {
      throw new IllegalArgumentException(EJECT_AFTER + " must be 0 or more");
    }
    StoreSettings.prefix(prefix, PREFIX);
    tlsTrust = tlsTrust == null ? "" : tlsTrust.trim();
    authUser = authUser == null ? "" : authUser.trim();
    authPassword = authPassword == null ? "" : authPassword;
    if (!tlsTrust.isEmpty() && !tls) {
      throw new IllegalArgumentException(TLS_TRUST + " is set but " + TLS + " is not true");
    }
    if (!tlsTrust.isEmpty() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(tlsTrust))) {
      throw new IllegalArgumentException(TLS_TRUST + ": cannot read the PEM file '" + tlsTrust + "'");
    }
    if (authUser.isEmpty() != authPassword.isEmpty()) {
      throw new IllegalArgumentException(AUTH_USER + " and " + AUTH_PASSWORD + " go together: set both or neither");
    }
    if (authUser.chars().anyMatch(c -> c <= ' ') || authPassword.chars().anyMatch(c -> c == '\r' || c == '\n')) {
      throw new IllegalArgumentException(AUTH_USER + " must have no spaces and " + AUTH_PASSWORD + " no line breaks");
    }
    if (timeoutMillis <= 0 || connectTimeoutMillis <= 0 || connectionsPerServer <= 0) {
      throw new IllegalArgumentException(TIMEOUT + ", " + CONNECT_TIMEOUT + " and " + CONNECTIONS + " must be positive");
    }
  }

  /**
   * The servers with the default settings: prefix {@code larder}, 1 s timeouts, 2 connections each; a
   * server marked down after 3 failures in a row, probed every 250 ms, never ejected.
   */
  public static MemcachedSettings servers(String servers) {
    return new MemcachedSettings(parseServers(servers), "larder", 1000, 1000, 2, "", false, false, "", "", "",
        3, 250, -1, 60, "", 10_000, DeserializationLimits.DEFAULT, 0, 1000,
        dev.larder.memcached.protocol.HealthClock.SYSTEM);
  }

  public static MemcachedSettings from(Properties properties) {
    String servers = properties.getProperty(SERVERS, "");
    String discovery = properties.getProperty(DISCOVERY, "");
    if (servers.isBlank() && discovery.isBlank()) {
      throw new IllegalArgumentException("larder.store=memcached needs " + SERVERS
          + " (for example 127.0.0.1:11211,127.0.0.1:11212) or " + DISCOVERY + " (a configuration endpoint)");
    }
    boolean eject = switch (properties.getProperty(ON_SERVER_DOWN, "fail").trim().toLowerCase(java.util.Locale.ROOT)) {
      case "fail" -> false;
      case "eject" -> true;
      default -> throw new IllegalArgumentException(ON_SERVER_DOWN + " must be 'fail' or 'eject', was '"
          + properties.getProperty(ON_SERVER_DOWN) + "'");
    };
    if (!eject && properties.getProperty(EJECT_AFTER) != null) {
      throw new IllegalArgumentException(EJECT_AFTER + " is set but " + ON_SERVER_DOWN + " is not 'eject'");
    }
    return new MemcachedSettings(servers.isBlank() ? List.of() : parseServers(servers),
        properties.getProperty(PREFIX, "larder").trim(),
        StoreSettings.intSetting(properties, TIMEOUT, 1000),
        StoreSettings.intSetting(properties, CONNECT_TIMEOUT, 1000),
        StoreSettings.intSetting(properties, CONNECTIONS, 2),
        properties.getProperty(DESERIALIZATION_ALLOW, ""),
        StoreSettings.failuresAsMisses(properties, ON_FAILURE),
        StoreSettings.booleanSetting(properties, TLS),
        properties.getProperty(TLS_TRUST, ""),
        properties.getProperty(AUTH_USER, ""),
        properties.getProperty(AUTH_PASSWORD, ""),
        StoreSettings.intSetting(properties, FAILURE_LIMIT, 3),
        StoreSettings.intSetting(properties, PROBE_INTERVAL, 250),
        eject ? StoreSettings.intSetting(properties, EJECT_AFTER, 10_000) : -1,
        StoreSettings.intSetting(properties, FAILOVER_TTL, 60),
        discovery,
        StoreSettings.intSetting(properties, DISCOVERY_INTERVAL, 10_000),
        DeserializationLimits.from(properties, PREFIX_OF_SETTINGS),
        StoreSettings.longSetting(properties, NEAR_MAXIMUM_SIZE, 0),
        StoreSettings.longSetting(properties, NEAR_MAX_STALENESS, 1000),
        dev.larder.memcached.protocol.HealthClock.SYSTEM);
  }

  /** What the client needs of these settings. */
  public dev.larder.memcached.protocol.ClientOptions clientOptions() {
    return new dev.larder.memcached.protocol.ClientOptions(connectionsPerServer, timeoutMillis, connectTimeoutMillis,
        failureLimit, probeIntervalMillis, ejectAfterMillis, failoverTtlSeconds, healthClock);
  }

  public MemcachedSettings withPrefix(String newPrefix) {
    Copy copy = new Copy(this);
    copy.prefix = newPrefix;
    return copy.build();
  }

  public MemcachedSettings withTimeoutMillis(int timeout) {
    Copy copy = new Copy(this);
    copy.timeoutMillis = timeout;
    return copy.build();
  }

  /** These settings, with {@code connections} pipelined connections to each server. */
  public MemcachedSettings withConnectionsPerServer(int connections) {
    Copy copy = new Copy(this);
    copy.connectionsPerServer = connections;
    return copy.build();
  }

  /** These settings, also allowing the classes {@code patterns} match to be read back. */
  public MemcachedSettings withDeserializationAllow(String patterns) {
    Copy copy = new Copy(this);
    copy.deserializationAllow = patterns;
    return copy.build();
  }

  /** These settings, with other limits on what a value read back may cost. */
  public MemcachedSettings withDeserializationLimits(DeserializationLimits newLimits) {
    Copy copy = new Copy(this);
    copy.limits = newLimits;
    return copy.build();
  }

  /** These settings, with a dead or slow server costing misses and skipped writes instead of errors. */
  public MemcachedSettings withFailuresAsMisses(boolean asMisses) {
    Copy copy = new Copy(this);
    copy.failuresAsMisses = asMisses;
    return copy.build();
  }

  /** These settings, over TLS, trusting the certificates in {@code trustPem} (blank: the JVM's trust store). */
  public MemcachedSettings withTls(String trustPem) {
    Copy copy = new Copy(this);
    copy.tls = true;
    copy.tlsTrust = trustPem;
    return copy.build();
  }

  /** These settings, authenticating as {@code user} (memcached's ASCII authentication, {@code -Y}). */
  public MemcachedSettings withAuthentication(String user, String password) {
    Copy copy = new Copy(this);
    copy.authUser = user;
    copy.authPassword = password;
    return copy.build();
  }

  /** These settings, marking a server down after {@code limit} failures in a row, probing it every {@code probeMillis}. */
  public MemcachedSettings withFailureDetection(int limit, int probeMillis) {
    Copy copy = new Copy(this);
    copy.failureLimit = limit;
    copy.probeIntervalMillis = probeMillis;
    return copy.build();
  }

  /**
   * These settings, moving a server's keys to the others once it has been down {@code afterMillis}; what
   * is written there lives at most {@code failoverTtlSeconds}.
   */
  public MemcachedSettings withEjection(long afterMillis, int failoverTtlSeconds) {
    Copy copy = new Copy(this);
    copy.ejectAfterMillis = afterMillis;
    copy.failoverTtlSeconds = failoverTtlSeconds;
    return copy.build();
  }

  /** These settings, with the servers listed by a configuration endpoint, read every {@code intervalMillis}. */
  public MemcachedSettings withDiscovery(String endpoint, int intervalMillis) {
    Copy copy = new Copy(this);
    copy.discovery = endpoint;
    copy.discoveryIntervalMillis = intervalMillis;
    return copy.build();
  }

  /**
   * These settings, with a near tier of {@code maximumSize} entries in this JVM, each served for at most
   * {@code maxStalenessMillis} without asking memcached.
   */
  public MemcachedSettings withNearCache(long maximumSize, long maxStalenessMillis) {
    Copy copy = new Copy(this);
    copy.nearMaximumSize = maximumSize;
    copy.nearMaxStalenessMillis = maxStalenessMillis;
    return copy.build();
  }

  /**
   * These settings, with the health work run on {@code clock}: a test's, to move the time of probes and
   * ejections by hand. Clients are shared by equal settings, so a cache on another clock gets a client
   * of its own.
   */
  public MemcachedSettings withHealthClock(dev.larder.memcached.protocol.HealthClock clock) {
    Copy copy = new Copy(this);
    copy.healthClock = clock;
    return copy.build();
  }

  /** The fields of a settings record, to change some and build another. */
  private static final class Copy {
    List<InetSocketAddress> servers;
    String prefix;
    int timeoutMillis;
    int connectTimeoutMillis;
    int connectionsPerServer;
    String deserializationAllow;
    boolean failuresAsMisses;
    boolean tls;
    String tlsTrust;
    String authUser;
    String authPassword;
    int failureLimit;
    int probeIntervalMillis;
    long ejectAfterMillis;
    int failoverTtlSeconds;
    String discovery;
    int discoveryIntervalMillis;
    DeserializationLimits limits;
    long nearMaximumSize;
    long nearMaxStalenessMillis;
    dev.larder.memcached.protocol.HealthClock healthClock;

    Copy(MemcachedSettings settings) {
      servers = settings.servers;
      prefix = settings.prefix;
      timeoutMillis = settings.timeoutMillis;
      connectTimeoutMillis = settings.connectTimeoutMillis;
      connectionsPerServer = settings.connectionsPerServer;
      deserializationAllow = settings.deserializationAllow;
      failuresAsMisses = settings.failuresAsMisses;
      tls = settings.tls;
      tlsTrust = settings.tlsTrust;
      authUser = settings.authUser;
      authPassword = settings.authPassword;
      failureLimit = settings.failureLimit;
      probeIntervalMillis = settings.probeIntervalMillis;
      ejectAfterMillis = settings.ejectAfterMillis;
      failoverTtlSeconds = settings.failoverTtlSeconds;
      discovery = settings.discovery;
      discoveryIntervalMillis = settings.discoveryIntervalMillis;
      limits = settings.limits;
      nearMaximumSize = settings.nearMaximumSize;
      nearMaxStalenessMillis = settings.nearMaxStalenessMillis;
      healthClock = settings.healthClock;
    }

    MemcachedSettings build() {
      return new MemcachedSettings(servers, prefix, timeoutMillis, connectTimeoutMillis, connectionsPerServer,
          deserializationAllow, failuresAsMisses, tls, tlsTrust, authUser, authPassword, failureLimit,
          probeIntervalMillis, ejectAfterMillis, failoverTtlSeconds, discovery, discoveryIntervalMillis, limits,
          nearMaximumSize, nearMaxStalenessMillis, healthClock);
    }
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "MemcachedSettings[servers=" + servers + ", prefix=" + prefix + ", timeoutMillis=" + timeoutMillis
        + ", connectTimeoutMillis=" + connectTimeoutMillis + ", connectionsPerServer=" + connectionsPerServer
        + ", failuresAsMisses=" + failuresAsMisses + ", tls=" + tls + (authUser.isEmpty() ? "" : ", user=" + authUser)
        + ", failureLimit=" + failureLimit + ", probeIntervalMillis=" + probeIntervalMillis
        + ", ejectAfterMillis=" + ejectAfterMillis + ", failoverTtlSeconds=" + failoverTtlSeconds
        + (discovery.isEmpty() ? "" : ", discovery=" + discovery) + ", " + limits
        + (nearMaximumSize == 0 ? "" : ", near=" + nearMaximumSize + " entries/" + nearMaxStalenessMillis + " ms")
        + (healthClock == dev.larder.memcached.protocol.HealthClock.SYSTEM ? "" : ", healthClock=" + healthClock) + "]";
  }

  static List<InetSocketAddress> parseServers(String servers) {
    return parseServers(servers, SERVERS);
  }

  /** The discovery endpoint's address, or {@code null}. */
  public InetSocketAddress discoveryEndpoint() {
    return discovery.isEmpty() ? null : parseServers(discovery, DISCOVERY).get(0);
  }

  private static List<InetSocketAddress> parseServers(String servers, String setting) {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String server : servers.split(",", -1)) {
      String trimmed = server.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int colon = trimmed.lastIndexOf(':');
      String host = colon < 0 ? trimmed : trimmed.substring(0, colon);
      int port = 11211;
      if (colon >= 0) {
        try {
          port = Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(setting + ": '" + trimmed + "' is not host:port");
        }
      }
      if (host.isEmpty() || port <= 0 || port > 65535) {
        throw new IllegalArgumentException(setting + ": '" + trimmed + "' is not host:port");
      }
      addresses.add(new InetSocketAddress(host, port));
    }
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException(setting + ": no server in '" + servers + "'");
    }
    return addresses;
  }
}
