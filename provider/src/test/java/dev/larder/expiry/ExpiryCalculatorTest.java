package dev.larder.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.larder.store.StoreEntry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import org.junit.jupiter.api.Test;

/** The policy's durations as deadlines: the spec's points, the standard policies, a broken policy. */
class ExpiryCalculatorTest {

  static final long NOW = 1_000_000;
  static final Duration SECOND = new Duration(TimeUnit.SECONDS, 1);

  @Test
  void theStandardPoliciesAsDeadlines() {
    // policy: creation, access, update deadlines
    assertDeadlines(new EternalExpiryPolicy(), StoreEntry.NEVER, ExpiryCalculator.UNCHANGED, ExpiryCalculator.UNCHANGED);
    assertDeadlines(new CreatedExpiryPolicy(SECOND), NOW + 1000, ExpiryCalculator.UNCHANGED, ExpiryCalculator.UNCHANGED);
    assertDeadlines(new AccessedExpiryPolicy(SECOND), NOW + 1000, NOW + 1000, ExpiryCalculator.UNCHANGED);
    assertDeadlines(new ModifiedExpiryPolicy(SECOND), NOW + 1000, ExpiryCalculator.UNCHANGED, NOW + 1000);
    assertDeadlines(new TouchedExpiryPolicy(SECOND), NOW + 1000, NOW + 1000, NOW + 1000);
  }

  @Test
  void whatTheCacheMaySkipUnderEachStandardPolicy() {
    // a put may skip reading the key where creation and update give the same deadline
    assertThat(new ExpiryCalculator(new EternalExpiryPolicy()).writesIgnorePresence()).isTrue();
    assertThat(new ExpiryCalculator(new ModifiedExpiryPolicy(SECOND)).writesIgnorePresence()).isTrue();
    assertThat(new ExpiryCalculator(new TouchedExpiryPolicy(SECOND)).writesIgnorePresence()).isTrue();
    assertThat(new ExpiryCalculator(new CreatedExpiryPolicy(SECOND)).writesIgnorePresence()).isFalse();
    assertThat(new ExpiryCalculator(new AccessedExpiryPolicy(SECOND)).writesIgnorePresence()).isFalse();
    assertThat(new ExpiryCalculator(new ModifiedExpiryPolicy(Duration.ZERO)).writesIgnorePresence())
        .as("a zero creation stores nothing, a zero update stores an expired entry").isFalse();
    assertThat(new ExpiryCalculator(new CountingPolicy()).writesIgnorePresence()).isFalse();
    // a hit need not consult the policy where access changes nothing
    assertThat(new ExpiryCalculator(new EternalExpiryPolicy()).consultsOnAccess()).isFalse();
    assertThat(new ExpiryCalculator(new CreatedExpiryPolicy(SECOND)).consultsOnAccess()).isFalse();
    assertThat(new ExpiryCalculator(new AccessedExpiryPolicy(SECOND)).consultsOnAccess()).isTrue();
    assertThat(new ExpiryCalculator(new CountingPolicy()).consultsOnAccess()).isTrue();
    assertThat(new ExpiryCalculator(new CreatedExpiryPolicy(SECOND)).updatesKeepDeadline()).isTrue();
    assertThat(new ExpiryCalculator(new ModifiedExpiryPolicy(SECOND)).updatesKeepDeadline()).isFalse();
  }

  @Test
  void zeroIsExpiredAtOnceNullIsUnchangedAndANullCreationIsEternal() {
    assertDeadlines(new TouchedExpiryPolicy(Duration.ZERO), NOW, NOW, NOW);
    assertDeadlines(new FixedPolicy(null, null, null), StoreEntry.NEVER, ExpiryCalculator.UNCHANGED,
        ExpiryCalculator.UNCHANGED);
  }

  @Test
  void aPolicyOtherThanTheStandardOnesIsAskedEveryTime() {
    CountingPolicy policy = new CountingPolicy();
    ExpiryCalculator calculator = new ExpiryCalculator(policy);
    assertThat(calculator.creationDeadline(NOW)).isEqualTo(NOW + 1);
    assertThat(calculator.creationDeadline(NOW)).isEqualTo(NOW + 2);
    assertThat(calculator.accessDeadline(NOW)).isEqualTo(NOW + 3);
    assertThat(calculator.updateDeadline(NOW)).isEqualTo(NOW + 4);
    assertThat(policy.calls).hasValue(4);
  }

  @Test
  void aBrokenPolicyCostsAMissButNeverKeepsAValueForever() {
    ExpiryCalculator calculator = new ExpiryCalculator(new BrokenPolicy());
    assertThat(calculator.creationDeadline(NOW)).as("not stored").isEqualTo(NOW);
    assertThat(calculator.accessDeadline(NOW)).isEqualTo(ExpiryCalculator.UNCHANGED);
    assertThat(calculator.updateDeadline(NOW)).isEqualTo(ExpiryCalculator.UNCHANGED);
  }

  @Test
  void deadlinesSaturateInsteadOfOverflowing() {
    assertThat(ExpiryCalculator.plus(Long.MAX_VALUE - 10, 100)).isEqualTo(StoreEntry.NEVER);
    assertThat(ExpiryCalculator.plus(NOW, 5)).isEqualTo(NOW + 5);
    assertThat(ExpiryCalculator.deadline(new Duration(TimeUnit.DAYS, Long.MAX_VALUE / 2), NOW))
        .isEqualTo(StoreEntry.NEVER);
    assertThat(ExpiryCalculator.deadline(Duration.ETERNAL, NOW)).isEqualTo(StoreEntry.NEVER);
  }

  private static void assertDeadlines(ExpiryPolicy policy, long creation, long access, long update) {
    ExpiryCalculator calculator = new ExpiryCalculator(policy);
    assertThat(new long[] {calculator.creationDeadline(NOW), calculator.accessDeadline(NOW),
        calculator.updateDeadline(NOW)}).as(policy.getClass().getSimpleName()).containsExactly(creation, access, update);
  }

  /** Answers 1 ms, 2 ms, ...: shows each call reaches it. */
  static final class CountingPolicy implements ExpiryPolicy {
    final AtomicInteger calls = new AtomicInteger();

    private Duration next() {
      return new Duration(TimeUnit.MILLISECONDS, calls.incrementAndGet());
    }

    @Override
    public Duration getExpiryForCreation() {
      return next();
    }

    @Override
    public Duration getExpiryForAccess() {
      return next();
    }

    @Override
    public Duration getExpiryForUpdate() {
      return next();
    }
  }

  record FixedPolicy(Duration creation, Duration access, Duration update) implements ExpiryPolicy {
    @Override
    public Duration getExpiryForCreation() {
      return creation;
    }

    @Override
    public Duration getExpiryForAccess() {
      return access;
    }

    @Override
    public Duration getExpiryForUpdate() {
      return update;
    }
  }

  static final class BrokenPolicy implements ExpiryPolicy {
    @Override
    public Duration getExpiryForCreation() {
      throw new IllegalStateException("broken");
    }

    @Override
    public Duration getExpiryForAccess() {
      throw new IllegalStateException("broken");
    }

    @Override
    public Duration getExpiryForUpdate() {
      throw new IllegalStateException("broken");
    }
  }
}
