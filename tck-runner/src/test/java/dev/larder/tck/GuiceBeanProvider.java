package dev.larder.tck;

import com.google.inject.Guice;
import com.google.inject.Injector;
import javax.cache.annotation.BeanProvider;
import org.jsr107.ri.annotations.guice.module.CacheAnnotationsModule;

/**
 * Hands the annotation TCK its annotated beans from a Guice injector with the RI's JSR-107 interceptors,
 * which resolve their caches through {@code Caching.getCachingProvider()}: that is, through Larder.
 * Found by the TCK with {@link java.util.ServiceLoader}; without it the annotation tests would pass silently.
 *
 * <p>One injector per bean: the RI's resolver keeps the cache manager it found when it was made, and the
 * rest of the TCK, run in the same JVM, closes the default manager between test classes.
 */
public final class GuiceBeanProvider implements BeanProvider {

  @Override
  public <T> T getBeanByType(Class<T> beanClass) {
    Injector injector = Guice.createInjector(new CacheAnnotationsModule());
    return injector.getInstance(beanClass);
  }
}
