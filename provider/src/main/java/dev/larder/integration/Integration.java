package dev.larder.integration;

import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriterException;

/** The spec's wrapping of loader and writer failures. */
public final class Integration {

  private Integration() {
  }

  /** A {@link CacheLoaderException} as it is; anything else wrapped in one. */
  public static CacheLoaderException loaderFailure(Exception e) {
    return e instanceof CacheLoaderException cle ? cle : new CacheLoaderException(e);
  }

  /** A {@link CacheWriterException} as it is; anything else wrapped in one. */
  public static CacheWriterException writerFailure(Exception e) {
    return e instanceof CacheWriterException cwe ? cwe : new CacheWriterException(e);
  }
}
