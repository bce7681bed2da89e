package dev.larder.appengine;

/**
 * What an App Engine-backed cache reports to JMX, next to the standard statistics, under
 * {@code dev.larder:type=AppEngineStore,CacheManager=<manager>,Cache=<cache>}.
 */
public interface AppEngineStoreMXBean {

  /**
   * Calls the service failed or did not answer in time that, under
   * {@code larder.appengine.on.failure=miss}, were answered as misses or skipped as writes. Always 0
   * under the default policy, where such calls throw.
   */
  long getFailures();

  /** {@code throw} or {@code miss}. */
  String getOnFailure();

  /** The App Engine namespace of the items ({@code ""}: the default one). */
  String getNamespace();

  /** The key prefix of the cache's items ({@code prefix:manager:cache:}). */
  String getKeyPrefix();

  /** The cache's generation: moved by {@code clear()}, {@code removeAll()} and {@code destroyCache}. */
  long getGeneration();
}
