package dev.larder.configuration;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.larder.store.StoreProvider;
import dev.larder.store.Stores;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.cache.CacheException;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;

/**
 * A cache manager's configuration file, named by the manager's URI: the store and its settings, the
 * caches it declares, and the defaults for caches created on the fly. Parsed with Typesafe Config (HOCON,
 * JSON or properties): system properties override any entry and {@code ${?ENV}} reads the environment.
 * Every mistake is one {@link CacheException} line naming the file, the line, the key and what was expected.
 *
 * <pre>
 * larder {
 *   store = memcached
 *   memcached.servers = "127.0.0.1:11211,127.0.0.1:11212"
 *   defaults { maximum-size = 10000 }
 *   caches {
 *     pages { expiry { policy = created, duration = 5m }, statistics = true }
 *   }
 * }
 * </pre>
 * See docs/configuration.md for every key.
 */
public final class ConfigurationFile {

  private static final String ROOT = "larder";
  private static final Set<String> CACHE_KEYS = Set.of("key-type", "value-type", "store-by-value", "statistics",
      "management", "maximum-size", "expiry", "refresh-ahead", "compute-wait", "read-through", "write-through",
      "loader", "writer", "store");
  private static final Set<String> DEFAULTS_KEYS = Set.of("maximum-size", "refresh-ahead", "compute-wait");
  private static final Set<String> EXPIRY_KEYS = Set.of("policy", "duration");
  private static final String DURATION = "duration such as 5m, 30s or 500ms";

  private final String source;
  private final String name;
  private final ClassLoader classLoader;
  private final Map<String, StoreProvider> storeProviders;
  private final Properties storeSettings;
  private final Map<String, LarderConfiguration<Object, Object>> caches;
  private final Map<String, Properties> cacheStoreSettings;
  private final LarderConfiguration<Object, Object> defaults;

  private ConfigurationFile(String source, String fileName, Config config, ClassLoader classLoader,
      boolean checkKeys) {
    this.source = source;
    this.classLoader = classLoader;
    this.storeProviders = storeProviders(classLoader);
    if (checkKeys) {
      checkKeys(config);
    }
    this.name = config.hasPath(ROOT + ".name") ? rawString(config, "larder.name", "") : fileName;
    this.storeSettings = storeSettings(config, ROOT, ROOT + ".");
    this.defaults = new LarderConfiguration<>();
    if (config.hasPath(ROOT + ".defaults")) {
      applyLarderSettings(config.getConfig(ROOT + ".defaults"), ROOT + ".defaults.", defaults);
    }
    Map<String, LarderConfiguration<Object, Object>> declared = new LinkedHashMap<>();
    Map<String, Properties> declaredStores = new LinkedHashMap<>();
    if (config.hasPath(ROOT + ".caches")) {
      ConfigObject cacheSections = config.getObject(ROOT + ".caches");
      for (String name : new TreeSet<>(cacheSections.keySet())) {
        String prefix = ROOT + ".caches." + quote(name) + ".";
        Config section = cacheSections.toConfig().getConfig(quote(name));
        Properties ownStore = storeSettings(section, prefix.substring(0, prefix.length() - 1), ROOT + ".");
        String store = ownStore.getProperty(Stores.STORE_PROPERTY,
            storeSettings.getProperty(Stores.STORE_PROPERTY, Stores.IN_PROCESS));
        declared.put(name, cacheConfiguration(section, prefix, store.equals(Stores.IN_PROCESS)));
        if (!ownStore.isEmpty()) {
          declaredStores.put(name, ownStore);
        }
      }
    }
    this.caches = Collections.unmodifiableMap(declared);
    this.cacheStoreSettings = Collections.unmodifiableMap(declaredStores);
  }

