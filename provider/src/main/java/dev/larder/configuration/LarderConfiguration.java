package dev.larder.configuration;

import dev.larder.copy.Copier;
import dev.larder.copy.KryoCopier;
import dev.larder.store.StoreContext;
import dev.larder.store.StoreFactory;
import java.util.Objects;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;

/**
 * A {@link MutableConfiguration} with Larder's settings: a size or weight bound, the copier for
 * store-by-value, and the store. Every setting has a default that needs no configuration: unbounded,
 * a Kryo deep copy (Java serialization as the fallback) for values that are not immutable, the
 * in-process store.
 */
public class LarderConfiguration<K, V> extends MutableConfiguration<K, V> {

  private static final long serialVersionUID = 1L;

  /** No bound. */
  public static final long UNBOUNDED = -1;

  private long maximumSize = UNBOUNDED;
  private long maximumWeight = UNBOUNDED;
  private transient StoreContext.Weigher<? super K, ? super V> weigher;
  private transient Copier copier = KryoCopier.INSTANCE;
  private long refreshAheadMillis;
  private long computeWaitMillis = 10_000;
  /** {@code null}: the store named by {@code larder.store}, by default the in-process one. */
  private transient StoreFactory storeFactory;
  private transient dev.larder.expiry.TimeSource timeSource = dev.larder.expiry.TimeSource.SYSTEM;

  public LarderConfiguration() {
  }

  /** A copy of any complete configuration, Larder's settings included when it has them. */
  public LarderConfiguration(CompleteConfiguration<K, V> configuration) {
    super(configuration);
    if (configuration instanceof LarderConfiguration<K, V> larder) {
      this.maximumSize = larder.maximumSize;
      this.maximumWeight = larder.maximumWeight;
      this.weigher = larder.weigher;
      this.copier = larder.copier;
      this.storeFactory = larder.storeFactory;
      this.refreshAheadMillis = larder.refreshAheadMillis;
      this.computeWaitMillis = larder.computeWaitMillis;
      this.timeSource = larder.timeSource;
    }
  }

  /** The configuration a cache keeps for itself: a copy, so the caller's object can change freely. */
  public static <K, V> LarderConfiguration<K, V> copyOf(Configuration<K, V> configuration) {
    Objects.requireNonNull(configuration, "configuration");
    if (configuration instanceof CompleteConfiguration<K, V> complete) {
      return new LarderConfiguration<>(complete);
    }
    LarderConfiguration<K, V> copy = new LarderConfiguration<>();
    copy.setTypes(configuration.getKeyType(), configuration.getValueType());
    copy.setStoreByValue(configuration.isStoreByValue());
    return copy;
  }

  public long getMaximumSize() {
    return maximumSize;
  }

  /**
   * Bounds the number of entries; beyond it the store evicts (W-TinyLFU in-process), counted in the
   * {@code CacheEvictions} statistic.
   */
  public LarderConfiguration<K, V> setMaximumSize(long maximumSize) {
    if (maximumSize < 0) {
      throw new IllegalArgumentException("maximumSize must be >= 0, was " + maximumSize);
    }
    if (maximumWeight != UNBOUNDED) {
      throw new IllegalStateException("maximumSize and maximumWeight cannot both be set");
    }
    this.maximumSize = maximumSize;
    return this;
  }

  public long getMaximumWeight() {
    return maximumWeight;
  }

  public StoreContext.Weigher<? super K, ? super V> getWeigher() {
    return weigher;
  }

  /** Bounds the total weight of the entries, each weighed by {@code weigher}. */
  public LarderConfiguration<K, V> setMaximumWeight(long maximumWeight,
      StoreContext.Weigher<? super K, ? super V> weigher) {
    if (maximumWeight < 0) {
      throw new IllegalArgumentException("maximumWeight must be >= 0, was " + maximumWeight);
    }
    if (maximumSize != UNBOUNDED) {
      throw new IllegalStateException("maximumSize and maximumWeight cannot both be set");
    }
    this.maximumWeight = maximumWeight;
    this.weigher = Objects.requireNonNull(weigher, "weigher");
    return this;
  }

  public Copier getCopier() {
    return copier;
  }

  /** The copier for store-by-value caches; immutable values are never passed to it. */
  public LarderConfiguration<K, V> setCopier(Copier copier) {
    this.copier = Objects.requireNonNull(copier, "copier");
    return this;
  }

  /** The backend set on this configuration, or {@code null} for the one {@code larder.store} names. */
  public StoreFactory getStoreFactory() {
    return storeFactory;
  }

  /** The backend; by default the one the {@code larder.store} property names, else the in-process store. */
  public LarderConfiguration<K, V> setStoreFactory(StoreFactory storeFactory) {
    this.storeFactory = Objects.requireNonNull(storeFactory, "storeFactory");
    return this;
  }

  public java.time.Duration getRefreshAhead() {
    return java.time.Duration.ofMillis(refreshAheadMillis);
  }

  /**
   * For read-through and {@code get(key, compute, timeout)}: when an entry's deadline is this close,
   * one caller (one in the whole cluster on the memcached store) recomputes it while every other caller
   * keeps getting the current value, so a hot key never goes cold. Zero (the default) turns it off.
   */
  public LarderConfiguration<K, V> setRefreshAhead(java.time.Duration refreshAhead) {
    Objects.requireNonNull(refreshAhead, "refreshAhead");
    if (refreshAhead.isNegative()) {
      throw new IllegalArgumentException("refreshAhead must not be negative, was " + refreshAhead);
    }
    this.refreshAheadMillis = refreshAhead.toMillis();
    return this;
  }

  public java.time.Duration getComputeWait() {
    return java.time.Duration.ofMillis(computeWaitMillis);
  }

  /**
   * How long a caller waits for another caller's computation of a missing key (read-through or
   * {@code get(key, compute, timeout)}) before computing it itself; on the memcached store, also how
   * long a computing caller holds the key before another may take over (if it crashed). Default 10 s.
   */
  public LarderConfiguration<K, V> setComputeWait(java.time.Duration computeWait) {
    Objects.requireNonNull(computeWait, "computeWait");
    if (computeWait.isNegative() || computeWait.isZero()) {
      throw new IllegalArgumentException("computeWait must be positive, was " + computeWait);
    }
    this.computeWaitMillis = computeWait.toMillis();
    return this;
  }

  public dev.larder.expiry.TimeSource getTimeSource() {
    return timeSource;
  }

  /**
   * What the cache sets and checks deadlines against (expiry, per-entry timeouts, refresh-ahead, the
   * in-process sweep): the system's time by default; a test gives a fake one and moves it by hand.
   */
  public LarderConfiguration<K, V> setTimeSource(dev.larder.expiry.TimeSource time) {
    this.timeSource = Objects.requireNonNull(time, "time");
    return this;
  }

  private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
    in.defaultReadObject();
    copier = KryoCopier.INSTANCE;
    timeSource = dev.larder.expiry.TimeSource.SYSTEM;
  }

  // equals and hashCode stay MutableConfiguration's: two configurations that agree on the standard
  // settings compare equal whichever class carries them, as the TCK expects.
}
