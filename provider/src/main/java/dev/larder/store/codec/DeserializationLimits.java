package dev.larder.store.codec;

import java.util.Properties;
import java.util.Set;

/**
 * What a value read back from a shared service may cost to deserialize. The allow-list stops classes
 * that run code, but anyone who can write to the service can also plant a graph of allowed classes
 * built to exhaust the reader: nested collections thousands deep (a stack overflow), an array header
 * claiming billions of elements (the heap), or sets of sets sharing references (each level doubles the
 * hashing work, so depth {@code d} costs {@code 2^d}). Limits, checked by an
 * {@link java.io.ObjectInputFilter} before anything is allocated; each store reads them from its own
 * settings, {@code PREFIX.deserialization.max.depth} and so on ({@link #names}):
 *
 * @param maxDepth nesting depth of the object graph (default 20: {@code 2^20} hash steps at worst, a
 *     few milliseconds; application values and Hibernate's entries nest a handful of levels)
 * @param maxArrayLength elements in one array; never more than the item has bytes, since every element
 *     takes at least one (so a planted header cannot claim more than that); -1 (default): no lower limit
 * @param maxReferences objects and references in the graph; never more than the item has bytes, for
 *     the same reason; -1 (default): no lower limit
 * @param maxBytes bytes of one serialized value; -1 (default): as large as the service's item limit lets it be
 */
public record DeserializationLimits(long maxDepth, long maxArrayLength, long maxReferences, long maxBytes) {

  public static final String MAX_DEPTH = ".deserialization.max.depth";
  public static final String MAX_ARRAY_LENGTH = ".deserialization.max.array.length";
  public static final String MAX_REFERENCES = ".deserialization.max.references";
  public static final String MAX_BYTES = ".deserialization.max.bytes";

  public static final DeserializationLimits DEFAULT = new DeserializationLimits(20, -1, -1, -1);

  public DeserializationLimits {
    if (maxDepth <= 0 || maxArrayLength < -1 || maxReferences == 0 || maxReferences < -1 || maxBytes == 0
        || maxBytes < -1) {
      throw new IllegalArgumentException("deserialization.max.depth must be positive, max.array.length 0 or more,"
          + " max.references and max.bytes positive; the last three -1 for no limit but the item's size");
    }
  }

  /** The four settings' names under a store's prefix, such as {@code larder.memcached}. */
  public static Set<String> names(String prefix) {
    return Set.of(prefix + MAX_DEPTH, prefix + MAX_ARRAY_LENGTH, prefix + MAX_REFERENCES, prefix + MAX_BYTES);
  }

  /** The limits set under {@code prefix} ({@link #names}), the defaults for those not set. */
  public static DeserializationLimits from(Properties properties, String prefix) {
    return new DeserializationLimits(
        StoreSettings.longSetting(properties, prefix + MAX_DEPTH, DEFAULT.maxDepth),
        StoreSettings.longSetting(properties, prefix + MAX_ARRAY_LENGTH, DEFAULT.maxArrayLength),
        StoreSettings.longSetting(properties, prefix + MAX_REFERENCES, DEFAULT.maxReferences),
        StoreSettings.longSetting(properties, prefix + MAX_BYTES, DEFAULT.maxBytes));
  }

  /**
   * Why this step of reading a stream of {@code streamLength} bytes breaks a limit, or {@code null}.
   * The setting to raise is named, under the store's {@code prefix}.
   */
  String violation(java.io.ObjectInputFilter.FilterInfo info, long streamLength, String prefix) {
    if (info.depth() > maxDepth) {
      return "the object graph is nested deeper than " + maxDepth + " (" + prefix + MAX_DEPTH + ")";
    }
    long arrays = bound(maxArrayLength, streamLength);
    if (arrays >= 0 && info.arrayLength() > arrays) {
      return "an array claims " + info.arrayLength() + " elements, over "
          + (arrays != maxArrayLength ? "the " + arrays + " bytes of the item" : maxArrayLength + " (" + prefix + MAX_ARRAY_LENGTH + ")");
    }
    long references = bound(maxReferences, streamLength);
    if (references >= 0 && info.references() > references) {
      return "the graph has more than " + references + " objects and references ("
          + (references != maxReferences ? "more than the item has bytes" : prefix + MAX_REFERENCES) + ")";
    }
    return sizeViolation(info.streamBytes(), prefix);
  }

  /** The smaller of a configured limit and the stream's length, either of which may be -1 (none). */
  private static long bound(long configured, long streamLength) {
    if (configured < 0) {
      return streamLength;
    }
    return streamLength < 0 ? configured : Math.min(configured, streamLength);
  }

  /** Checked before reading: a filter is only asked at class descriptors, arrays and references. */
  String sizeViolation(long streamLength, String prefix) {
    if (maxBytes > 0 && streamLength > maxBytes) {
      return "the value is larger than " + maxBytes + " bytes (" + prefix + MAX_BYTES + ")";
    }
    return null;
  }
}
