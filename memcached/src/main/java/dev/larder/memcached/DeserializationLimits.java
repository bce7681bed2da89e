package dev.larder.memcached;

import java.util.Properties;
import java.util.Set;

/**
 * What a value read back from memcached may cost to deserialize. The allow-list stops classes that run
 * code, but anyone who can reach the port can also plant a graph of allowed classes built to exhaust
 * the reader: nested collections thousands deep (a stack overflow), an array header claiming billions
 * of elements (the heap), or sets of sets sharing references (each level doubles the hashing work, so
 * depth {@code d} costs {@code 2^d}). Limits, checked by an {@link java.io.ObjectInputFilter} before
 * anything is allocated:
 *
 * @param maxDepth nesting depth of the object graph (default 20: {@code 2^20} hash steps at worst, a
 *     few milliseconds; application values and Hibernate's entries nest a handful of levels)
 * @param maxArrayLength elements in one array (default 1,000,000); never more than the item has bytes,
 *     since every element takes at least one
 * @param maxReferences objects and references in the graph (default 1,000,000); never more than the
 *     item has bytes, for the same reason
 * @param maxBytes bytes of one serialized value; -1 (default): as large as memcached's item limit lets it be
 */
public record DeserializationLimits(long maxDepth, long maxArrayLength, long maxReferences, long maxBytes) {

  public static final String MAX_DEPTH = "larder.memcached.deserialization.max.depth";
  public static final String MAX_ARRAY_LENGTH = "larder.memcached.deserialization.max.array.length";
  public static final String MAX_REFERENCES = "larder.memcached.deserialization.max.references";
  public static final String MAX_BYTES = "larder.memcached.deserialization.max.bytes";
  static final Set<String> NAMES = Set.of(MAX_DEPTH, MAX_ARRAY_LENGTH, MAX_REFERENCES, MAX_BYTES);

  public static final DeserializationLimits DEFAULT = new DeserializationLimits(20, 1_000_000, 1_000_000, -1);

  public DeserializationLimits {
    if (maxDepth <= 0 || maxArrayLength < 0 || maxReferences <= 0 || maxBytes == 0 || maxBytes < -1) {
      throw new IllegalArgumentException(MAX_DEPTH + " and " + MAX_REFERENCES + " must be positive, "
          + MAX_ARRAY_LENGTH + " 0 or more, " + MAX_BYTES + " positive or -1 (no limit but memcached's)");
    }
  }

  static DeserializationLimits from(Properties properties) {
    return new DeserializationLimits(
        longSetting(properties, MAX_DEPTH, DEFAULT.maxDepth),
        longSetting(properties, MAX_ARRAY_LENGTH, DEFAULT.maxArrayLength),
        longSetting(properties, MAX_REFERENCES, DEFAULT.maxReferences),
        longSetting(properties, MAX_BYTES, DEFAULT.maxBytes));
  }

  /**
   * Why this step of reading a stream of {@code streamLength} bytes breaks a limit, or {@code null}.
   * The setting to raise is named.
   */
  String violation(java.io.ObjectInputFilter.FilterInfo info, long streamLength) {
    if (info.depth() > maxDepth) {
      return "the object graph is nested deeper than " + maxDepth + " (" + MAX_DEPTH + ")";
    }
    long arrays = streamLength < 0 ? maxArrayLength : Math.min(maxArrayLength, streamLength);
    if (info.arrayLength() > arrays) {
      return "an array claims " + info.arrayLength() + " elements, over "
          + (arrays < maxArrayLength ? "the " + arrays + " bytes of the item" : maxArrayLength + " (" + MAX_ARRAY_LENGTH + ")");
    }
    long references = streamLength < 0 ? maxReferences : Math.min(maxReferences, streamLength);
    if (info.references() > references) {
      return "the graph has more than " + references + " objects and references ("
          + (references < maxReferences ? "more than the item has bytes" : MAX_REFERENCES) + ")";
    }
    return sizeViolation(info.streamBytes());
  }

  /** Checked before reading: a filter is only asked at class descriptors, arrays and references. */
  String sizeViolation(long streamLength) {
    if (maxBytes > 0 && streamLength > maxBytes) {
      return "the value is larger than " + maxBytes + " bytes (" + MAX_BYTES + ")";
    }
    return null;
  }

  private static long longSetting(Properties properties, String name, long defaultValue) {
    String value = properties.getProperty(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
    }
  }
}
