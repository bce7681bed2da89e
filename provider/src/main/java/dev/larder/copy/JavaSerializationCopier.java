package dev.larder.copy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/** Copies through Java serialization: works for any {@code Serializable} graph; the fallback copier. */
public final class JavaSerializationCopier implements Copier {

  public static final JavaSerializationCopier INSTANCE = new JavaSerializationCopier();

  @Override
  @SuppressWarnings("unchecked")
  public <T> T copy(T object, ClassLoader classLoader) {
    byte[] bytes;
    try (ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
         ObjectOutputStream out = new ObjectOutputStream(buffer)) {
      out.writeObject(object);
      out.flush();
      bytes = buffer.toByteArray();
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException("Cannot copy a " + object.getClass().getName()
          + " for a store-by-value cache: " + e.getMessage() + " is not Serializable"
          + " (make it Serializable, configure a Copier, or use setStoreByValue(false))", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot copy a " + object.getClass().getName()
          + " for a store-by-value cache: " + e, e);
    }
    try (ObjectInputStream in = new ClassLoaderObjectInputStream(new ByteArrayInputStream(bytes), classLoader)) {
      return (T) in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalArgumentException("Cannot copy a " + object.getClass().getName()
          + " for a store-by-value cache: reading it back failed: " + e, e);
    }
  }
}