  /**
   * The file {@code uri} names, or {@code null} when the URI is only a name (such as {@code larder:default}):
   * {@code classpath:} names a resource of {@code classLoader}, and any URL the JVM can open ({@code file:},
   * {@code jar:}, {@code http:}...) names a file.
   *
   * @throws CacheException naming the file if it cannot be read or holds a mistake
   */
  public static ConfigurationFile load(URI uri, ClassLoader classLoader) {
    URL url = locate(uri, classLoader);
    if (url == null) {
      return null;
    }
    String source = uri.toString();
    ConfigParseOptions options = ConfigParseOptions.defaults().setAllowMissing(false).setClassLoader(classLoader)
        .setOriginDescription(source);
    String path = url.getPath() == null ? "" : url.getPath();
    if (!path.endsWith(".json") && !path.endsWith(".properties")) {
      options = options.setSyntax(ConfigSyntax.CONF);
    }
    try {
      Config file = ConfigFactory.parseURL(url, options).resolve();
      // System properties override the file: read now, not from Typesafe's cache of them (made once per JVM).
      Config systemProperties = ConfigFactory.parseProperties(System.getProperties(),
          ConfigParseOptions.defaults().setOriginDescription("system properties"));
      Config effective = systemProperties.withOnlyPath(ROOT).withFallback(file).resolve();
      String fileName = path.substring(path.lastIndexOf('/') + 1);
      new ConfigurationFile(source, fileName, file, classLoader, true); // every key and value of the file ...
      return new ConfigurationFile(source, fileName, effective, classLoader, false); // ... and as overridden
    } catch (ConfigException.IO e) {
      throw new CacheException("Larder configuration " + source + ": cannot be read: " + oneLine(e.getMessage()), e);
    } catch (ConfigException.Parse e) {
      throw new CacheException("Larder configuration " + source + ": not valid HOCON: " + oneLine(e.getMessage()), e);
    } catch (ConfigException e) {
      throw new CacheException("Larder configuration " + source + ": " + oneLine(e.getMessage()), e);
    }
  }

  private static URL locate(URI uri, ClassLoader classLoader) {
    String scheme = uri.getScheme();
    if (scheme == null || scheme.equals("larder")) {
      return null;
    }
    if (scheme.equals("classpath")) {
      String resource = uri.getSchemeSpecificPart();
      while (resource.startsWith("/")) {
        resource = resource.substring(1);
      }
      URL url = classLoader.getResource(resource);
      if (url == null) {
        throw new CacheException("Larder configuration " + uri + ": no resource " + resource + " on the class path");
      }
      return url;
    }
    try {
      return uri.toURL();
    } catch (MalformedURLException | IllegalArgumentException e) {
      return null; // a URI the JVM cannot open is only the manager's name
    }
  }

  /** Where this configuration came from, as the user wrote it. */
  public String source() {
    return source;
  }

  /**
   * The manager's name for remote stores ({@code larder.name}, by default the file's name without its
   * directory): JVMs whose files agree on it share the caches on memcached, wherever the file lives.
   */
  public String name() {
    return name;
  }

  /** {@code larder.store} and the flattened {@code larder.STORE.*} settings, as the store providers read them. */
  public Properties storeSettings() {
    Properties copy = new Properties();
    copy.putAll(storeSettings);
    return copy;
  }

  /** The caches the file declares, by name, in name order. */
  public Map<String, LarderConfiguration<Object, Object>> caches() {
    Map<String, LarderConfiguration<Object, Object>> copies = new LinkedHashMap<>();
    caches.forEach((name, configuration) -> copies.put(name, new LarderConfiguration<>(configuration)));
    return copies;
  }

  /** The store settings a declared cache overrides ({@code store}, {@code memcached {...}}), or empty. */
  public Properties storeSettings(String cacheName) {
    Properties own = cacheStoreSettings.get(cacheName);
    Properties copy = new Properties();
    if (own != null) {
      copy.putAll(own);
    }
    return copy;
  }

  /**
   * A cache created in code with a configuration that carries no Larder settings (a plain
   * {@code MutableConfiguration}, as frameworks pass): the standard settings as given, Larder's own
   * (bound, refresh-ahead, compute wait) from {@code larder.defaults}; the bound only if the cache is
   * on the in-process store ({@code inProcess}), since memcached bounds its own memory.
   */
  public <K, V> LarderConfiguration<K, V> withDefaults(LarderConfiguration<K, V> configuration, boolean inProcess) {
    if (inProcess && defaults.getMaximumSize() != LarderConfiguration.UNBOUNDED) {
      configuration.setMaximumSize(defaults.getMaximumSize());
    }
    configuration.setRefreshAhead(defaults.getRefreshAhead());
    configuration.setComputeWait(defaults.getComputeWait());
    return configuration;
  }

  // --- reading -------------------------------------------------------------------------------------

