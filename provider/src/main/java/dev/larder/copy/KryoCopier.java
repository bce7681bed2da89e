package dev.larder.copy;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import java.io.Externalizable;
import java.io.Serializable;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The default copier: a deep copy of the object graph in memory with Kryo's {@code copy}, field by
 * field, without turning it into bytes and back; tens of times faster than Java serialization for small
 * values. The contract stays Java serialization's: a value must be {@link Serializable} (so a cache
 * can move to memcached unchanged), and a class that customizes its serialization ({@code writeObject},
 * {@code readObject}, {@code writeReplace}, {@code readResolve}, {@link Externalizable}) is copied
 * through Java serialization so that its own rules apply. If Kryo cannot copy a value, Java
 * serialization does.
 */
public final class KryoCopier implements Copier {

  static {
    // Kryo takes field offsets from sun.misc.Unsafe when it can, which JDK 24+ reports at start-up with
    // a warning (JEP 498). Its copy works the same without; on JDK 17 it keeps its fast path. A setting
    // the application made itself (-Dkryo.unsafe=...) is left alone.
    if (Runtime.version().feature() >= 24 && System.getProperty("kryo.unsafe") == null) {
      System.setProperty("kryo.unsafe", "false");
    }
  }

  public static final KryoCopier INSTANCE = new KryoCopier();

  /** How a class's instances are copied: one look-up per copy decides it. */
  private enum Way {
    /** By Java serialization: the class has rules of its own ({@link #customizesSerialization}). */
    BY_ITS_SERIALIZATION,
    /** By Kryo, without reference tracking ({@link #isFlat}). */
    FLAT,
    /** By Kryo, tracking references: the graph may share or cycle. */
    GRAPH
  }

  private static final ClassValue<Way> WAY = new ClassValue<>() {
    @Override
    protected Way computeValue(Class<?> type) {
      return customizesSerialization(type) ? Way.BY_ITS_SERIALIZATION : isFlat(type) ? Way.FLAT : Way.GRAPH;
    }
  };

  /**
   * Whether the class or a superclass has serialization rules of its own, uncached (tests ask it
   * directly: a cached answer outlives a change to this rule in the same JVM).
   */
  static boolean customizesSerialization(Class<?> type) {
    if (Externalizable.class.isAssignableFrom(type)) {
      return true;
    }
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (java.lang.reflect.Method declared : c.getDeclaredMethods()) {
        if (SERIALIZATION_METHODS.contains(declared.getName())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether every instance field of the class is a primitive or of an immutable type with no subclasses
   * (a {@code String}, a boxed number, an enum), uncached (tests ask it directly): a copy of one is a
   * copy of that one object, its fields shared. Nothing in it can refer back to it or to another copied
   * object, so it is copied without Kryo's reference tracking, which was about a fifth of a by-value get
   * of such a value (its identity map looked up for the object and each field, reset after each copy).
   */
  static boolean isFlat(Class<?> type) {
    if (type.isArray()) {
      return false; // a component may be any object, shared or cyclic
    }
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (java.lang.reflect.Field field : c.getDeclaredFields()) {
        if (!java.lang.reflect.Modifier.isStatic(field.getModifiers())
            && !Immutables.isImmutableDeclaredType(field.getType())) {
          return false;
        }
      }
    }
    return true;
  }

  private static final java.util.Set<String> SERIALIZATION_METHODS =
      java.util.Set.of("writeObject", "readObject", "writeReplace", "readResolve");

  /**
   * One Kryo per thread: a Kryo is not thread-safe, and a shared pool made two threads copy more slowly
   * than one (every copy took and returned an instance through the same queue).
   */
  private final ThreadLocal<Kryo> kryos = ThreadLocal.withInitial(() -> {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(false);
    kryo.setReferences(true);
    kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    return kryo;
  });

  private KryoCopier() {
  }

  @Override
  public <T> T copy(T object, ClassLoader classLoader) {
    if (!(object instanceof Serializable)) {
      throw new IllegalArgumentException("Cannot copy a " + object.getClass().getName()
          + " for a store-by-value cache: it is not Serializable"
          + " (make it Serializable, configure a Copier, or use setStoreByValue(false))");
    }
    Way way = WAY.get(object.getClass());
    if (way == Way.BY_ITS_SERIALIZATION) {
      return JavaSerializationCopier.INSTANCE.copy(object, classLoader);
    }
    try {
      Kryo kryo = kryos.get();
      kryo.setCopyReferences(way == Way.GRAPH);
      return kryo.copy(object);
    } catch (KryoException | IllegalArgumentException | UnsupportedOperationException e) {
      return JavaSerializationCopier.INSTANCE.copy(object, classLoader);
    }
  }
}
