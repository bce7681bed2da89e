package dev.larder.expiry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.larder.store.StoreEntry;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;

/**
 * Turns an {@link ExpiryPolicy}'s durations into per-entry deadlines (epoch milliseconds).
 *
 * <p>The standard policies answer the same durations every time, so for them the answers are taken
 * once and the policy is never called again: an access to an entry of a cache with an
 * {@link EternalExpiryPolicy} or a {@link CreatedExpiryPolicy} costs nothing. Any other policy is asked
 * every time, as the spec requires.
 *
 * <p>Spec points: a {@code null} duration for access or update leaves the deadline unchanged; a
 * {@code null} for creation (not a legal answer) is taken as eternal; {@link Duration#ZERO} means
 * expired at once. A policy that throws is logged and, as the spec leaves the default to the
 * implementation, treated as "unchanged" for access and update and as "expired at once" for creation,
 * so that a broken policy can cost a cache miss but never keep a value forever.
 */
public final class ExpiryCalculator {

  /** Returned by {@link #accessDeadline} and {@link #updateDeadline}: keep the entry's deadline. */
  public static final long UNCHANGED = Long.MIN_VALUE;

  private static final Logger LOG = LoggerFactory.getLogger(ExpiryCalculator.class);

  private final ExpiryPolicy policy;
  private final boolean constant;
  private final Duration creation;
  private final Duration access;
  private final Duration update;
  /** The answers of the three questions below, taken once (a put and a hit ask them every time). */
  private final boolean writesIgnorePresence;
  private final boolean updatesKeepDeadline;
  private final boolean consultsOnAccess;

  public ExpiryCalculator(ExpiryPolicy policy) {
    this.policy = policy;
    Class<?> type = policy.getClass();
    this.constant = type == EternalExpiryPolicy.class || type == CreatedExpiryPolicy.class
        || type == AccessedExpiryPolicy.class || type == ModifiedExpiryPolicy.class
        || type == TouchedExpiryPolicy.class;
    this.creation = constant ? policy.getExpiryForCreation() : null;
    this.access = constant ? policy.getExpiryForAccess() : null;
    this.update = constant ? policy.getExpiryForUpdate() : null;
    boolean eternalKeepsDeadline = constant && creation != null && creation.isEternal() && update == null;
    this.writesIgnorePresence = eternalKeepsDeadline
        || (constant && creation != null && creation.equals(update) && !creation.isZero());
    this.updatesKeepDeadline = constant && update == null;
    this.consultsOnAccess = !constant || access != null;
  }

  public ExpiryPolicy policy() {
    return policy;
  }

  /**
   * Whether creating and updating an entry always give it the same deadline, so that a write need not
   * know whether the key was present: eternal, modified and touched policies. (An update with no
   * duration keeps the old deadline, which for an eternal policy is the creation deadline only when the
   * old entry was eternal too: the caller checks that.)
   */
  public boolean writesIgnorePresence() {
    return writesIgnorePresence;
  }

  /** Whether updates keep the entry's deadline (the update duration is null). */
  public boolean updatesKeepDeadline() {
    return updatesKeepDeadline;
  }

  /** Whether an access can change a deadline, that is whether reads must consult the policy at all. */
  public boolean consultsOnAccess() {
    return consultsOnAccess;
  }

  /** The deadline of an entry created now; a deadline {@code <= now} means "do not store". */
  public long creationDeadline(long now) {
    Duration duration;
    if (constant) {
      duration = creation;
    } else {
      try {
        duration = policy.getExpiryForCreation();
      } catch (RuntimeException e) {
        LOG.warn("ExpiryPolicy.getExpiryForCreation() of " + policy.getClass().getName()
            + " failed; the entry is not cached", e);
        return now;
      }
    }
    return duration == null ? StoreEntry.NEVER : deadline(duration, now);
  }

  /** The deadline after an access now, or {@link #UNCHANGED}. */
  public long accessDeadline(long now) {
    Duration duration;
    if (constant) {
      duration = access;
    } else {
      try {
        duration = policy.getExpiryForAccess();
      } catch (RuntimeException e) {
        LOG.warn("ExpiryPolicy.getExpiryForAccess() of " + policy.getClass().getName()
            + " failed; the deadline is left unchanged", e);
        return UNCHANGED;
      }
    }
    return duration == null ? UNCHANGED : deadline(duration, now);
  }

  /** The deadline after an update now, or {@link #UNCHANGED}. */
  public long updateDeadline(long now) {
    Duration duration;
    if (constant) {
      duration = update;
    } else {
      try {
        duration = policy.getExpiryForUpdate();
      } catch (RuntimeException e) {
        LOG.warn("ExpiryPolicy.getExpiryForUpdate() of " + policy.getClass().getName()
            + " failed; the deadline is left unchanged", e);
        return UNCHANGED;
      }
    }
    return duration == null ? UNCHANGED : deadline(duration, now);
  }

  /** {@code now + duration}, saturating; eternal is {@link StoreEntry#NEVER}, zero is {@code now}. */
  public static long deadline(Duration duration, long now) {
    if (duration.isEternal()) {
      return StoreEntry.NEVER;
    }
    long millis = duration.getTimeUnit().toMillis(duration.getDurationAmount());
    return plus(now, millis);
  }

  /** {@code now + millis}, saturating at {@link StoreEntry#NEVER}. */
  public static long plus(long now, long millis) {
    long deadline = now + millis;
    return (millis > 0 && deadline < now) || deadline == Long.MAX_VALUE ? StoreEntry.NEVER : deadline;
  }
}
