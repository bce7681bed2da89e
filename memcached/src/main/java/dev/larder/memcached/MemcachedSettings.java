package dev.larder.memcached;

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
    String authPassword) {

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
  /** Every setting above. */
  public static final java.util.Set<String> NAMES = java.util.Set.of(SERVERS, PREFIX, TIMEOUT, CONNECT_TIMEOUT,
      CONNECTIONS, DESERIALIZATION_ALLOW, ON_FAILURE, TLS, TLS_TRUST, AUTH_USER, AUTH_PASSWORD);

  public MemcachedSettings {
    servers = List.copyOf(servers);
    Objects.requireNonNull(prefix, "prefix");
    deserializationAllow = deserializationAllow == null ? "" : deserializationAllow.trim();
    if (!deserializationAllow.isEmpty()) {
      try {
        java.io.ObjectInputFilter.Config.createFilter(deserializationAllow);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(DESERIALIZATION_ALLOW + " is not a valid ObjectInputFilter pattern list: '"
            + deserializationAllow + "' (" + e.getMessage() + ")", e);
      }
    }
    if (servers.isEmpty()) {
      throw new IllegalArgumentException(SERVERS + ": at least one memcached server is needed");
    }
    if (prefix.isEmpty() || !prefix.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
      throw new IllegalArgumentException(PREFIX + " must be printable ASCII without spaces or ':', was '" + prefix + "'");
    }
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

  /** The servers with the default settings: prefix {@code larder}, 1 s timeouts, 2 connections each. */
  public static MemcachedSettings servers(String servers) {
    return new MemcachedSettings(parseServers(servers), "larder", 1000, 1000, 2, "", false, false, "", "", "");
  }

  public static MemcachedSettings from(Properties properties) {
    String servers = properties.getProperty(SERVERS);
    if (servers == null || servers.isBlank()) {
      throw new IllegalArgumentException("larder.store=memcached needs " + SERVERS
          + " (for example 127.0.0.1:11211,127.0.0.1:11212)");
    }
    return new MemcachedSettings(parseServers(servers),
        properties.getProperty(PREFIX, "larder").trim(),
        intSetting(properties, TIMEOUT, 1000),
        intSetting(properties, CONNECT_TIMEOUT, 1000),
        intSetting(properties, CONNECTIONS, 2),
        properties.getProperty(DESERIALIZATION_ALLOW, ""),
        onFailure(properties.getProperty(ON_FAILURE, "throw")),
        booleanSetting(properties, TLS),
        properties.getProperty(TLS_TRUST, ""),
        properties.getProperty(AUTH_USER, ""),
        properties.getProperty(AUTH_PASSWORD, ""));
  }

  public MemcachedSettings withPrefix(String newPrefix) {
    return new MemcachedSettings(servers, newPrefix, timeoutMillis, connectTimeoutMillis, connectionsPerServer,
        deserializationAllow, failuresAsMisses, tls, tlsTrust, authUser, authPassword);
  }

  public MemcachedSettings withTimeoutMillis(int timeout) {
    return new MemcachedSettings(servers, prefix, timeout, connectTimeoutMillis, connectionsPerServer,
        deserializationAllow, failuresAsMisses, tls, tlsTrust, authUser, authPassword);
  }

  /** These settings, also allowing the classes {@code patterns} match to be read back. */
  public MemcachedSettings withDeserializationAllow(String patterns) {
    return new MemcachedSettings(servers, prefix, timeoutMillis, connectTimeoutMillis, connectionsPerServer, patterns,
        failuresAsMisses, tls, tlsTrust, authUser, authPassword);
  }

  /** These settings, with a dead or slow server costing misses and skipped writes instead of errors. */
  public MemcachedSettings withFailuresAsMisses(boolean asMisses) {
    return new MemcachedSettings(servers, prefix, timeoutMillis, connectTimeoutMillis, connectionsPerServer,
        deserializationAllow, asMisses, tls, tlsTrust, authUser, authPassword);
  }

  /** These settings, over TLS, trusting the certificates in {@code trustPem} (blank: the JVM's trust store). */
  public MemcachedSettings withTls(String trustPem) {
    return new MemcachedSettings(servers, prefix, timeoutMillis, connectTimeoutMillis, connectionsPerServer,
        deserializationAllow, failuresAsMisses, true, trustPem, authUser, authPassword);
  }

  /** These settings, authenticating as {@code user} (memcached's ASCII authentication, {@code -Y}). */
  public MemcachedSettings withAuthentication(String user, String password) {
    return new MemcachedSettings(servers, prefix, timeoutMillis, connectTimeoutMillis, connectionsPerServer,
        deserializationAllow, failuresAsMisses, tls, tlsTrust, user, password);
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "MemcachedSettings[servers=" + servers + ", prefix=" + prefix + ", timeoutMillis=" + timeoutMillis
        + ", connectTimeoutMillis=" + connectTimeoutMillis + ", connectionsPerServer=" + connectionsPerServer
        + ", failuresAsMisses=" + failuresAsMisses + ", tls=" + tls + (authUser.isEmpty() ? "" : ", user=" + authUser)
        + "]";
  }

  private static boolean booleanSetting(Properties properties, String name) {
    String value = properties.getProperty(name, "false").trim().toLowerCase(java.util.Locale.ROOT);
    return switch (value) {
      case "true" -> true;
      case "false", "" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, was '" + value + "'");
    };
  }

  private static boolean onFailure(String value) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "throw" -> false;
      case "miss" -> true;
      default -> throw new IllegalArgumentException(ON_FAILURE + " must be 'throw' or 'miss', was '" + value + "'");
    };
  }

  private static int intSetting(Properties properties, String name, int defaultValue) {
    String value = properties.getProperty(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
    }
  }

  static List<InetSocketAddress> parseServers(String servers) {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String server : servers.split(",")) {
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
          throw new IllegalArgumentException(SERVERS + ": '" + trimmed + "' is not host:port");
        }
      }
      if (host.isEmpty() || port <= 0 || port > 65535) {
        throw new IllegalArgumentException(SERVERS + ": '" + trimmed + "' is not host:port");
      }
      addresses.add(new InetSocketAddress(host, port));
    }
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException(SERVERS + ": no server in '" + servers + "'");
    }
    return addresses;
  }
}
