package dev.larder.store.codec;

import java.io.ObjectInputFilter;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last value read from or written to each item of a remote store, weakly held, with the identity
 * of the item version it belongs to (memcached's server run and CAS token, an envelope's stamp): while
 * an item is unchanged, a JVM that still holds its value gets the same instance back (what a
 * store-by-reference cache promises) without deserializing it again. Values whose bytes read more
 * cheaply than a look-up here ({@link Serializer#readsCheaply}: short strings, numbers) are read anew on
 * every read and never held: measured, the look-up (a map keyed by the item's key string, hashed and
 * compared, slots that miss the CPU cache) was 15% of a memcached event loop's samples in a
 * {@code getAll} of 100-character strings, more than decoding them. The stores hand over their
 * envelopes and this class decides, so the rule is written once.
 *
 * <p>A value this JVM wrote is served from here only once the item's bytes have passed the
 * deserialization allow-list and limits, on their first read: whether a value is refused never
 * depends on whether the garbage collector has dropped it.
 *
 * <p>One slot per item, not per version, so that writing the same long-lived object (an enum, a
 * cached constant) again and again holds one slot, not one per write; and at most {@value #MAX_ITEMS}
 * items, past which the slots are dropped at once (each such item deserializes once more). A plain
 * concurrent map of weak references: Caffeine's weak-valued cache, used before, scheduled a buffer
 * drain on the common pool at nearly every read (measured: with the string key it was built on, 13% of
 * a memcached {@code getAll}'s CPU, 17% after the string was gone). Best effort under races: a read
 * and a write of one item at once may leave the older version's slot, and only cost a deserialization.
 */
public final class RecentValues<V> {

  /** About 100 bytes a slot (map node, reference, holder): at most some 13 MB for values held elsewhere. */
  static final int MAX_ITEMS = 1 << 17;

  private final Serializer serializer;
  private final ClassLoader classLoader;
  private final ObjectInputFilter allowList;
  private final ConcurrentHashMap<Object, Slot> slots = new ConcurrentHashMap<>();
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

  /** Reads values with {@code serializer}, loading classes from {@code classLoader} that pass {@code allowList}. */
  public RecentValues(Serializer serializer, ClassLoader classLoader, ObjectInputFilter allowList) {
    this.serializer = Objects.requireNonNull(serializer);
    this.classLoader = classLoader;
    this.allowList = Objects.requireNonNull(allowList);
  }

  /** One item's value, and which version of the item it is. */
  private static final class Slot extends WeakReference<Object> {
    final Object item;
    final Object source;
    final long version;
    /** Whether the item's bytes of this version passed the allow-list (false: written here, not read yet). */
    final boolean checked;

    Slot(Object item, Object source, long version, boolean checked, Object value, ReferenceQueue<Object> queue) {
      super(value, queue);
      this.item = item;
      this.source = source;
      this.version = version;
      this.checked = checked;
    }

    boolean holds(Object source, long version) {
      return this.version == version && this.source.equals(source);
    }
  }

  /**
   * The value in {@code envelope}, version {@code version} of {@code item}, numbered by {@code source}
   * (who numbers the versions: memcached's server run; compared with {@code equals}): read anew if its
   * bytes read cheaply; else the instance this JVM holds if its bytes were checked before, else what
   * deserializing reads (the check), replaced by the instance this JVM wrote if it still holds that one.
   */
  public V value(Object item, Object source, long version, Envelope envelope) {
    if (envelope.valueReadsCheaply(serializer)) {
      return read(envelope);
    }
    Slot slot = slots.get(item);
    if (slot != null && slot.checked && slot.holds(source, version)) {
      @SuppressWarnings("unchecked")
      V known = (V) slot.get();
      if (known != null) {
        return known;
      }
    }
    V value = read(envelope);
    if (slot != null && !slot.checked && slot.holds(source, version)) {
      @SuppressWarnings("unchecked")
      V mine = (V) slot.get();
      if (mine != null) {
        value = mine; // the instance this JVM wrote, now that its bytes passed the check: the same object back
      }
    }
    hold(new Slot(item, source, version, true, value, collected));
    return value;
  }

  /** The value in {@code envelope}, deserialized (an item whose version the store cannot tell). */
  @SuppressWarnings("unchecked")
  public V read(Envelope envelope) {
    return (V) serializer.deserialize(envelope.value(), classLoader, allowList);
  }

  /**
   * This JVM wrote {@code value}, in {@code envelope} (the bytes of an {@link Envelope}), as version
   * {@code version} of {@code item}: held for its reads unless its bytes read cheaply.
   */
  public void written(Object item, Object source, long version, V value, byte[] envelope) {
    if (value != null && !Envelope.valueReadsCheaply(envelope, serializer)) {
      hold(new Slot(Objects.requireNonNull(item), Objects.requireNonNull(source), version, false, value,
          collected));
    }
  }

  private void hold(Slot slot) {
    for (Object gone; (gone = collected.poll()) != null; ) {
      Slot dead = (Slot) gone;
      slots.remove(dead.item, dead);
    }
    if (slots.size() >= MAX_ITEMS) {
      slots.clear();
    }
    slots.put(slot.item, slot);
  }

  public void clear() {
    slots.clear();
  }

  /** How many items have a slot (for tests). */
  int size() {
    return slots.size();
  }
}
