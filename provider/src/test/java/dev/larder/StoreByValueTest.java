package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.copy.Copier;
import dev.larder.copy.Immutables;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Store-by-value, the JCache default: copies of mutable values, none of immutable ones. */
class StoreByValueTest {

  record Point(int x, int y) implements Serializable {}

  record Named(String name, Point point, Instant at) implements Serializable {}

  record Holder(List<String> items) implements Serializable {}

  enum Colour { RED }

  static final class Basket implements Serializable {
    final List<String> items = new ArrayList<>();
  }

  static final class NotSerializable {
  }

  private CacheManager manager;

  @BeforeEach
  void openManager() {
    manager = Caching.getCachingProvider().getCacheManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  @Test
  void immutableValuesAreSharedNotCopied() {
    Cache<Object, Object> cache = manager.createCache("immutable", new MutableConfiguration<>());
    assertThat(cache.getConfiguration(MutableConfiguration.class).isStoreByValue()).isTrue();
    Object[] values = {"text", 42, 42L, 1.5d, true, 'c', new BigDecimal("1.10"), UUID.randomUUID(),
        Instant.now(), LocalDate.now(ZoneId.of("UTC")), ZoneId.of("Europe/Paris"), Colour.RED,
        new Point(1, 2), new Named("n", new Point(3, 4), Instant.EPOCH)};
    for (Object value : values) {
      cache.put(value, value);
      assertThat(cache.get(value)).as(value.getClass().getName()).isSameAs(value);
    }
  }

  @Test
  void mutableValuesAreCopiedInAndOut() {
    Cache<String, Basket> cache = manager.createCache("mutable", new MutableConfiguration<>());
    Basket basket = new Basket();
    basket.items.add("apple");
    cache.put("b", basket);
    basket.items.add("changed after put");

    Basket first = cache.get("b");
    assertThat(first).isNotSameAs(basket);
    assertThat(first.items).containsExactly("apple");
    first.items.add("changed after get");
    assertThat(cache.get("b").items).containsExactly("apple");
  }

  @Test
  void recordsWithMutableComponentsAreCopied() {
    assertThat(Immutables.isImmutable(Holder.class)).isFalse();
    assertThat(Immutables.isImmutable(Named.class)).isTrue();
    // BigDecimal is not final: a record component of that type could hold a mutable subclass.
    record Price(BigDecimal amount) {}
    assertThat(Immutables.isImmutable(Price.class)).isFalse();
    assertThat(Immutables.isImmutable(BigDecimal.class)).isTrue();
  }

  @Test
  void aValueThatCannotBeCopiedFailsThePutNamingItsClass() {
    Cache<String, Object> cache = manager.createCache("uncopyable", new MutableConfiguration<>());
    assertThatThrownBy(() -> cache.put("k", new NotSerializable()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(NotSerializable.class.getName());
    assertThat(cache.containsKey("k")).isFalse();
  }

  @Test
  void storeByReferenceSharesEverything() {
    Cache<String, Basket> cache = manager.createCache("byReference",
        new MutableConfiguration<String, Basket>().setStoreByValue(false));
    Basket basket = new Basket();
    cache.put("b", basket);
    assertThat(cache.get("b")).isSameAs(basket);
  }

  @Test
  void theCopierIsPluggable() {
    AtomicInteger copies = new AtomicInteger();
    Copier counting = new Copier() {
      @Override
      public <T> T copy(T object, ClassLoader classLoader) {
        copies.incrementAndGet();
        return object;
      }
    };
    Cache<String, Basket> cache = manager.createCache("customCopier",
        new LarderConfiguration<String, Basket>().setCopier(counting));
    cache.put("b", new Basket());
    cache.get("b");
    assertThat(copies).hasValue(2);
  }

  @Test
  void aCacheWhoseDeclaredTypesAdmitOnlyImmutablesMakesNoCopiesAtAll() {
    Copier failing = new Copier() {
      @Override
      public <T> T copy(T object, ClassLoader classLoader) {
        throw new AssertionError("copied " + object);
      }
    };
    ClassLoader loader = getClass().getClassLoader();
    assertThat(Copies.of(true, failing, loader, Integer.class, String.class)).isSameAs(Copies.BY_REFERENCE);
    assertThat(Copies.of(true, failing, loader, Long.class, Named.class)).isSameAs(Copies.BY_REFERENCE);
    assertThat(Copies.of(true, failing, loader, Colour.class, int.class)).isSameAs(Copies.BY_REFERENCE);
    assertThat(Copies.of(false, failing, loader, Object.class, Basket.class)).isSameAs(Copies.BY_REFERENCE);
    // A declared type that admits a mutable instance keeps the copies: Object, a mutable record, and
    // BigDecimal (immutable itself, but not final: a subclass may add state).
    assertThat(Copies.of(true, failing, loader, Integer.class, Object.class)).isNotSameAs(Copies.BY_REFERENCE);
    assertThat(Copies.of(true, failing, loader, Holder.class, String.class)).isNotSameAs(Copies.BY_REFERENCE);
    assertThat(Copies.of(true, failing, loader, String.class, BigDecimal.class)).isNotSameAs(Copies.BY_REFERENCE);
    assertThatThrownBy(() -> Copies.of(true, failing, loader, String.class, Basket.class).out(new Basket()))
        .hasMessageStartingWith("copied");
  }
}
