package dev.larder.appengine;

import dev.larder.store.codec.DeserializationLimits;
import dev.larder.store.codec.StoreSettings;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How to use App Engine's memcache service. From properties ({@code -Dlarder.store=appengine}, a
 * configuration file's {@code larder.appengine} section, or the cache manager's properties) or built in
 * code from {@link #defaults()}.
 *
 * @param namespace the App Engine namespace the items live in; {@code ""} (default) the default
 *     namespace, whatever {@code NamespaceManager} is set to at the time of a call
 * @param prefix the first part of every key Larder writes, to keep apart applications sharing the service
 * @param timeoutMillis how long a call may wait for the service's answer
 * @param failuresAsMisses when the service fails or is too slow: {@code false} (default), the call fails
 *     with a {@code CacheException}; {@code true}, a read is a miss and a write is skipped, counted and logged
 * @param deserializationAllow more classes that values read back may contain, beyond the cache's
 *     configured types, their packages and safe JDK types ({@link java.io.ObjectInputFilter} patterns)
 * @param limits what a value read back may cost to deserialize
 */
public record AppEngineSettings(
    String namespace,
    String prefix,
    int timeoutMillis,
    boolean failuresAsMisses,
    String deserializationAllow,
    DeserializationLimits limits) {

  /** The prefix of every setting, and of the deserialization limits'. */
  public static final String SETTINGS = "larder.appengine";
  public static final String NAMESPACE = SETTINGS + ".namespace";
  public static final String PREFIX = SETTINGS + ".prefix";
  public static final String TIMEOUT = SETTINGS + ".timeout.millis";
  /** {@code throw} (the default) or {@code miss}: see {@link #failuresAsMisses}. */
  public static final String ON_FAILURE = SETTINGS + ".on.failure";
  public static final String DESERIALIZATION_ALLOW = SETTINGS + ".deserialization.allow";
  /** Every setting above, and the deserialization limits'. */
  public static final Set<String> NAMES = Stream.concat(
      Stream.of(NAMESPACE, PREFIX, TIMEOUT, ON_FAILURE, DESERIALIZATION_ALLOW),
      DeserializationLimits.names(SETTINGS).stream()).collect(Collectors.toUnmodifiableSet());

  public AppEngineSettings {
    namespace = namespace == null ? "" : namespace.trim();
    if (!namespace.isEmpty()) {
      try {
        com.google.appengine.api.NamespaceManager.validateNamespace(namespace);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(NAMESPACE + ": '" + namespace + "' is not an App Engine namespace ("
            + e.getMessage() + ")", e);
      }
    }
    StoreSettings.prefix(prefix, PREFIX);
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException(TIMEOUT + " must be positive, was " + timeoutMillis);
    }
    deserializationAllow = StoreSettings.allowPatterns(deserializationAllow, DESERIALIZATION_ALLOW);
    java.util.Objects.requireNonNull(limits, "limits");
  }

  /** The default namespace, prefix {@code larder}, 1 s timeout, failures thrown. */
  public static AppEngineSettings defaults() {
    return new AppEngineSettings("", "larder", 1000, false, "", DeserializationLimits.DEFAULT);
  }

  public static AppEngineSettings from(Properties properties) {
    return new AppEngineSettings(
        properties.getProperty(NAMESPACE, ""),
        properties.getProperty(PREFIX, "larder").trim(),
        StoreSettings.intSetting(properties, TIMEOUT, 1000),
        StoreSettings.failuresAsMisses(properties, ON_FAILURE),
        properties.getProperty(DESERIALIZATION_ALLOW, ""),
        DeserializationLimits.from(properties, SETTINGS));
  }

  public AppEngineSettings withNamespace(String newNamespace) {
    return new AppEngineSettings(newNamespace, prefix, timeoutMillis, failuresAsMisses, deserializationAllow, limits);
  }

  public AppEngineSettings withPrefix(String newPrefix) {
    return new AppEngineSettings(namespace, newPrefix, timeoutMillis, failuresAsMisses, deserializationAllow, limits);
  }

  public AppEngineSettings withTimeoutMillis(int newTimeout) {
    return new AppEngineSettings(namespace, prefix, newTimeout, failuresAsMisses, deserializationAllow, limits);
  }

  /** {@code true}: service failures are misses and skipped writes; {@code false}: a {@code CacheException}. */
  public AppEngineSettings withFailuresAsMisses(boolean misses) {
    return new AppEngineSettings(namespace, prefix, timeoutMillis, misses, deserializationAllow, limits);
  }

  public AppEngineSettings withDeserializationAllow(String patterns) {
    return new AppEngineSettings(namespace, prefix, timeoutMillis, failuresAsMisses, patterns, limits);
  }
}
