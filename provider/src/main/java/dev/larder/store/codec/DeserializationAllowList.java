package dev.larder.store.codec;

import java.io.ObjectInputFilter;
import java.util.List;
import java.util.Set;

/**
 * Which classes may be deserialized from what a shared service holds: anyone who can reach a memcached
 * port, or deploy to the same App Engine application, can plant bytes under Larder's keys, and Java deserialization of an arbitrary class graph can run
 * code ("gadget chains"). Allowed: the cache's configured key and value types and anything in their
 * packages, safe JDK value types (boxed primitives, {@code String}, {@code java.math}, {@code java.time},
 * the standard collections, {@code Date}, {@code UUID}, ...), arrays of those, and the patterns given
 * in the store's {@code PREFIX.deserialization.allow} setting ({@link ObjectInputFilter} syntax, for example
 * {@code com.acme.**}). Everything else is rejected, as is any graph that breaks the
 * {@link DeserializationLimits}.
 */
public final class DeserializationAllowList implements ObjectInputFilter {

  private static final Set<String> JDK_CLASSES = Set.of(
      "java.lang.String", "java.lang.Boolean", "java.lang.Character", "java.lang.Byte", "java.lang.Short",
      "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number",
      "java.lang.Enum", "java.lang.Object",
      // interfaces: never an object's class in a stream, only arrays' element types (Hibernate keeps
      // an entity's state as a Serializable[])
      "java.io.Serializable", "java.lang.CharSequence", "java.lang.Comparable",
      "java.util.ArrayList", "java.util.LinkedList", "java.util.HashMap", "java.util.LinkedHashMap",
      "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
      "java.util.ArrayDeque", "java.util.EnumMap", "java.util.EnumSet", "java.util.Date", "java.util.UUID",
      "java.util.Locale", "java.util.Currency",
      // HashMap and HashSet ask the filter about the Map.Entry[] table they are about to allocate
      "java.util.Map$Entry", "java.util.Optional", "java.util.BitSet",
      "java.util.Arrays$ArrayList", "java.util.Collections$EmptyList", "java.util.Collections$EmptyMap",
      "java.util.Collections$EmptySet", "java.util.Collections$SingletonList",
      "java.util.Collections$SingletonMap", "java.util.Collections$SingletonSet",
      "java.util.Collections$UnmodifiableCollection", "java.util.Collections$UnmodifiableList",
      "java.util.Collections$UnmodifiableRandomAccessList", "java.util.Collections$UnmodifiableMap",
      "java.util.Collections$UnmodifiableSet", "java.util.Collections$UnmodifiableSortedMap",
      "java.util.Collections$UnmodifiableSortedSet", "java.util.ImmutableCollections$ListN",
      "java.util.ImmutableCollections$List12", "java.util.ImmutableCollections$SetN",
      "java.util.ImmutableCollections$Set12", "java.util.ImmutableCollections$MapN",
      "java.util.ImmutableCollections$Map1", "java.util.CollSer",
      "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.ConcurrentHashMap$Segment",
      "java.util.concurrent.CopyOnWriteArrayList", "java.util.concurrent.atomic.AtomicInteger",
      "java.util.concurrent.atomic.AtomicLong", "java.net.URI", "java.sql.Date", "java.sql.Timestamp");

  /**
   * What Hibernate's second-level cache (hibernate-jcache, 6 and 7) puts in a cache: its keys and
   * entries, by exact name. They hold values and names only (ids, disassembled state as a
   * {@code Serializable[]}, versions, a query's bindings), which the filter then checks one by one; the
   * whole {@code org.hibernate} package stays refused, since known gadget chains run through some of
   * its other classes (property accessors, tuplizers, typed values). Without these every Hibernate user
   * on memcached would need a setting, and the obvious one, {@code org.hibernate.**}, is the unsafe one.
   * Entity classes themselves are never stored (Hibernate disassembles them); an attribute of the
   * application's own type (an enum, an embeddable's class) needs the {@code deserialization.allow} setting.
   */
  private static final Set<String> HIBERNATE_CACHE_CLASSES = Set.of(
      "org.hibernate.cache.internal.BasicCacheKeyImplementation",
      "org.hibernate.cache.internal.CacheKeyImplementation",
      "org.hibernate.cache.internal.NaturalIdCacheKey",
      "org.hibernate.cache.internal.QueryResultsCacheImpl$CacheItem",
      "org.hibernate.cache.spi.QueryKey",
      "org.hibernate.cache.spi.entry.StandardCacheEntryImpl",
      "org.hibernate.cache.spi.entry.ReferenceCacheEntryImpl",
      "org.hibernate.cache.spi.entry.CollectionCacheEntry",
      "org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
      "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl",
      "org.hibernate.cache.spi.support.AbstractReadWriteAccess$Lockable",
      "org.hibernate.query.internal.QueryParameterBindingsImpl$ParameterBindingsMementoImpl");

