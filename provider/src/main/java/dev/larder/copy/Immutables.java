package dev.larder.copy;

import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Decides which values need no copy in a store-by-value cache: instances of classes whose state can
 * never change. Answers are computed once per class.
 */
public final class Immutables {

  /** Final JDK classes whose instances are immutable. */
  private static final Set<Class<?>> FINAL_IMMUTABLE = Set.of(
      String.class, Boolean.class, Character.class, Byte.class, Short.class, Integer.class, Long.class,
      Float.class, Double.class, UUID.class, URI.class, Locale.class, Class.class,
      Instant.class, Duration.class, Period.class, LocalDate.class, LocalTime.class, LocalDateTime.class,
      OffsetDateTime.class, OffsetTime.class, ZonedDateTime.class, ZoneOffset.class, Year.class,
      YearMonth.class, MonthDay.class);

  private static final ClassValue<Boolean> IMMUTABLE = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return isImmutableClass(type);
    }
  };

  private Immutables() {
  }

  /** Whether an instance of exactly this runtime class can be shared instead of copied. */
  public static boolean isImmutable(Class<?> type) {
    return IMMUTABLE.get(type);
  }

  /**
   * The answer for one class, uncached: what {@link #isImmutable} caches. Tests ask it directly (a cached
   * answer outlives a change to this rule in the same JVM).
   */
  static boolean isImmutableClass(Class<?> type) {
    if (FINAL_IMMUTABLE.contains(type) || type.isEnum() || (type.getSuperclass() != null && type.getSuperclass().isEnum())) {
      return true;
    }
    // Not final, so only the exact classes: a subclass may add mutable state.
    if (type == BigDecimal.class || type == BigInteger.class) {
      return true;
    }
    if (ZoneId.class.isAssignableFrom(type) && type.getName().startsWith("java.time.")) {
      return true;
    }
    if (type.isRecord()) {
      for (RecordComponent component : type.getRecordComponents()) {
        if (!isImmutableDeclaredType(component.getType())) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Whether a field, key or value of this declared type can only ever hold immutable values: a primitive,
   * or a class with no subclasses but its own (final, an enum, a record) whose instances are immutable.
   */
  public static boolean isImmutableDeclaredType(Class<?> declared) {
    if (declared.isPrimitive()) {
      return true;
    }
    boolean noSubclasses = Modifier.isFinal(declared.getModifiers()) || declared.isEnum() || declared.isRecord();
    return noSubclasses && isImmutable(declared);
  }
}
