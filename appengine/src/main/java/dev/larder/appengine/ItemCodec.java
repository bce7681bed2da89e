package dev.larder.appengine;

import com.google.appengine.api.memcache.Expiration;
import dev.larder.expiry.TimeSource;
import dev.larder.store.StoreEntry;
import dev.larder.store.codec.DeserializationAllowList;
import dev.larder.store.codec.Envelope;
import dev.larder.store.codec.RecentValues;
import dev.larder.store.codec.Serializer;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache's entries as App Engine memcache items: a stamped {@link Envelope} of bytes (the deadline to
 * the millisecond, the full key, the value, a random stamp per write standing in for the CAS id the API
 * hides), an empty value for a tombstone, the service's whole-second expiry for a deadline, the 1 MB
 * limit, and the same instance back while an item is unchanged ({@link RecentValues}, by stamp).
 */
final class ItemCodec<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(ItemCodec.class);

  /** The service's limit on one item, key and value together. */
  static final int ITEM_SIZE_LIMIT = 1 << 20;
  /** The service's bookkeeping of an item, counted against the limit with the key (about 73 bytes). */
  private static final int ITEM_OVERHEAD = 96;
  /** What a removal writes (conditionally: the API has no conditional delete); absent to every reader. */
  static final byte[] TOMBSTONE = new byte[0];
  /** Who numbers the versions: each write's random stamp, the same numbering for every item. */
  private static final Object STAMPS = "stamp";

  private final Serializer serializer;
  private final TimeSource time;
  private final RecentValues<V> recentValues;

  ItemCodec(Serializer serializer, ClassLoader classLoader, DeserializationAllowList allowList, TimeSource time) {
    this.serializer = serializer;
    this.time = time;
    this.recentValues = new RecentValues<>(serializer, classLoader, allowList);
  }

  /** The item's bytes for an entry written with {@code stamp}; refused over the service's limit. */
  byte[] envelope(K key, String itemKey, byte[] keyBytes, StoreEntry<V> entry, long stamp) {
    byte[] envelope = Envelope.encode(keyBytes, serializer.serialize(entry.value()), entry.expiresAt(), stamp);
    int size = envelope.length + itemKey.length() + ITEM_OVERHEAD;
    if (size > ITEM_SIZE_LIMIT) {
      throw new CacheException("Cannot store key " + key + " in App Engine memcache: the entry is "
          + envelope.length + " bytes, over the service's limit of " + ITEM_SIZE_LIMIT + " bytes per item (less "
          + (itemKey.length() + ITEM_OVERHEAD) + " for its key and bookkeeping); nothing was written");
    }
    return envelope;
  }

  /** The entry in an item, or null if absent, a tombstone or another key's (hash collision). */
  StoreEntry<V> toEntry(String itemKey, byte[] keyBytes, Object item) {
    if (item == null) {
      return null;
    }
    if (!(item instanceof byte[] bytes)) {
      throw new CacheException("The item " + itemKey + " in App Engine memcache holds a "
          + item.getClass().getName() + ", not an entry Larder wrote");
    }
    if (bytes.length == 0) {
      return null; // a tombstone
    }
    Envelope envelope = Envelope.decode(bytes, itemKey, "App Engine memcache");
    if (!envelope.hasKey(keyBytes)) {
      return null;
    }
    V value = recentValues.value(itemKey, STAMPS, envelope.stamp(), envelope);
    return StoreEntry.read(value, envelope.deadline(), envelope.stamp());
  }

  /**
   * {@link #toEntry} for a path about to overwrite the item: an item that cannot be read (written by
   * something else, or refused by the allow-list) counts as absent, so writing the key repairs it.
   */
  StoreEntry<V> toEntryBeforeWrite(String itemKey, byte[] keyBytes, Object item) {
    try {
      return toEntry(itemKey, keyBytes, item);
    } catch (CacheException unreadable) {
      LOG.warn("Overwriting the unreadable item " + itemKey + ": " + unreadable.getMessage());
      return null;
    }
  }

  /** This JVM wrote {@code value} with {@code stamp}, in {@code envelope}: see {@link RecentValues}. */
  void written(String itemKey, long stamp, V value, byte[] envelope) {
    recentValues.written(itemKey, STAMPS, stamp, value, envelope);
  }

  /** Forgets the values held: their items are gone (clear) or no longer read (close). */
  void forget() {
    recentValues.clear();
  }

  /** App Engine's {@code Expiration} takes a {@code java.util.Date}: the one place Larder makes one. */
  @SuppressWarnings("JavaUtilDate")
  private static java.util.Date dateOf(long epochMillis) {
    return new java.util.Date(epochMillis);
  }

  /**
   * The service's expiry for a deadline: whole seconds, rounded up, plus one, so that Larder, which checks
   * deadlines to the millisecond, sees an expired entry before memcache drops it. None for no deadline.
   */
  Expiration expiration(long deadline) {
    if (deadline == StoreEntry.NEVER) {
      return null;
    }
    long seconds = Math.max(1, (deadline - time.millis() + 999) / 1000 + 1);
    if (seconds > TimeUnit.DAYS.toSeconds(30)) {
      return Expiration.onDate(dateOf(deadline + 2000));
    }
    return Expiration.byDeltaSeconds((int) seconds);
  }

}
