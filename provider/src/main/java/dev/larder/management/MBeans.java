package dev.larder.management;

import java.lang.management.ManagementFactory;
import java.net.URI;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers the two standard MXBeans of a cache in the platform MBean server, under
 * {@code javax.cache:type=CacheStatistics|CacheConfiguration,CacheManager=<uri>,Cache=<name>} with the
 * characters JMX reserves ({@code : = , \n}, and {@code * ? "}) replaced by dots, as the spec's TCK
 * computes the names.
 */
public final class MBeans {

  /** The two kinds of standard MXBean. */
  public enum Kind {
    CacheConfiguration,
    CacheStatistics
  }

  private MBeans() {
  }

  public static ObjectName objectName(URI managerUri, String cacheName, Kind kind) {
    return objectName("javax.cache", kind.name(), managerUri.toString(), cacheName);
  }

  /** {@code <domain>:type=<type>,CacheManager=<manager>,Cache=<cache>}, for Larder's own MXBeans too. */
  public static ObjectName objectName(String domain, String type, String manager, String cacheName) {
    String name = domain + ":type=" + type + ",CacheManager=" + safe(manager) + ",Cache=" + safe(cacheName);
    try {
      return new ObjectName(name);
    } catch (MalformedObjectNameException e) {
      throw new CacheException("Cannot name the MXBean " + name, e);
    }
  }

  /** Registers the bean, replacing any left by an earlier cache of the same name. */
  public static void register(Object bean, ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      try {
        server.registerMBean(bean, name);
      } catch (InstanceAlreadyExistsException e) {
        server.unregisterMBean(name);
        server.registerMBean(bean, name);
      }
    } catch (JMException e) {
      throw new CacheException("Cannot register the MXBean " + name, e);
    }
  }

  public static void unregister(ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      server.unregisterMBean(name);
    } catch (InstanceNotFoundException e) {
      // not registered: nothing to do
    } catch (JMException e) {
      throw new CacheException("Cannot unregister the MXBean " + name, e);
    }
  }

  private static String safe(String value) {
    // also * ? and ", which would make the name a pattern or a quoted value
    return value == null ? "" : value.replaceAll("[:=,\n*?\"]", ".");
  }
}