  private LarderConfiguration<Object, Object> cacheConfiguration(Config section, String prefix, boolean inProcess) {
    LarderConfiguration<Object, Object> configuration = new LarderConfiguration<>();
    if (section.hasPath("defaults")) {
      throw mistake(section, "defaults", prefix, "no such key in a cache");
    }
    applyLarderSettings(defaultsFallback(section, inProcess), prefix, configuration);
    Class<Object> keyType = classSetting(section, "key-type", prefix);
    Class<Object> valueType = classSetting(section, "value-type", prefix);
    configuration.setTypes(keyType, valueType);
    configuration.setStoreByValue(bool(section, "store-by-value", prefix, false));
    configuration.setStatisticsEnabled(bool(section, "statistics", prefix, false));
    configuration.setManagementEnabled(bool(section, "management", prefix, false));
    if (section.hasPath("expiry")) {
      configuration.setExpiryPolicyFactory(expiry(section, prefix));
    }
    if (section.hasPath("loader")) {
      configuration.setCacheLoaderFactory(FactoryBuilder.factoryOf(
          implementation(section, "loader", prefix, javax.cache.integration.CacheLoader.class)));
    }
    if (section.hasPath("writer")) {
      configuration.setCacheWriterFactory(FactoryBuilder.factoryOf(
          implementation(section, "writer", prefix, javax.cache.integration.CacheWriter.class)));
    }
    configuration.setReadThrough(bool(section, "read-through", prefix, false));
    configuration.setWriteThrough(bool(section, "write-through", prefix, false));
    if (configuration.isReadThrough() && configuration.getCacheLoaderFactory() == null) {
      throw mistake(section, "read-through", prefix, "a loader (the class name of a CacheLoader) alongside it");
    }
    if (configuration.isWriteThrough() && configuration.getCacheWriterFactory() == null) {
      throw mistake(section, "write-through", prefix, "a writer (the class name of a CacheWriter) alongside it");
    }
    return configuration;
  }

  /**
   * A declared cache takes Larder's own settings from {@code larder.defaults} unless it sets them; the
   * default bound only on the in-process store (memcached bounds its own memory).
   */
  private Config defaultsFallback(Config section, boolean inProcess) {
    Config withDefaults = section;
    for (String key : DEFAULTS_KEYS) {
      if (!section.hasPath(key) && defaultsHas(key) && (inProcess || !key.equals("maximum-size"))) {
        withDefaults = withDefaults.withValue(key, defaultValue(key));
      }
    }
    return withDefaults;
  }

  private boolean defaultsHas(String key) {
    return switch (key) {
      case "maximum-size" -> defaults.getMaximumSize() != LarderConfiguration.UNBOUNDED;
      default -> true;
    };
  }

  private ConfigValue defaultValue(String key) {
    return com.typesafe.config.ConfigValueFactory.fromAnyRef(switch (key) {
      case "maximum-size" -> defaults.getMaximumSize();
      case "refresh-ahead" -> defaults.getRefreshAhead().toMillis() + "ms";
      default -> defaults.getComputeWait().toMillis() + "ms";
    }, "larder.defaults." + key);
  }

  private void applyLarderSettings(Config section, String prefix, LarderConfiguration<?, ?> configuration) {
    if (section.hasPath("maximum-size")) {
      long size = number(section, "maximum-size", prefix, "a whole number of entries, 0 or more");
      configuration.setMaximumSize(size);
    }
    if (section.hasPath("refresh-ahead")) {
      configuration.setRefreshAhead(duration(section, "refresh-ahead", prefix, false));
    }
    if (section.hasPath("compute-wait")) {
      configuration.setComputeWait(duration(section, "compute-wait", prefix, true));
    }
  }

