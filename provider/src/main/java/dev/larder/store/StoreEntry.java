package dev.larder.store;

import dev.larder.copy.Immutables;

/**
 * What a store keeps for one key: the value (in the form the cache hands it, already copied for
 * store-by-value) and the wall-clock deadline in milliseconds after which it is expired.
 *
 * <p>Immutable, so an in-process store can hand out the very instance it holds: a hit allocates nothing.
 *
 * <p>An entry read from a remote store carries the version of the write it came from (memcached's CAS
 * token, App Engine's envelope stamp), so that an update can be made conditional on the entry read:
 * {@link #isSameWriteAs}. An in-process store's entries are their own version (the same value and
 * deadline); the unbounded one's are the nodes of its hash table ({@link EntryTable}).
 */
public sealed class StoreEntry<V> permits StoreEntry.Versioned, EntryTable.Node {

  /** The deadline of an entry that never expires. */
  public static final long NEVER = Long.MAX_VALUE;

  /** The version of an entry the cache made, not yet written: none. */
  public static final long NO_VERSION = 0;

  private final V value;
  private final long expiresAt;

  public StoreEntry(V value, long expiresAt) {
    this.value = value;
    this.expiresAt = expiresAt;
  }

  /**
   * An entry read from a remote store, with the version of its write. The in-process store's entries
   * carry none, and so no field for it: 24 bytes an entry, not 32.
   *
   * @param version the store's identity of the write; {@link #NO_VERSION} for none
   */
  public static <V> StoreEntry<V> read(V value, long expiresAt, long version) {
    return version == NO_VERSION ? new StoreEntry<>(value, expiresAt) : new Versioned<>(value, expiresAt, version);
  }

  /** An entry with the version of the write it was read from. */
  static final class Versioned<V> extends StoreEntry<V> {
    private final long version;

    Versioned(V value, long expiresAt, long version) {
      super(value, expiresAt);
      this.version = version;
    }

    @Override
    public long version() {
      return version;
    }
  }

  public final V value() {
    return value;
  }

  /** Epoch milliseconds at which the entry stops being visible; {@link #NEVER} if it never does. */
  public final long expiresAt() {
    return expiresAt;
  }

  public final boolean isExpiredAt(long nowMillis) {
    return expiresAt <= nowMillis;
  }

  /** The same value with another deadline: a new write (no version until the store writes it). */
  public final StoreEntry<V> withExpiresAt(long deadline) {
    return deadline == expiresAt ? this : new StoreEntry<>(value, deadline);
  }

  /** The store's identity of the write this entry was read from, or {@link #NO_VERSION}. */
  public long version() {
    return NO_VERSION;
  }

  /**
   * Whether both were read from the same write: the same instance, or the same version; where one has
   * no version (the in-process store's entries, this JVM's own writes as a near tier holds them), the
   * same value with the same deadline: the same instance, or equal immutable values
   * ({@link Immutables}), which nothing can tell apart and which a remote store reads anew rather than
   * hands back the instance written ({@link dev.larder.store.codec.Serializer#readsCheaply}). An update
   * that must apply only to the entry a caller read (access expiry after a hit) checks this in its
   * compute.
   */
  public final boolean isSameWriteAs(StoreEntry<?> other) {
    if (this == other) {
      return true;
    }
    if (other == null) {
      return false;
    }
    long version = version();
    long otherVersion = other.version();
    if (version != NO_VERSION && otherVersion != NO_VERSION) {
      return version == otherVersion;
    }
    return expiresAt == other.expiresAt && (value == other.value
        || (value != null && Immutables.isImmutable(value.getClass()) && value.equals(other.value)));
  }

  @Override
  public String toString() {
    return "StoreEntry{value=" + value + ", expiresAt=" + (expiresAt == NEVER ? "never" : expiresAt) + '}';
  }
}
