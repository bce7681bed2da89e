package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import dev.larder.store.InProcessStore;
import dev.larder.store.Store;
import dev.larder.store.StoreEntry;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.CacheManager;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Access expiry touches the entry the hit read, not whatever the key holds by then: a put landing
 * between a get's read and its touch keeps its own (update) deadline. The put is made to land there by a
 * store that runs it just before the touch's compute, as another thread could.
 */
class AccessExpiryRaceTest {

  private final CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("race:access"),
      getClass().getClassLoader());

  @AfterEach
  void close() {
    manager.close();
  }

  /** Creation and update: an hour; access: a second. */
  public static final class HourThenSecondOnAccess implements ExpiryPolicy {
    @Override
    public Duration getExpiryForCreation() {
      return new Duration(TimeUnit.HOURS, 1);
    }

    @Override
    public Duration getExpiryForAccess() {
      return new Duration(TimeUnit.SECONDS, 1);
    }

    @Override
    public Duration getExpiryForUpdate() {
      return new Duration(TimeUnit.HOURS, 1);
    }
  }

  @Test
  void aPutBetweenAHitAndItsTouchKeepsItsUpdateDeadline() {
    // Runs once, just before the next compute.
    AtomicReference<Runnable> before = new AtomicReference<>();
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setStoreFactory(new dev.larder.store.StoreFactory() {
          @Override
          public <K, V> Store<K, V> create(dev.larder.store.StoreContext<K, V> context) {
            return new ComputeHookStore<>(InProcessStore.FACTORY.create(context), (key, remapping) -> {
              Runnable racer = before.getAndSet(null);
              if (racer != null) {
                racer.run();
              }
            });
          }
        });
    configuration.setExpiryPolicyFactory(() -> new HourThenSecondOnAccess());
    LarderCache<String, String> cache = manager.createCache("race", configuration).unwrap(LarderCache.class);
    cache.put("k", "read");
    @SuppressWarnings("unchecked")
    Store<String, String> delegate = cache.unwrap(ComputeHookStore.class).delegate;

    // the next compute (the touch after the hit) first lets another writer's put land
    before.set(() -> delegate.put("k",
        new StoreEntry<>("raced", System.currentTimeMillis() + TimeUnit.HOURS.toMillis(1))));
    assertThat(cache.get("k")).isEqualTo("read");

    StoreEntry<String> now = delegate.get("k");
    assertThat(now.value()).isEqualTo("raced");
    assertThat(now.expiresAt() - System.currentTimeMillis()).as("the put's own deadline, not the access one")
        .isGreaterThan(TimeUnit.MINUTES.toMillis(30));
  }

  @Test
  void anUnchangedEntryDoesGetItsAccessDeadline() {
    LarderConfiguration<String, String> configuration = new LarderConfiguration<>();
    configuration.setExpiryPolicyFactory(() -> new HourThenSecondOnAccess());
    LarderCache<String, String> cache = manager.createCache("plain", configuration).unwrap(LarderCache.class);
    cache.put("k", "v");
    assertThat(cache.get("k")).isEqualTo("v");
    StoreEntry<?> entry = cache.unwrap(Store.class).get("k");
    assertThat(entry.expiresAt() - System.currentTimeMillis()).isBetween(0L, 1000L);
  }
}