  private static final List<String> JDK_PACKAGES = List.of("java.math.", "java.time.");
  private final List<Class<?>> types;
  private final List<String> packages;
  private final ObjectInputFilter patterns;
  private final DeserializationLimits limits;
  private final String prefix;
  private final String source;

  /**
   * @param types the cache's configured key and value types ({@code Object} adds nothing)
   * @param patterns more allowed classes, in {@link ObjectInputFilter} pattern syntax, or blank
   * @param limits depth, array length, references and bytes
   * @param prefix the store's settings prefix, such as {@code larder.memcached}, for the settings errors name
   * @param source what the bytes are read from, such as {@code memcached}, for errors
   */
  public DeserializationAllowList(List<Class<?>> types, String patterns, DeserializationLimits limits,
      String prefix, String source) {
    this.types = types.stream().filter(type -> type != Object.class).toList();
    this.packages = this.types.stream().map(Class::getPackageName).filter(name -> !name.startsWith("java."))
        .distinct().map(name -> name + ".").toList();
    this.patterns = patterns == null || patterns.isBlank() ? null
        : ObjectInputFilter.Config.createFilter(patterns.trim() + ";!*");
    this.limits = limits;
    this.prefix = prefix;
    this.source = source;
  }

  /** What the bytes are read from, such as {@code memcached}. */
  String source() {
    return source;
  }

  /** Names the class, says whose it is, and gives the setting line that allows it. */
  public String refusal(String className) {
    String type = className.replaceFirst("^\\[+L?", "").replaceFirst(";$", "");
    boolean jdk = type.startsWith("java.") || type.startsWith("javax.") || type.startsWith("jdk.")
        || type.startsWith("sun.");
    int dot = type.lastIndexOf('.');
    String allow = jdk || dot < 0 ? type : type.substring(0, dot) + ".**";
    return "Refused to deserialize a " + className + " read from " + source + ": "
        + (jdk ? "it is a JDK class outside the safe ones Larder allows by default (value types and standard"
            + " collections)"
            : "it is not among the cache's key and value types, their packages or the safe JDK types")
        + "; if you trust it, allow it with the setting " + prefix + ".deserialization.allow=" + allow
        + " (';'-separated patterns, added to any you have)";
  }

  /** Why a stream of {@code streamLength} bytes must not be read at all, or {@code null}. */
  String sizeViolation(long streamLength) {
    return limits.sizeViolation(streamLength, prefix);
  }

  /** Why reading a stream of {@code streamLength} bytes must stop at this step, or {@code null}. */
  String limitViolation(FilterInfo info, long streamLength) {
    return limits.violation(info, streamLength, prefix);
  }

  @Override
  public Status checkInput(FilterInfo info) {
    if (limits.violation(info, -1, prefix) != null) {
      return Status.REJECTED;
    }
    Class<?> type = info.serialClass();
    if (type == null) {
      return Status.UNDECIDED;
    }
    while (type.isArray()) {
      type = type.getComponentType();
    }
    if (type.isPrimitive() || allowed(type)) {
      return Status.ALLOWED;
    }
    if (patterns != null && patterns.checkInput(info) == Status.ALLOWED) {
      return Status.ALLOWED;
    }
    return Status.REJECTED;
  }

  private boolean allowed(Class<?> type) {
    String name = type.getName();
    if (JDK_CLASSES.contains(name) || HIBERNATE_CACHE_CLASSES.contains(name)) {
      return true;
    }
    for (String jdkPackage : JDK_PACKAGES) {
      if (name.startsWith(jdkPackage)) {
        return true;
      }
    }
    for (Class<?> configured : types) {
      if (configured.isAssignableFrom(type)) {
        return true;
      }
    }
    for (String allowedPackage : packages) {
      if (name.startsWith(allowedPackage)) {
        return true;
      }
    }
    return false;
  }
}
