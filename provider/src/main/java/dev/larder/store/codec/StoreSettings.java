package dev.larder.store.codec;

import java.util.Locale;
import java.util.Properties;

/**
 * How the remote stores read their settings from properties: each error names the setting and what
 * it expects, in the one line a configuration file's error shows.
 */
public final class StoreSettings {

  private StoreSettings() {}

  public static long longSetting(Properties properties, String name, long defaultValue) {
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

  public static int intSetting(Properties properties, String name, int defaultValue) {
    long value = longSetting(properties, name, defaultValue);
    if (value != (int) value) {
      throw new IllegalArgumentException(name + " must be at most " + Integer.MAX_VALUE + ", was " + value);
    }
    return (int) value;
  }

  public static boolean booleanSetting(Properties properties, String name) {
    String value = properties.getProperty(name, "false").trim().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true" -> true;
      case "false", "" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, was '" + value + "'");
    };
  }

  /** {@code throw} (the default: false) or {@code miss} (true): what a store failure costs a call. */
  public static boolean failuresAsMisses(Properties properties, String name) {
    String value = properties.getProperty(name, "throw");
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "throw" -> false;
      case "miss" -> true;
      default -> throw new IllegalArgumentException(name + " must be 'throw' or 'miss', was '" + value + "'");
    };
  }

  /** The deserialization patterns, trimmed, checked to be an {@link java.io.ObjectInputFilter} pattern list. */
  public static String allowPatterns(String patterns, String name) {
    String trimmed = patterns == null ? "" : patterns.trim();
    if (!trimmed.isEmpty()) {
      try {
        java.io.ObjectInputFilter.Config.createFilter(trimmed);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + " is not a valid ObjectInputFilter pattern list: '"
            + trimmed + "' (" + e.getMessage() + ")", e);
      }
    }
    return trimmed;
  }

  /** A key prefix: printable ASCII without spaces or ':'. */
  public static String prefix(String prefix, String name) {
    java.util.Objects.requireNonNull(prefix, name);
    if (prefix.isEmpty() || !prefix.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
      throw new IllegalArgumentException(name + " must be printable ASCII without spaces or ':', was '" + prefix + "'");
    }
    return prefix;
  }
}
