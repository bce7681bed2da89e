package dev.larder.copy;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

/** An {@link ObjectInputStream} that resolves classes with a given class loader first (a cache manager's). */
public final class ClassLoaderObjectInputStream extends ObjectInputStream {

  private final ClassLoader classLoader;

  public ClassLoaderObjectInputStream(InputStream in, ClassLoader classLoader) throws IOException {
    super(in);
    this.classLoader = classLoader;
  }

  @Override
  protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
    if (classLoader != null) {
      try {
        return Class.forName(desc.getName(), false, classLoader);
      } catch (ClassNotFoundException e) {
        // fall through to the default resolution (primitives, the JDK's classes)
      }
    }
    return super.resolveClass(desc);
  }
}
