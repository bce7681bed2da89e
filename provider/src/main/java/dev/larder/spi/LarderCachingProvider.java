package dev.larder.spi;

import dev.larder.LarderCacheManager;
import dev.larder.configuration.ConfigurationFile;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

/**
 * Larder's {@link CachingProvider}, found by {@code Caching.getCachingProvider()} through
 * {@code META-INF/services}. It keeps one open {@link CacheManager} per (URI, class loader); a closed
 * manager is forgotten, so asking again hands out a fresh one. A URI the JVM can open names the
 * manager's configuration file ({@link ConfigurationFile}); any other URI is only a name.
 */
public final class LarderCachingProvider implements CachingProvider {

  /** The URI of the default cache manager. */
  public static final URI DEFAULT_URI = URI.create("larder:default");

  private final Map<ClassLoader, Map<URI, LarderCacheManager>> managers = new WeakHashMap<>();

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
    URI managerUri = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    synchronized (managers) {
      Map<URI, LarderCacheManager> byUri = managers.computeIfAbsent(loader, k -> new HashMap<>());
      LarderCacheManager manager = byUri.get(managerUri);
      if (manager == null || manager.isClosed()) {
        // A URI that names a file (classpath:, file:, jar:, http:...) configures the manager; read it
        // afresh for every new manager, so a closed one's replacement sees the file as it is now.
        ConfigurationFile file = ConfigurationFile.load(managerUri, loader);
        manager = new LarderCacheManager(this, managerUri, loader, properties, file);
        byUri.put(managerUri, manager);
      }
      return manager;
    }
  }

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
    return getCacheManager(uri, classLoader, getDefaultProperties());
  }

  @Override
  public CacheManager getCacheManager() {
    return getCacheManager(getDefaultURI(), getDefaultClassLoader(), getDefaultProperties());
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    return getClass().getClassLoader();
  }

  @Override
  public URI getDefaultURI() {
    return DEFAULT_URI;
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public void close() {
    for (LarderCacheManager manager : openManagers(null, null)) {
      manager.close();
    }
  }

  @Override
  public void close(ClassLoader classLoader) {
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    for (LarderCacheManager manager : openManagers(loader, null)) {
      manager.close();
    }
  }

  @Override
  public void close(URI uri, ClassLoader classLoader) {
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    URI managerUri = uri == null ? getDefaultURI() : uri;
    for (LarderCacheManager manager : openManagers(loader, managerUri)) {
      manager.close();
    }
  }

  private List<LarderCacheManager> openManagers(ClassLoader loader, URI uri) {
    synchronized (managers) {
      List<LarderCacheManager> found = new ArrayList<>();
      for (Map.Entry<ClassLoader, Map<URI, LarderCacheManager>> entry : managers.entrySet()) {
        if (loader != null && entry.getKey() != loader) {
          continue;
        }
        for (LarderCacheManager manager : entry.getValue().values()) {
          if (uri == null || uri.equals(manager.getURI())) {
            found.add(manager);
          }
        }
      }
      return found;
    }
  }

  /** Called by a manager as it closes. */
  public void release(LarderCacheManager manager) {
    synchronized (managers) {
      for (Map<URI, LarderCacheManager> byUri : managers.values()) {
        byUri.remove(manager.getURI(), manager);
      }
    }
  }

  @Override
  public boolean isSupported(OptionalFeature feature) {
    return feature == OptionalFeature.STORE_BY_REFERENCE;
  }

  @Override
  public String toString() {
    return "LarderCachingProvider";
  }
}