  private javax.cache.configuration.Factory<javax.cache.expiry.ExpiryPolicy> expiry(Config section, String prefix) {
    String expiryPrefix = prefix + "expiry.";
    if (section.getValue("expiry").valueType() != ConfigValueType.OBJECT) {
      throw mistake(section, "expiry", prefix, "an object such as { policy = created, duration = 5m }");
    }
    Config expiry = section.getConfig("expiry");
    String policy = expiry.hasPath("policy") ? string(expiry, "policy", expiryPrefix) : null;
    if (policy == null) {
      throw mistake(section, "expiry", prefix, "a policy: one of eternal, created, accessed, modified, touched");
    }
    if (policy.equals("eternal")) {
      if (expiry.hasPath("duration")) {
        throw mistake(expiry, "duration", expiryPrefix, "no duration with policy = eternal");
      }
      return EternalExpiryPolicy.factoryOf();
    }
    if (!expiry.hasPath("duration")) {
      throw mistake(section, "expiry", prefix, "a duration alongside policy = " + policy + " (a " + DURATION + ")");
    }
    Duration duration = duration(expiry, "duration", expiryPrefix, true);
    javax.cache.expiry.Duration spec = new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, duration.toMillis());
    return switch (policy) {
      case "created" -> CreatedExpiryPolicy.factoryOf(spec);
      case "accessed" -> AccessedExpiryPolicy.factoryOf(spec);
      case "modified" -> ModifiedExpiryPolicy.factoryOf(spec);
      case "touched" -> TouchedExpiryPolicy.factoryOf(spec);
      default -> throw mistake(expiry, "policy", expiryPrefix,
          "one of eternal, created, accessed, modified, touched");
    };
  }

  /** {@code store} and each store provider's section of {@code section}, as flat {@code larder.*} settings. */
  private Properties storeSettings(Config section, String sectionPath, String settingPrefix) {
    Properties settings = new Properties();
    String prefix = sectionPath + ".";
    Config scoped = sectionPath.equals(ROOT) ? (section.hasPath(ROOT) ? section.getConfig(ROOT) : ConfigFactory.empty())
        : section;
    if (scoped.hasPath("store")) {
      String store = string(scoped, "store", prefix);
      if (!store.equals(Stores.IN_PROCESS) && !storeProviders.containsKey(store)) {
        throw mistake(scoped, "store", prefix, "one of " + knownStores()
            + " (the memcached store is in the artifact dev.larder:larder-memcached, the App Engine store in"
            + " dev.larder:larder-appengine)");
      }
      settings.setProperty(Stores.STORE_PROPERTY, store);
    }
    for (String name : storeProviders.keySet()) {
      if (!scoped.hasPath(name)) {
        continue;
      }
      if (scoped.getValue(name).valueType() != ConfigValueType.OBJECT) {
        throw mistake(scoped, name, prefix, "an object of " + name + " settings");
      }
      for (Map.Entry<String, ConfigValue> entry : scoped.getConfig(name).entrySet()) {
        settings.setProperty(settingPrefix + name + "." + entry.getKey(), flat(entry.getValue()));
      }
    }
    return settings;
  }

  /** Lists become comma-separated, as in a system property. */
  private static String flat(ConfigValue value) {
    if (value instanceof ConfigList list) {
      return list.stream().map(element -> String.valueOf(element.unwrapped())).collect(Collectors.joining(","));
    }
    return String.valueOf(value.unwrapped());
  }

  // --- checking ------------------------------------------------------------------------------------

  private void checkKeys(Config config) {
    for (String key : config.root().keySet()) {
      if (!key.equals(ROOT)) {
        throw mistake(config, quote(key), "", "only a larder { ... } section in a Larder file");
      }
    }
    if (!config.hasPath(ROOT)) {
      return;
    }
    if (config.getValue(ROOT).valueType() != ConfigValueType.OBJECT) {
      throw mistake(config, ROOT, "", "an object: larder { ... }");
    }
    Config larder = config.getConfig(ROOT);
    Set<String> topKeys = new TreeSet<>(List.of("name", "store", "defaults", "caches"));
    topKeys.addAll(storeProviders.keySet());
    checkSection(larder, ROOT + ".", topKeys);
    if (larder.hasPath("defaults")) {
      requireObject(larder, "defaults", ROOT + ".");
      checkSection(larder.getConfig("defaults"), ROOT + ".defaults.", DEFAULTS_KEYS);
    }
    if (larder.hasPath("caches")) {
      requireObject(larder, "caches", ROOT + ".");
      ConfigObject cacheSections = larder.getObject("caches");
      Set<String> cacheKeys = new TreeSet<>(CACHE_KEYS);
      cacheKeys.addAll(storeProviders.keySet());
      for (String name : cacheSections.keySet()) {
        String quoted = quote(name);
        requireObject(cacheSections.toConfig(), quoted, ROOT + ".caches.");
        Config section = cacheSections.toConfig().getConfig(quoted);
        String prefix = ROOT + ".caches." + quoted + ".";
        checkSection(section, prefix, cacheKeys);
        if (section.hasPath("expiry") && section.getValue("expiry").valueType() == ConfigValueType.OBJECT) {
          checkSection(section.getConfig("expiry"), prefix + "expiry.", EXPIRY_KEYS);
        }
        checkStoreSections(section, prefix);
      }
    }
    checkStoreSections(larder, ROOT + ".");
  }

  private void checkStoreSections(Config section, String prefix) {
    for (Map.Entry<String, StoreProvider> store : storeProviders.entrySet()) {
      String name = store.getKey();
      if (!section.hasPath(name)) {
        continue;
      }
      requireObject(section, name, prefix);
      Set<String> known = new TreeSet<>();
      for (String setting : store.getValue().settingNames()) {
        known.add(setting.substring((ROOT + "." + name + ".").length()));
      }
      Config settings = section.getConfig(name);
      for (Map.Entry<String, ConfigValue> entry : settings.entrySet()) {
        if (!known.contains(entry.getKey())) {
          throw mistake(settings, entry.getKey(), prefix + name + ".", "one of the " + name + " settings " + known);
        }
      }
    }
  }

  private void checkSection(Config section, String prefix, Set<String> known) {
    for (String key : section.root().keySet()) {
      if (!known.contains(key)) {
        throw mistake(section, quote(key), prefix, "one of " + new TreeSet<>(known));
      }
    }
  }

  private void requireObject(Config section, String key, String prefix) {
    if (section.getValue(key).valueType() != ConfigValueType.OBJECT) {
      throw mistake(section, key, prefix, "an object { ... }");
    }
  }

  // --- typed values, each failure naming file, line, key and expectation ---------------------------

  private long number(Config section, String key, String prefix, String expectation) {
    try {
      long value = section.getLong(key);
      if (value < 0) {
        throw mistake(section, key, prefix, expectation);
      }
      return value;
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw mistake(section, key, prefix, expectation);
    }
  }

  private Duration duration(Config section, String key, String prefix, boolean positive) {
    try {
      Duration value = section.getDuration(key);
      if (value.isNegative() || (positive && value.isZero())) {
        throw mistake(section, key, prefix, (positive ? "a positive " : "a non-negative ") + DURATION);
      }
      return value;
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw mistake(section, key, prefix, "a " + DURATION);
    }
  }

  private boolean bool(Config section, String key, String prefix, boolean absent) {
    if (!section.hasPath(key)) {
      return absent;
    }
    try {
      return section.getBoolean(key);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw mistake(section, key, prefix, "true or false");
    }
  }

  private String string(Config section, String key, String prefix) {
    return rawString(section, key, prefix).toLowerCase(Locale.ROOT);
  }

  private String rawString(Config section, String key, String prefix) {
    ConfigValue value = section.getValue(key);
    if (value.valueType() != ConfigValueType.STRING || ((String) value.unwrapped()).isBlank()) {
      throw mistake(section, key, prefix, "a name");
    }
    return ((String) value.unwrapped()).trim();
  }

  private Class<Object> classSetting(Config section, String key, String prefix) {
    if (!section.hasPath(key)) {
      return Object.class;
    }
    ConfigValue value = section.getValue(key);
    if (value.valueType() != ConfigValueType.STRING) {
      throw mistake(section, key, prefix, "a class name");
    }
    String className = ((String) value.unwrapped()).trim();
    try {
      @SuppressWarnings("unchecked")
      Class<Object> type = (Class<Object>) Class.forName(className, false, classLoader);
      return type;
    } catch (ClassNotFoundException | LinkageError e) {
      throw mistake(section, key, prefix, "a class on the cache manager's class path; there is no " + className);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <T> Class<T> implementation(Config section, String key, String prefix, Class<?> api) {
    Class<?> type = classSetting(section, key, prefix);
    if (!api.isAssignableFrom(type)) {
      throw mistake(section, key, prefix, "a class implementing " + api.getName());
    }
    return (Class) type;
  }

  private CacheException mistake(Config section, String key, String prefix, String expectation) {
    ConfigValue value = section.hasPath(key) ? section.getValue(key) : section.root();
    String found = section.hasPath(key) ? ", found " + describe(value) : "";
    return new CacheException("Larder configuration " + source + where(value.origin()) + ": " + prefix + key
        + ": expected " + expectation + found);
  }

  private String where(ConfigOrigin origin) {
    if (origin == null) {
      return "";
    }
    if (origin.lineNumber() > 0 && origin.description().startsWith(source)) {
      return ", line " + origin.lineNumber();
    }
    return origin.description().startsWith(source) ? "" : " (" + origin.description() + ")";
  }

  private static String describe(ConfigValue value) {
    return switch (value.valueType()) {
      case OBJECT -> "an object";
      case LIST -> "a list";
      case NULL -> "null";
      case STRING -> "'" + value.unwrapped() + "'";
      default -> String.valueOf(value.unwrapped());
    };
  }

  private String knownStores() {
    List<String> known = new ArrayList<>(List.of(Stores.IN_PROCESS));
    known.addAll(storeProviders.keySet());
    return String.join(", ", known);
  }

  private static Map<String, StoreProvider> storeProviders(ClassLoader classLoader) {
    Map<String, StoreProvider> providers = new LinkedHashMap<>();
    for (StoreProvider provider : ServiceLoader.load(StoreProvider.class, classLoader)) {
      providers.put(provider.name(), provider);
    }
    return providers;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ");
  }

  /** A key as a one-element HOCON path: quoted if it holds dots or other special characters. */
  private static String quote(String key) {
    return ConfigUtil.joinPath(key);
  }
}
